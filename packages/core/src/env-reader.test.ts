import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from './config.js';
import { absolutePath, envReader, intIn } from './env-reader.js';

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.errors.map((e) => e.message);
    throw err;
  }
  return [];
}

describe('envReader', () => {
  it('parses trimmed values and falls back on unset or blank keys', () => {
    const r = envReader({ A: ' 42 ', B: '  ' });
    expect(r.read('A', 'n', 1, intIn(0, 100))).toBe(42);
    expect(r.read('B', 'n', 1, intIn(0, 100))).toBe(1);
    expect(r.read('C', 'n', 1, intIn(0, 100))).toBe(1);
    expect(() => r.assertValid()).not.toThrow();
  });

  it('collects every bad key, falls back for each, and throws them together', () => {
    const r = envReader({ A: ' 999 ', B: 'rel/path' });
    expect(r.read('A', 'an integer from 0 to 100', 7, intIn(0, 100))).toBe(7);
    expect(r.read('B', 'an absolute path', '/d', absolutePath)).toBe('/d');
    r.fail('C', 'true or false', 'maybe');
    expect(errorsOf(() => r.assertValid())).toEqual([
      'A: expected an integer from 0 to 100, got " 999 "',
      'B: expected an absolute path, got "rel/path"',
      'C: expected true or false, got "maybe"',
    ]);
  });

  it('reports the trimmed value when asked', () => {
    const r = envReader({ A: ' x ' }, { received: 'trimmed' });
    r.read('A', 'a number', 0, intIn(0, 1));
    expect(errorsOf(() => r.assertValid())).toEqual(['A: expected a number, got "x"']);
  });
});

describe('parsers', () => {
  it('intIn accepts decimal integers within the bounds only', () => {
    const p = intIn(10, 20);
    expect([p('10'), p('20'), p('9'), p('21'), p('1e1'), p('-10'), p('15.0')]).toEqual([10, 20, undefined, undefined, undefined, undefined, undefined]);
  });

  it('absolutePath accepts paths starting with /', () => {
    expect([absolutePath('/a'), absolutePath('a'), absolutePath('./a')]).toEqual(['/a', undefined, undefined]);
  });
});
