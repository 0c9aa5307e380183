// Patterns: validation and presets, coverage, and the reduction that keeps overlapping patterns
// from delivering one event twice.
/* eslint-disable decnet-events/no-subject-literal -- pattern algebra is tested on patterns as users type them, catalogued or not. */
import { describe, expect, it } from 'vitest';
import { covers, reducePatterns, responsiblePattern, validatePatterns } from './patterns.js';

describe('subscription patterns are validated and presets expanded', () => {
  it('puts presets first, drops duplicates, empties and non-strings', () => {
    expect(validatePatterns(['attacker.>', '', 7, 'ttp.tagged', 'ttp.tagged'], ['AttackerDetail', 'DeckyStatus'])).toEqual({
      ok: true,
      patterns: ['attacker.>', 'decky.*.state', 'decky.*.traffic', 'ttp.tagged'],
    });
  });

  it('rejects malformed patterns, unknown presets and an empty list', () => {
    expect(validatePatterns(['attacker.>.x'])).toMatchObject({ ok: false });
    expect(validatePatterns(['a..b'])).toMatchObject({ ok: false });
    expect(validatePatterns([], ['Nope'])).toMatchObject({ ok: false });
    expect(validatePatterns([])).toMatchObject({ ok: false });
  });
});

describe('pattern coverage and reduction', () => {
  it('knows when one pattern covers another', () => {
    expect(covers('attacker.>', 'attacker.observed')).toBe(true);
    expect(covers('attacker.>', 'attacker.*.x')).toBe(true);
    expect(covers('>', 'system.*.health')).toBe(true);
    expect(covers('*.observed', 'attacker.observed')).toBe(true);
    expect(covers('attacker.*', 'attacker.>')).toBe(false);
    expect(covers('attacker.observed', 'attacker.*')).toBe(false);
    expect(covers('attacker.>', 'attacker')).toBe(false);
  });

  it('keeps only patterns no other covers, and names one responsible pattern per subject', () => {
    const reduced = reducePatterns(['attacker.observed', 'attacker.>', 'ttp.tagged', '*.tagged', 'attacker.>']);
    expect(reduced).toEqual(['*.tagged', 'attacker.>']);
    expect(responsiblePattern(['*.observed', 'attacker.*'], 'attacker.observed')).toBe('*.observed');
    expect(responsiblePattern(reduced, 'credential.captured')).toBeUndefined();
  });
});
