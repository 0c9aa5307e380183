import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_MESSAGE_BYTES, createEnvelope, decodeEnvelope, encodeEnvelope, envelopeSchema, wellFormedEnvelope } from './envelope.js';
import { MessageTooLargeError } from './errors.js';
import { EVENTS } from './events/catalogue.js';

describe('the v1 envelope', () => {
  it('round-trips through the wire encoding', () => {
    const env = createEnvelope(EVENTS.attackerObserved.subject, { attacker_ip: '198.51.100.7' }, { key: 'x' }, 'profiler');
    const decoded = decodeEnvelope(encodeEnvelope(env));
    expect(decoded).toEqual({ ok: true, envelope: env });
    expect(env.type).toBe('observed');
    expect(env.v).toBe(1);
    expect(env.origin).toBe('profiler');
  });
  it('takes the subject from the transport header, not the body', () => {
    const env = createEnvelope(EVENTS.attackerObserved.subject, {});
    const decoded = decodeEnvelope(encodeEnvelope(env), EVENTS.attackerScored.subject);
    expect(decoded.ok && decoded.envelope.topic).toBe(EVENTS.attackerScored.subject);
  });
  it('refuses to encode more than 1 MiB', () => {
    const env = createEnvelope(EVENTS.systemLog.subject, { blob: 'x'.repeat(MAX_MESSAGE_BYTES) });
    expect(() => encodeEnvelope(env)).toThrow(MessageTooLargeError);
  });
  it('serialises Dates as strings so memory and Kafka agree', () => {
    const env = createEnvelope(EVENTS.systemLog.subject, { at: new Date(0) });
    const decoded = decodeEnvelope(encodeEnvelope(env));
    expect(decoded.ok && decoded.envelope.payload.at).toBe('1970-01-01T00:00:00.000Z');
  });
  it.each([
    ['bad JSON', '{nope', 'bad_json'],
    ['a JSON array', '[1,2]', 'bad_envelope'],
    ['a wrong version', JSON.stringify({ v: 2, id: 'a', topic: 't', type: '', ts: 1, payload: {} }), 'bad_envelope'],
    ['a missing payload', JSON.stringify({ v: 1, id: 'a', topic: 't', type: '', ts: 1 }), 'bad_envelope'],
    ['a non-object payload', JSON.stringify({ v: 1, id: 'a', topic: 't', type: '', ts: 1, payload: [1] }), 'bad_envelope'],
    ['over 1 MiB', 'x'.repeat(MAX_MESSAGE_BYTES + 1), 'too_large'],
  ])('decodes %s to a typed failure instead of throwing', (_label, raw, reason) => {
    const decoded = decodeEnvelope(raw);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toBe(reason);
  });
});

describe('the hand-written envelope check agrees with the schema', () => {
  const shaped = fc.record(
    {
      v: fc.oneof(fc.constant(1), fc.constant(2), fc.constant('1')),
      id: fc.oneof(fc.string({ maxLength: 140 }), fc.integer()),
      topic: fc.oneof(fc.string({ maxLength: 20 }), fc.constant(''), fc.string({ minLength: 510, maxLength: 515 })),
      type: fc.oneof(fc.string({ maxLength: 10 }), fc.string({ minLength: 255, maxLength: 258 }), fc.constant(null)),
      ts: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string()),
      payload: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.integer()), fc.constant(null), fc.string()),
      origin: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      extra: fc.jsonValue(),
    },
    { requiredKeys: [] },
  );
  it('accepts exactly what the schema accepts, and returns what it returns', () => {
    fc.assert(
      fc.property(fc.oneof(shaped, fc.jsonValue()), (value) => {
        // What a decoder sees is always the result of JSON.parse.
        const parsed: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
        const fast = wellFormedEnvelope(parsed);
        const reference = envelopeSchema.safeParse(parsed);
        expect(fast !== undefined).toBe(reference.success);
        if (fast) expect(fast).toEqual(reference.data);
      }),
      { numRuns: 3_000 },
    );
  });
});
