import { EVENTS, createEnvelope, encodeEnvelope } from '@decnet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_BUNDLE_BYTES, MAX_BUNDLE_EVENTS, bundleRuns, packBundle, unpackBundle } from './bundle.js';

const encoded = (n: number, subject = EVENTS.logEvent.subject('ssh')) => encodeEnvelope(createEnvelope(subject, { n }, { id: `e-${n}` }));

describe('bundle records', () => {
  it('round-trips envelopes in order', () => {
    const values = [encoded(1), encoded(2, EVENTS.logEvent.subject('http')), encoded(3)];
    const unpacked = unpackBundle(packBundle(values));
    expect(unpacked.ok && unpacked.elements.map((e) => (e.ok ? [e.envelope.topic, e.envelope.payload.n] : e.reason))).toEqual([
      [EVENTS.logEvent.subject('ssh'), 1],
      [EVENTS.logEvent.subject('http'), 2],
      [EVENTS.logEvent.subject('ssh'), 3],
    ]);
  });

  it('refuses a bad element alone and a value that is not a bundle as a whole', () => {
    const bad = Buffer.from('[{"v":1,"id":"a","topic":"log.event.ssh","type":"t","ts":1,"payload":{}},{"v":2},{"v":1,"id":"b","topic":"log..x","type":"t","ts":1,"payload":{}}]');
    const unpacked = unpackBundle(bad);
    expect(unpacked.ok && unpacked.elements.map((e) => (e.ok ? e.envelope.id : e.reason))).toEqual(['a', 'bad_envelope', 'bad_subject']);
    expect(unpackBundle(Buffer.from('{"v":1}'))).toEqual({ ok: false, reason: 'bad_bundle' });
    expect(unpackBundle(Buffer.from('[1,'))).toEqual({ ok: false, reason: 'bad_json' });
    expect(unpackBundle(Buffer.from(JSON.stringify(Array.from({ length: MAX_BUNDLE_EVENTS + 1 }, () => 0))))).toEqual({ ok: false, reason: 'bundle_too_large' });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v) ?? ''))), (bytes) => {
        const r = unpackBundle(Buffer.from(bytes));
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2_000 },
    );
  });

  it('splits runs by size and count, keeping every value exactly once and in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: MAX_BUNDLE_BYTES }), { maxLength: 3_000 }), (sizes) => {
        const runs = bundleRuns(sizes);
        expect(runs.flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i))).toEqual(sizes.map((_, i) => i));
        for (const [a, b] of runs) {
          expect(b - a).toBeLessThanOrEqual(MAX_BUNDLE_EVENTS);
          const bytes = 2 + sizes.slice(a, b).reduce((t, s) => t + s + 1, 0);
          // Only a single oversized value may exceed the cap (it then travels alone).
          if (b - a > 1) expect(bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
        }
      }),
      { numRuns: 300 },
    );
  });
});
