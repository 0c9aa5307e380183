import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLinkMessage, encodeLineFrame } from '@decnet/pki';
import { createOctetCountingDecoder, encodeOctetCounted } from '@decnet/syslog';
import type { PublishItem } from './record.js';
import { LinkSession, emptyCounters, type CloseReason, type PublishResult, type SessionOptions } from './session.js';
import { EVENTS } from '@decnet/core';

const LINE = (n: number, host = 'spoofed-host'): string =>
  `<134>1 2026-05-02T06:00:25.${String(n).padStart(6, '0')}+00:00 ${host} ssh - login [relay@55555 src_ip="198.51.100.${n % 250}"] try ${n}`;

/** A session wired to fakes: publishes wait for `release`, writes are decoded as acks. */
function harness(overrides: Partial<SessionOptions> = {}, mode: 'auto' | 'manual' = 'auto') {
  const published: PublishItem[] = [];
  const gates: { item: PublishItem; resolve: (r: PublishResult) => void }[] = [];
  const acks: number[] = [];
  const closes: CloseReason[] = [];
  const flow: string[] = [];
  const ackDecoder = createOctetCountingDecoder();
  const counters = emptyCounters();
  const session = new LinkSession(
    {
      peer: 'agent-01',
      acked: false,
      connectionId: 'conn-1',
      maxFrameBytes: 1024,
      maxInflight: 100,
      counters,
      now: () => Date.parse('2026-05-02T06:00:26Z'),
      publish: (item) => {
        if (mode === 'auto') {
          published.push(item);
          return Promise.resolve('ok');
        }
        return new Promise((resolve) => gates.push({ item, resolve }));
      },
      ...overrides,
    },
    {
      write: (bytes) => {
        for (const event of ackDecoder.push(bytes)) {
          if (event.type !== 'frame') throw new Error('listener wrote a bad frame');
          const msg = decodeLinkMessage(event.bytes);
          if (msg.type !== 'ack') throw new Error('listener wrote something else than an ack');
          acks.push(msg.count);
        }
      },
      close: (reason) => closes.push(reason),
      pause: () => flow.push('pause'),
      resume: () => flow.push('resume'),
    },
  );
  const release = (index: number, result: PublishResult = 'ok'): void => {
    const gate = gates[index];
    if (!gate) throw new Error(`no publish #${index}`);
    if (result === 'ok') published.push(gate.item);
    gate.resolve(result);
  };
  return { session, published, gates, acks, closes, flow, counters, release };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('plain RFC 5425 senders are identified by their certificate, not their HOSTNAME', () => {
  it('publishes each frame as log.event.<service> with source_worker = CN and a per-frame id', async () => {
    const h = harness();
    h.session.push(Buffer.concat([encodeOctetCounted(LINE(1)), encodeOctetCounted(LINE(2))]));
    await tick();
    expect(h.published).toHaveLength(2);
    const [a, b] = h.published as [PublishItem, PublishItem];
    expect(a.subject).toBe(EVENTS.logEvent.subject('ssh'));
    expect(a.payload).toMatchObject({ source: 'tls', source_worker: 'agent-01', decky: 'spoofed-host', event_type: 'login' });
    expect(a.key).toBe('198.51.100.1');
    expect(a.id).not.toBe(b.id);
    expect(h.acks).toEqual([]);
  });

  it('counts and skips malformed and empty lines without closing', async () => {
    const h = harness();
    h.session.push(Buffer.concat([encodeOctetCounted('not syslog'), encodeOctetCounted('\r\n'), encodeOctetCounted(LINE(3))]));
    await tick();
    expect(h.published).toHaveLength(1);
    expect(h.counters).toMatchObject({ frames: 3, malformed: 1, empty: 1, published: 1 });
    expect(h.closes).toEqual([]);
  });

  it('closes on a frame over the cap and on lost framing, counting each', () => {
    const big = harness();
    big.session.push(encodeOctetCounted('x'.repeat(2000)));
    expect(big.closes).toEqual(['oversized']);
    expect(big.counters.oversized).toBe(1);
    const garbage = harness();
    garbage.session.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect(garbage.closes).toEqual(['garbage']);
    expect(garbage.counters.garbage).toBe(1);
  });

  it('keeps the lines that came before a fault', async () => {
    const h = harness();
    h.session.push(Buffer.concat([encodeOctetCounted(LINE(4)), Buffer.from('zz')]));
    await tick();
    expect(h.published).toHaveLength(1);
    expect(h.closes).toEqual(['garbage']);
  });
});

describe('acknowledged senders are told only what is durable', () => {
  it('acknowledges line frames cumulatively once their publishes settle, even out of order', async () => {
    const h = harness({ acked: true }, 'manual');
    h.session.push(Buffer.concat([0, 1, 2].map((n) => encodeLineFrame('s1', n * 100, Buffer.from(LINE(n))))));
    expect(h.gates).toHaveLength(3);
    await tick();
    expect(h.acks).toEqual([]);
    h.release(1);
    await tick();
    await tick();
    expect(h.acks).toEqual([]);
    h.release(0);
    await tick();
    await tick();
    expect(h.acks).toEqual([2]);
    h.release(2);
    await tick();
    await tick();
    expect(h.acks).toEqual([2, 3]);
  });

  it('derives the id from the CN, stream and offset: a resend gets the same id, another offset does not', async () => {
    const a = harness({ acked: true });
    const b = harness({ acked: true, connectionId: 'conn-2' });
    const c = harness({ acked: true, peer: 'agent-02' });
    a.session.push(encodeLineFrame('s1', 500, Buffer.from(LINE(7))));
    a.session.push(encodeLineFrame('s1', 600, Buffer.from(LINE(7))));
    b.session.push(encodeLineFrame('s1', 500, Buffer.from(LINE(7))));
    c.session.push(encodeLineFrame('s1', 500, Buffer.from(LINE(7))));
    await tick();
    const [first, second] = a.published as [PublishItem, PublishItem];
    expect(b.published[0]?.id).toBe(first.id);
    expect(second.id).not.toBe(first.id);
    expect(c.published[0]?.id).not.toBe(first.id);
  });

  it('acknowledges malformed lines (skipped on purpose) but never a publish that was abandoned', async () => {
    const h = harness({ acked: true }, 'manual');
    h.session.push(Buffer.concat([encodeLineFrame('s', 0, Buffer.from('garbage line')), encodeLineFrame('s', 13, Buffer.from(LINE(1)))]));
    await tick();
    expect(h.acks).toEqual([1]);
    h.release(0, 'aborted');
    await tick();
    await tick();
    expect(h.acks).toEqual([1]);
    expect(h.closes).toEqual(['aborted']);
  });

  it('closes an acked connection that sends anything but line frames', () => {
    const h = harness({ acked: true });
    h.session.push(encodeOctetCounted(LINE(1)));
    expect(h.closes).toEqual(['protocol']);
    expect(h.counters.garbage).toBe(1);
  });

  it('stops reading above the in-flight limit and resumes below half of it', async () => {
    const h = harness({ acked: true, maxInflight: 4 }, 'manual');
    h.session.push(Buffer.concat([0, 1, 2, 3].map((n) => encodeLineFrame('s', n, Buffer.from(LINE(n))))));
    expect(h.flow).toEqual(['pause']);
    h.release(0);
    await tick();
    expect(h.flow).toEqual(['pause']);
    h.release(1);
    h.release(2);
    await tick();
    expect(h.flow).toEqual(['pause', 'resume']);
  });

  it('drains outstanding publishes on stop, sends the final ack, then closes', async () => {
    const h = harness({ acked: true }, 'manual');
    h.session.push(Buffer.concat([0, 1].map((n) => encodeLineFrame('s', n, Buffer.from(LINE(n))))));
    const drained = h.session.drain(1000);
    h.release(0);
    h.release(1);
    await drained;
    expect(h.acks.at(-1)).toBe(2);
    expect(h.closes).toEqual(['stopping']);
  });
});

describe('frame handling never throws, whatever arrives', () => {
  const frame = fc.oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.string({ maxLength: 200 }).map((s) => Buffer.from(encodeOctetCounted(s))),
    fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), fc.nat(), fc.string({ maxLength: 120 })).map(([s, o, l]) =>
      Buffer.from(encodeLineFrame(s, o, Buffer.from(l))),
    ),
    fc.constantFrom('1', ' ', '99999999999 ', '5 L x ', '4 A 1', '0 ').map((s) => Buffer.from(s)),
  );
  it('accepts random frames and garbage in random chunks in both modes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { maxLength: 12 }), fc.boolean(), fc.integer({ min: 1, max: 40 }), async (parts, acked, cut) => {
        const h = harness({ acked, maxFrameBytes: 256 });
        const all = Buffer.concat(parts);
        for (let i = 0; i < all.length; i += cut) h.session.push(all.subarray(i, i + cut));
        h.session.end();
        await tick();
        const c = h.counters;
        expect(c.published + c.malformed + c.empty).toBeLessThanOrEqual(c.frames);
        expect(h.closes.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
  it('publishes the same events however the bytes are split', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 999 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 30 }), async (ns, cut) => {
        const bytes = Buffer.concat(ns.map((n, i) => encodeLineFrame('s', i * 1000, Buffer.from(LINE(n)))));
        const whole = harness({ acked: true });
        whole.session.push(bytes);
        const split = harness({ acked: true });
        for (let i = 0; i < bytes.length; i += cut) split.session.push(bytes.subarray(i, i + cut));
        await tick();
        await tick();
        expect(split.published.map((p) => p.id)).toEqual(whole.published.map((p) => p.id));
        expect(split.acks.at(-1)).toBe(ns.length);
      }),
      { numRuns: 100 },
    );
  });
});
