// The env reader: parsed keys, every error collected, and renamed keys with deprecated aliases.
import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from './config.js';
import { absolutePath, deprecatedKeyWarning, envReader, intIn, renamedPrefix, withDeprecatedKeys } from './env-reader.js';

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

describe('deprecated key aliases (withDeprecatedKeys)', () => {
  // Each test uses its own old key names: the warning is once per process.
  it('gives the current key the old value when only the old name is set, warning once per process naming both', () => {
    const warnings: string[] = [];
    const renamed = { DECNET_NEW_A: 'DECNET_OLD_A' };
    for (let i = 0; i < 3; i++) {
      const env = withDeprecatedKeys({ DECNET_OLD_A: ' 7 ' }, renamed, (l) => warnings.push(l));
      expect(envReader(env).read('DECNET_NEW_A', 'n', 1, intIn(0, 100))).toBe(7);
    }
    expect(warnings).toEqual([
      'decnet: warning: DECNET_OLD_A is deprecated and will stop working in the next release; rename it to DECNET_NEW_A',
    ]);
    expect(warnings[0]).not.toContain('\n');
  });

  it('prefers the current name when both are set, and still warns about the old one', () => {
    const warnings: string[] = [];
    const env = withDeprecatedKeys({ DECNET_NEW_B: '5', DECNET_OLD_B: '9' }, { DECNET_NEW_B: 'DECNET_OLD_B' }, (l) => warnings.push(l));
    expect(envReader(env).read('DECNET_NEW_B', 'n', 1, intIn(0, 100))).toBe(5);
    expect(warnings).toEqual([deprecatedKeyWarning('DECNET_OLD_B', 'DECNET_NEW_B')]);
  });

  it('does not warn when only the current name is set or the old one is blank, and leaves env untouched', () => {
    const warnings: string[] = [];
    const original = { DECNET_NEW_C: '5', DECNET_OLD_C: '  ', OTHER: 'x' };
    const env = withDeprecatedKeys(original, { DECNET_NEW_C: 'DECNET_OLD_C' }, (l) => warnings.push(l));
    expect(env).toEqual(original);
    expect(env).not.toBe(original);
    expect(warnings).toEqual([]);
  });

  it('reports a bad old value under the current key', () => {
    const env = withDeprecatedKeys({ DECNET_OLD_D: 'lots' }, { DECNET_NEW_D: 'DECNET_OLD_D' }, () => undefined);
    const r = envReader(env);
    expect(r.read('DECNET_NEW_D', 'an integer from 0 to 100', 3, intIn(0, 100))).toBe(3);
    expect(errorsOf(() => r.assertValid())).toEqual(['DECNET_NEW_D: expected an integer from 0 to 100, got "lots"']);
  });

  it('writes the warning to stderr by default', () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      withDeprecatedKeys({ DECNET_OLD_E: '1' }, { DECNET_NEW_E: 'DECNET_OLD_E' });
    } finally {
      process.stderr.write = original;
    }
    expect(written).toEqual([`${deprecatedKeyWarning('DECNET_OLD_E', 'DECNET_NEW_E')}\n`]);
  });

  it('renamedPrefix maps every current key of a renamed prefix to its old name', () => {
    expect(renamedPrefix('DECNET_INGEST_', 'DECNET_INGESTER_', ['ACK', 'BATCH_SIZE'])).toEqual({
      DECNET_INGESTER_ACK: 'DECNET_INGEST_ACK',
      DECNET_INGESTER_BATCH_SIZE: 'DECNET_INGEST_BATCH_SIZE',
    });
  });
});
