// One TCP connection's pure handling: framing auto-detected per frame, faults closing only the
// connection that caused them, and fast-check over random and mutated streams (never throws).
import type { LogEventPayload } from '@decnet/core';
import { encodeOctetCounted } from '@decnet/syslog';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectionSession } from './connection.js';
import { LineProcessor } from './line-processor.js';
import { COLLECTOR_DEFAULTS } from './options.js';

/** Runs per property: enough to find edge cases, small enough for a 2-core CI box. */
const RUNS = 300;
const enc = new TextEncoder();
const line = (n: number) => `<134>1 2026-05-02T06:00:25Z decky-01 http - request [relay@55555 src_ip="10.0.0.${n % 250}" path="/p${n}"]`;

function session(maxFrameBytes = 4096) {
  const processor = new LineProcessor({ ...COLLECTOR_DEFAULTS, rlWindowSec: 0 });
  return { processor, conn: new ConnectionSession(processor, 'tcp/test/0', maxFrameBytes) };
}

function published(results: ReturnType<ConnectionSession['feed']>[]): string[] {
  return results.flatMap((r) =>
    r.outcomes.flatMap((o) => (o.type === 'publish' ? [(o.items[0]?.payload as LogEventPayload).raw_line] : [])),
  );
}

describe('a connection decodes octet-counted and newline-framed syslog, frame by frame', () => {
  it('accepts both framings on one connection, split at any byte', () => {
    const { conn } = session();
    const stream = Buffer.concat([
      Buffer.from(encodeOctetCounted(enc.encode(line(1)))),
      Buffer.from(`${line(2)}\n`),
      Buffer.from(encodeOctetCounted(enc.encode(line(3)))),
    ]);
    const results = [...stream].map((b) => conn.feed(Uint8Array.of(b)));
    expect(published(results)).toEqual([line(1), line(2), line(3)]);
    expect(results.some((r) => r.close)).toBe(false);
  });
  it('delivers an unterminated last newline-framed line at end of stream', () => {
    const { conn } = session();
    const first = conn.feed(enc.encode(`${line(1)}\n${line(2)}`));
    expect(published([first, conn.end()])).toEqual([line(1), line(2)]);
  });
  it('keeps the lines before a framing fault and asks to close the connection', () => {
    const { conn } = session();
    const result = conn.feed(Buffer.concat([Buffer.from(encodeOctetCounted(enc.encode(line(1)))), Buffer.from('12345678901 x')]));
    expect(published([result])).toEqual([line(1)]);
    expect(result.errors).toEqual(['bad_length']);
    expect(result.close).toBe(true);
    expect(conn.feed(enc.encode(`${line(2)}\n`)).outcomes).toEqual([]);
  });
  it('skips an over-cap frame without losing framing', () => {
    const { conn } = session(256);
    const big = `<134>1 2026-05-02T06:00:25Z d1 http - request - ${'x'.repeat(400)}`;
    const result = conn.feed(Buffer.concat([Buffer.from(encodeOctetCounted(enc.encode(big))), Buffer.from(`${line(7)}\n`)]));
    expect(result.errors).toEqual(['frame_too_large']);
    expect(result.close).toBe(false);
    expect(published([result])).toEqual([line(7)]);
  });
  it('numbers frames so identical lines on one connection get different ids', () => {
    const { conn } = session();
    const result = conn.feed(enc.encode(`${line(1)}\n${line(1)}\n`));
    const ids = result.outcomes.map((o) => (o.type === 'publish' ? o.items[0]?.id : undefined));
    expect(new Set(ids).size).toBe(2);
  });
});

describe('connection handling is total over arbitrary bytes (fast-check)', () => {
  it('never throws on random chunks, and stays closed once framing is lost', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }), (chunks) => {
        const { conn } = session(128);
        let closed = false;
        for (const chunk of chunks) {
          const r = conn.feed(chunk);
          if (closed) expect(r.outcomes).toEqual([]);
          closed ||= r.close;
        }
        conn.end();
      }),
      { numRuns: RUNS },
    );
  });
  it('never throws on mutated valid streams, and every outcome is well formed', () => {
    const valid = fc
      .array(fc.tuple(fc.nat(1000), fc.boolean()), { minLength: 1, maxLength: 8 })
      .map((frames) =>
        Buffer.concat(
          frames.map(([n, octet]) =>
            octet ? Buffer.from(encodeOctetCounted(enc.encode(line(n)))) : Buffer.from(`${line(n)}\n`),
          ),
        ),
      );
    const mutated = fc
      .tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 4 }))
      .map(([buf, edits, cuts]) => {
        const out = Buffer.from(buf);
        for (const [at, value] of edits) out[at % out.length] = value;
        const points = [...new Set(cuts.map((c) => c % (out.length + 1)))].sort((a, b) => a - b);
        const parts: Uint8Array[] = [];
        let prev = 0;
        for (const p of points) {
          parts.push(out.subarray(prev, p));
          prev = p;
        }
        parts.push(out.subarray(prev));
        return parts;
      });
    fc.assert(
      fc.property(mutated, (parts) => {
        const { conn, processor } = session(4096);
        for (const part of parts) {
          for (const o of conn.feed(part).outcomes) {
            expect(['publish', 'filtered', 'malformed', 'empty']).toContain(o.type);
            if (o.type === 'publish') {
              const payload = o.items[0]?.payload as LogEventPayload;
              expect(typeof payload.raw_line).toBe('string');
              expect(o.items[0]?.subject).toMatch(/^log\.event\.[A-Za-z0-9_-]+$/);
              expect(() => JSON.stringify(payload)).not.toThrow();
            }
          }
        }
        conn.end();
        expect(processor.counters.lines).toBeGreaterThanOrEqual(processor.counters.accepted);
      }),
      { numRuns: RUNS },
    );
  });
});
