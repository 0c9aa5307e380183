// Property tests (fast-check): the parser and record builder are total over arbitrary and
// mutated input, format/parse round-trips, and decoders ignore how the stream is chunked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEventRecord } from './event-record.js';
import { formatSyslog } from './format.js';
import {
  createNewlineDecoder,
  createOctetCountingDecoder,
  createSyslogStreamDecoder,
  encodeOctetCounted,
  type FrameDecoder,
  type FrameEvent,
} from './framing.js';
import type { Facility, SdElement, Severity, SyslogMessage } from './message.js';
import { parseSyslog } from './parse.js';

/** Runs per property: enough to find edge cases, small enough for a 2-core CI box. */
const RUNS = 400;
const enc = new TextEncoder();

function expectResultShape(result: ReturnType<typeof parseSyslog>): void {
  expect(typeof result.ok).toBe('boolean');
  if (!result.ok) {
    expect(typeof result.error.code).toBe('string');
    expect(typeof result.error.message).toBe('string');
  }
}

// --- generators ----------------------------------------------------------------------------

const printable = (min: number, max: number): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)),
    minLength: min,
    maxLength: max,
  });

/** A valid non-NIL header field value (a lone `-` would read back as NIL). */
const headerValue = (max: number): fc.Arbitrary<string | null> =>
  fc.option(
    printable(1, max).filter((s) => s !== '-'),
    { nil: null },
  );

const sdName = printable(1, 32).map((s) => s.replace(/[=\]"]/g, '_'));

/** Any text, including quotes, backslashes, brackets, line breaks and astral characters. */
const anyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('"', '\\', ']', '[', ' ', '=', 'a', '\n', 'é', '😀'), maxLength: 20 }),
);

const sdElement: fc.Arbitrary<SdElement> = fc
  .tuple(sdName, fc.array(fc.tuple(sdName, anyText), { maxLength: 5 }))
  .map(([id, pairs]) => {
    const element: SdElement = { id, params: {} };
    for (const [name, value] of pairs) {
      if (Object.prototype.hasOwnProperty.call(element.params, name)) {
        const repeated = (element.repeated ??= {});
        (repeated[name] ??= []).push(value);
      } else {
        Object.defineProperty(element.params, name, { value, enumerable: true, writable: true, configurable: true });
      }
    }
    return element;
  });

const timestamp = fc.oneof(
  fc
    .date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true })
    .map((d) => ({
      timestamp: d.toISOString(),
      date: d,
    })),
  fc.constant({ timestamp: null, date: null }),
  printable(1, 20)
    .filter((s) => s !== '-' && !/^\d{4}-/.test(s))
    .map((s) => ({ timestamp: s, date: null })),
);

const message: fc.Arbitrary<SyslogMessage> = fc
  .record({
    facility: fc.integer({ min: 0, max: 23 }),
    severity: fc.integer({ min: 0, max: 7 }),
    ts: timestamp,
    hostname: headerValue(255),
    appName: headerValue(48),
    procId: headerValue(128),
    msgId: headerValue(32),
    structuredData: fc.array(sdElement, { maxLength: 3 }),
    msg: fc.option(
      anyText.filter((s) => !s.startsWith('\uFEFF')),
      { nil: null },
    ),
    bom: fc.boolean(),
  })
  .map((r) => ({
    pri: r.facility * 8 + r.severity,
    facility: r.facility as Facility,
    severity: r.severity as Severity,
    version: 1,
    timestamp: r.ts.timestamp,
    date: r.ts.date,
    hostname: r.hostname,
    appName: r.appName,
    procId: r.procId,
    msgId: r.msgId,
    structuredData: r.structuredData,
    msg: r.msg,
    bom: r.msg !== null && r.bom,
    invalidUtf8: false,
  }));

// --- properties ----------------------------------------------------------------------------

