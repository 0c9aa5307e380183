// Signing: canonical bytes, a signature over timestamp and body, and a receiver-side check that
// rejects tampering, replays with a new timestamp, and stale timestamps.
import { describe, expect, it } from 'vitest';
import { canonicalJson, generateSecret, signatureFor, verifySignature } from './signing.js';

describe('the canonical body is byte-stable', () => {
  it('sorts keys at every depth and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x' }, v: 1 })).toBe('{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1,"v":1}');
    expect(canonicalJson({ u: undefined, n: Number.NaN })).toBe('{"n":null}');
  });
});

describe('the signature covers the timestamp and the body', () => {
  const secret = 'a-secret-of-enough-length';
  const body = '{"v":1}';
  const sig = signatureFor(secret, '1700000000', body);

  it('is sha256=<hex> and verifies within the tolerance', () => {
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature({ secret, timestamp: '1700000000', body, signature: sig, nowS: 1_700_000_100 })).toBe(true);
  });

  it('rejects a changed body, a replay under a new timestamp, a stale timestamp and a wrong secret', () => {
    expect(verifySignature({ secret, timestamp: '1700000000', body: '{"v":2}', signature: sig, nowS: 1_700_000_000 })).toBe(false);
    expect(verifySignature({ secret, timestamp: '1700000500', body, signature: sig, nowS: 1_700_000_500 })).toBe(false);
    expect(verifySignature({ secret, timestamp: '1700000000', body, signature: sig, nowS: 1_700_000_301 })).toBe(false);
    expect(verifySignature({ secret: 'another-secret-value', timestamp: '1700000000', body, signature: sig, nowS: 1_700_000_000 })).toBe(false);
    expect(verifySignature({ secret, timestamp: undefined, body, signature: sig, nowS: 1_700_000_000 })).toBe(false);
  });

  it('generates URL-safe secrets of 43 characters', () => {
    const s = generateSecret();
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateSecret()).not.toBe(s);
  });
});
