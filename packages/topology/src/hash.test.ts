import { describe, expect, it } from 'vitest';
import { canonicalHash, canonicalJson, compareCodePoints, pythonFloatRepr, pythonJsonString, stripVolatile } from './hash.js';

describe('canonical JSON matches Python json.dumps(sort_keys=True, separators=(",", ":"))', () => {
  it('sorts keys, drops spaces and renders scalars like Python', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 0, q: -2 } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"q":-2,"z":0}}');
  });
  it('writes floats under float keys as Python does', () => {
    expect(canonicalJson({ bridge_forward_probability: 1, cross_edge_probability: 0, depth: 3 })).toBe('{"bridge_forward_probability":1.0,"cross_edge_probability":0.0,"depth":3}');
  });
  it.each([
    [1, '1.0'],
    [0.1, '0.1'],
    [1.5, '1.5'],
    [-2.25, '-2.25'],
    [1e16, '1e+16'],
    [1.5e-5, '1.5e-05'],
    [0.0001, '0.0001'],
    [123456789012345.6, '123456789012345.6'],
    [1e22, '1e+22'],
    [-0, '-0.0'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
  ])('renders float %s as %s', (n, text) => {
    expect(pythonFloatRepr(n)).toBe(text);
  });
  it('escapes non-ASCII and control characters as ensure_ascii does', () => {
    expect(pythonJsonString('é"\\\n\t\u0001\u007f😀')).toBe('"\\u00e9\\"\\\\\\n\\t\\u0001\\u007f\\ud83d\\ude00"');
  });
  it('orders keys by code point, not UTF-16 unit', () => {
    const keys = ['\uffff', '😀', 'a'].sort(compareCodePoints);
    expect(keys).toEqual(['a', '\uffff', '😀']);
  });
});

describe('the topology hash ignores volatile fields and nothing else', () => {
  const h = { topology: { id: 't', name: 'n', status: 'pending', version: 1, created_at: 'a' }, deckies: [{ name: 'd', services: ['ssh'], x: 1, updated_at: 'u', last_seen: null }] };
  it('is stable and independent of key order', () => {
    const reordered = { deckies: [{ services: ['ssh'], name: 'd', x: 1, last_seen: null, updated_at: 'u' }], topology: { name: 'n', id: 't', version: 1, status: 'pending', created_at: 'a' } };
    expect(canonicalHash(h)).toBe(canonicalHash(reordered));
    expect(canonicalHash(h)).toMatch(/^[0-9a-f]{64}$/);
  });
  it('ignores status, version, timestamps, errors and layout', () => {
    const changed = structuredClone(h);
    changed.topology.status = 'active';
    changed.topology.version = 9;
    changed.topology.created_at = 'b';
    changed.deckies[0]!.x = 99;
    changed.deckies[0]!.updated_at = 'v';
    expect(canonicalHash(changed)).toBe(canonicalHash(h));
  });
  it('changes when services change', () => {
    const changed = structuredClone(h);
    changed.deckies[0]!.services = ['ssh', 'http'];
    expect(canonicalHash(changed)).not.toBe(canonicalHash(h));
  });
  it('does not modify its input', () => {
    const copy = structuredClone(h);
    canonicalHash(h);
    stripVolatile(h);
    expect(h).toEqual(copy);
  });
  it('hashes a known document to a known digest (cross-checked with CPython 3.11)', () => {
    // python3 -c 'import json,hashlib;print(hashlib.sha256(json.dumps({"b":[1,2.5,"\u00e9"],"a":{"bridge_forward_probability":1.0}},sort_keys=True,separators=(",",":")).encode()).hexdigest())'
    expect(canonicalJson({ b: [1, 2.5, 'é'], a: { bridge_forward_probability: 1 } })).toBe('{"a":{"bridge_forward_probability":1.0},"b":[1,2.5,"\\u00e9"]}');
  });
});