describe('the parser never throws', () => {
  it('returns ok or a typed failure for any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'grapheme' }),
          fc.string().map((s) => `<13>1 ${s}`),
        ),
        (s) => {
          expectResultShape(parseSyslog(s));
          expectResultShape(parseSyslog(s, { trimLineEnding: true }));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('returns ok or a typed failure for any bytes, under both UTF-8 policies', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expectResultShape(parseSyslog(bytes));
        expectResultShape(parseSyslog(bytes, { invalidUtf8: 'reject' }));
      }),
      { numRuns: RUNS },
    );
  });

  it('survives bit flips, truncation and insertions in valid lines, as does the record builder', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
      }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        bytes: fc.constantFrom(...['"', '\\', ']', '[', ' ', '-', '<'].map((c) => enc.encode(c))),
      }),
    );
    fc.assert(
      fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 4 }), (m, mutations) => {
        let bytes = enc.encode(formatSyslog(m));
        for (const mut of mutations) {
          const at = bytes.length === 0 ? 0 : mut.at % (bytes.length + 1);
          if (mut.kind === 'flip' && at < bytes.length) {
            bytes = bytes.slice();
            bytes[at] = (bytes[at] as number) ^ (1 << mut.bit);
          } else if (mut.kind === 'truncate') {
            bytes = bytes.slice(0, at);
          } else if (mut.kind === 'insert') {
            bytes = new Uint8Array([...bytes.subarray(0, at), ...mut.bytes, ...bytes.subarray(at)]);
          }
        }
        expectResultShape(parseSyslog(bytes));
        const record = parseEventRecord(bytes);
        if (record.ok) expect(typeof record.record.attacker_ip).toBe('string');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('formatting then parsing gives the message back', () => {
  it('round-trips generated messages as strings', () => {
    fc.assert(
      fc.property(message, (m) => {
        const result = parseSyslog(formatSyslog(m));
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.message).toEqual(m);
      }),
      { numRuns: RUNS },
    );
  });

  it('round-trips generated messages through UTF-8 bytes when they hold no lone surrogates', () => {
    fc.assert(
      fc.property(message, (m) => {
        const line = formatSyslog(m);
        const bytes = enc.encode(line);
        // Lone surrogates cannot be encoded; the encoder would have replaced them.
        fc.pre(new TextDecoder().decode(bytes) === line);
        const result = parseSyslog(bytes, { invalidUtf8: 'reject' });
        expect(result.ok && result.message).toEqual(m);
      }),
      { numRuns: RUNS },
    );
  });

  it('produces a parseable line from any input, however bad its header fields', () => {
    fc.assert(
      fc.property(
        fc.record({
          facility: fc.integer({ min: -5, max: 40 }),
          severity: fc.integer({ min: -5, max: 12 }),
          timestamp: fc.oneof(fc.string(), fc.constant(null), fc.date()),
          hostname: fc.option(fc.string({ maxLength: 300 })),
          appName: fc.option(fc.string({ maxLength: 60 })),
          procId: fc.option(fc.string({ maxLength: 140 })),
          msgId: fc.option(fc.string({ maxLength: 40 })),
          structuredData: fc.array(fc.record({ id: fc.string(), params: fc.dictionary(fc.string(), fc.string()) }), {
            maxLength: 3,
          }),
          msg: fc.option(fc.string()),
        }),
        (input) => {
          const line = formatSyslog(input as Parameters<typeof formatSyslog>[0]);
          const result = parseSyslog(line);
          expect(result.ok).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

// --- framing -------------------------------------------------------------------------------

/** Cuts `stream` at the given points (taken modulo its length) into chunks. */
function chunk(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let previous = 0;
  for (const point of points) {
    chunks.push(stream.slice(previous, point));
    previous = point;
  }
  chunks.push(stream.slice(previous));
  return chunks;
}

function run(decoder: FrameDecoder, chunks: Uint8Array[]): unknown[] {
  const events: FrameEvent[] = [];
  for (const c of chunks) events.push(...decoder.push(c));
  events.push(...decoder.end());
  // Copy frame bytes: they may be views into the chunks.
  return events.map((e) => (e.type === 'frame' ? { ...e, bytes: Array.from(e.bytes) } : e));
}

function concatAll(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

describe('decoders produce the same events however the stream is chunked', () => {
  const cuts = fc.array(fc.nat(), { maxLength: 12 });

  it('octet counting: frames of arbitrary bytes come back exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 80 }), { maxLength: 10 }),
        cuts,
        (frames, points) => {
          const stream = concatAll(frames.map((f) => encodeOctetCounted(f)));
          const events = run(createOctetCountingDecoder({ maxFrameBytes: 60 }), chunk(stream, points));
          expect(events).toEqual(run(createOctetCountingDecoder({ maxFrameBytes: 60 }), [stream]));
          const expected = frames.map((f) =>
            f.length > 60
              ? expect.objectContaining({ type: 'error', code: 'frame_too_large', fatal: false })
              : { type: 'frame', framing: 'octet-counting', bytes: Array.from(f) },
          );
          expect(events).toEqual(expected);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('newline framing: the same events for any chunking, including over-long lines', () => {
    const line = fc.uint8Array({ maxLength: 40 }).map((b) => b.map((x) => (x === 10 ? 32 : x)));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), cuts, fc.boolean(), (lines, points, nul) => {
        const stream = concatAll(lines.flatMap((l) => [l, new Uint8Array([10])]));
        const make = (): FrameDecoder => createNewlineDecoder({ maxFrameBytes: 30, nulDelimiter: nul });
        expect(run(make(), chunk(stream, points))).toEqual(run(make(), [stream]));
      }),
      { numRuns: RUNS },
    );
  });

  it('auto-detection: mixed framings decode identically for any chunking', () => {
    const frame = fc.tuple(
      fc.boolean(),
      printable(1, 30).map((s) => `<13>1 - - - - - - ${s}`),
    );
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 10 }), cuts, (frames, points) => {
        const stream = concatAll(
          frames.map(([octet, text]) => (octet ? encodeOctetCounted(text) : enc.encode(`${text}\n`))),
        );
        const events = run(createSyslogStreamDecoder(), chunk(stream, points));
        expect(events).toEqual(run(createSyslogStreamDecoder(), [stream]));
        expect(events).toEqual(
          frames.map(([octet, text]) => ({
            type: 'frame',
            framing: octet ? 'octet-counting' : 'newline',
            bytes: Array.from(enc.encode(text)),
          })),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), cuts, (stream, points) => {
        for (const make of [createOctetCountingDecoder, createNewlineDecoder, createSyslogStreamDecoder]) {
          run(make({ maxFrameBytes: 16 }), chunk(stream, points));
        }
      }),
      { numRuns: RUNS },
    );
  });
});
