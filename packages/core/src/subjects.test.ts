import { describe, expect, it } from 'vitest';
import { InvalidSubjectError } from './errors.js';
import { assertPattern, matchSubject, subjectRoot } from './subjects.js';

describe('matchSubject: NATS-style wildcards with upstream semantics', () => {
  it('matches exact subjects only when every token is equal', () => {
    expect(matchSubject('attacker.observed', 'attacker.observed')).toBe(true);
    expect(matchSubject('attacker.observed', 'attacker.scored')).toBe(false);
  });
  it('lets * match exactly one token', () => {
    expect(matchSubject('decky.*.state', 'decky.web01.state')).toBe(true);
    expect(matchSubject('topology.*', 'topology.t1.mutation.applied')).toBe(false);
    expect(matchSubject('decky.*.state', 'decky.state')).toBe(false);
  });
  it('lets > match one or more trailing tokens but never zero', () => {
    expect(matchSubject('ttp.>', 'ttp.rule.fired.T1059')).toBe(true);
    expect(matchSubject('ttp.>', 'ttp')).toBe(false);
    expect(matchSubject('ttp.rule.fired.>', 'ttp.rule.fired')).toBe(false);
    expect(matchSubject('>', 'anything.at.all')).toBe(true);
  });
  it('fails on a missing middle token and on longer or shorter subjects', () => {
    expect(matchSubject('a.b.c', 'a.c')).toBe(false);
    expect(matchSubject('a.b', 'a.b.c')).toBe(false);
    expect(matchSubject('a.*.c', 'a..c')).toBe(false);
  });
  it('treats fleet decky ids with a colon as one token', () => {
    expect(matchSubject('decky.*.state', 'decky.host-1:web01.state')).toBe(true);
  });
});

describe('patterns', () => {
  it('accepts > only as the last token', () => {
    expect(assertPattern('a.*.>')).toBe('a.*.>');
    expect(() => assertPattern('a.>.b')).toThrow(InvalidSubjectError);
    expect(() => assertPattern('a..b')).toThrow(InvalidSubjectError);
  });
  it('reports the root token, or undefined for a wildcard root', () => {
    expect(subjectRoot('attacker.>')).toBe('attacker');
    expect(subjectRoot('*.health')).toBeUndefined();
    expect(subjectRoot('>')).toBeUndefined();
  });
});
