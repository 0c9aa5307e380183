import { describe, expect, it } from 'vitest';
import { InvalidSubjectError } from './errors.js';
import { assertPattern, matchSubject, subjectRoot, subjects } from './subjects.js';

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

describe('subject builders reject malformed segments', () => {
  it('builds the exact upstream strings', () => {
    expect(subjects.health('webhook')).toBe('system.webhook.health');
    expect(subjects.control('campaign-clusterer')).toBe('system.campaign-clusterer.control');
    expect(subjects.deckyState('web01')).toBe('decky.web01.state');
    expect(subjects.topologyMutation('t1', 'applied')).toBe('topology.t1.mutation.applied');
    expect(subjects.attacker('session.ended')).toBe('attacker.session.ended');
    expect(subjects.ttpRuleFired('T1110')).toBe('ttp.rule.fired.T1110');
  });
  it.each(['', 'a.b', 'a*', 'a>', 'a b', 'a\tb'])('rejects the token %j', (bad) => {
    expect(() => subjects.health(bad)).toThrow(InvalidSubjectError);
  });
  it('rejects a sub-technique in ttp.rule.fired as upstream does', () => {
    expect(() => subjects.ttpRuleFired('T1110.001')).toThrow(InvalidSubjectError);
  });
  it('allows dotted leaves where documented but no empty leaf', () => {
    expect(subjects.attackerObservation('motor.shell_mastery.tab_completion')).toBe(
      'attacker.observation.motor.shell_mastery.tab_completion',
    );
    expect(() => subjects.attacker('')).toThrow(InvalidSubjectError);
    expect(() => subjects.attacker('a..b')).toThrow(InvalidSubjectError);
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
