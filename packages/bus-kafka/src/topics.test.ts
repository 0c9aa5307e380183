// Pure tests of the topic layout, pattern-to-topic compilation, group ids and options.
/* eslint-disable decnet-events/no-subject-literal -- the topic layout is tested on arbitrary subjects and patterns, catalogued or not. */
import { InvalidSubjectError, matchSubject } from '@decnet/core';
import { describe, expect, it } from 'vitest';
import { compileOptions } from './options.js';
import { allTopics, groupIdFor, patternsOverlap, topicForSubject, topicSpecs, topicsForPattern, TOPIC_MAX_MESSAGE_BYTES } from './topics.js';

describe('every subject travels on exactly one topic of the layout', () => {
  it('maps each root family to its own topic and unknown roots to misc', () => {
    expect(topicForSubject('decnet', 'attacker.session.ended')).toBe('decnet.attacker');
    expect(topicForSubject('decnet', 'decky.host-1:web01.state')).toBe('decnet.decky');
    expect(topicForSubject('decnet', 'ttp.rule.fired.T1110')).toBe('decnet.ttp');
    expect(topicForSubject('decnet', 'attacker')).toBe('decnet.attacker');
    expect(topicForSubject('decnet', 'newfamily.thing')).toBe('decnet.misc');
  });

  it('splits system subjects into health, control, log and other', () => {
    expect(topicForSubject('d', 'system.webhook.health')).toBe('d.system.health');
    expect(topicForSubject('d', 'system.bus.health')).toBe('d.system.health');
    expect(topicForSubject('d', 'system.webhook.control')).toBe('d.system.control');
    expect(topicForSubject('d', 'system.log')).toBe('d.system.log');
    expect(topicForSubject('d', 'system.webhook.subscriptions_changed')).toBe('d.system.other');
    expect(topicForSubject('d', 'system.health')).toBe('d.system.other');
  });

  it('lists 17 topics, each created with a cap above the 1 MiB envelope limit', () => {
    const specs = topicSpecs('decnet', 4);
    expect(specs.map((s) => s.topic)).toEqual(allTopics('decnet'));
    expect(specs).toHaveLength(18);
    for (const spec of specs) {
      expect(spec.configEntries).toContainEqual({ name: 'max.message.bytes', value: String(TOPIC_MAX_MESSAGE_BYTES) });
    }
    expect(specs.find((s) => s.topic === 'decnet.system.control')?.numPartitions).toBe(1);
    expect(specs.find((s) => s.topic === 'decnet.attacker')?.numPartitions).toBe(4);
  });
});

describe('a pattern reads every topic that can carry a matching subject, and no needless one', () => {
  const SAMPLE_SUBJECTS = [
    'attacker.observed',
    'attacker.observation.motor.shell_mastery.tab_completion',
    'decky.h1:web01.state',
    'system.webhook.health',
    'system.webhook.control',
    'system.log',
    'system.webhook.subscriptions_changed',
    'system.health',
    'canary.tok.placed',
    'other.thing',
    'attacker',
  ];
  const PATTERNS = ['attacker.>', 'decky.*.state', '>', '*', '*.observed', 'system.>', 'system.*.health', 'system.*.control', 'system.log', 'system.webhook.*', 'system.*', 'other.>', 'attacker'];

  it('covers the topic of every subject the pattern matches', () => {
    for (const pattern of PATTERNS) {
      const topics = topicsForPattern('p', pattern);
      for (const subject of SAMPLE_SUBJECTS) {
        if (matchSubject(pattern, subject)) expect(topics, `${pattern} vs ${subject}`).toContain(topicForSubject('p', subject));
      }
    }
  });

  it('reads a single topic for root-anchored patterns and all topics for a leading wildcard', () => {
    expect(topicsForPattern('p', 'attacker.>')).toEqual(['p.attacker']);
    expect(topicsForPattern('p', 'system.*.health')).toEqual(['p.system.health']);
    expect(topicsForPattern('p', 'system.webhook.control')).toEqual(['p.system.control']);
    expect(topicsForPattern('p', 'system.log')).toEqual(['p.system.log']);
    expect(topicsForPattern('p', 'system.>')).toEqual(['p.system.health', 'p.system.control', 'p.system.log', 'p.system.other']);
    expect(topicsForPattern('p', 'system.webhook.*')).toEqual(['p.system.health', 'p.system.control', 'p.system.other']);
    expect(topicsForPattern('p', '>')).toEqual(allTopics('p'));
    expect(topicsForPattern('p', '*.observed')).toEqual(allTopics('p'));
  });

  it('rejects malformed patterns', () => {
    expect(() => topicsForPattern('p', 'attacker.>.x')).toThrow(InvalidSubjectError);
    expect(() => topicsForPattern('p', 'attacker..x')).toThrow(InvalidSubjectError);
  });

  it('decides overlap of two patterns as subject matching would', () => {
    const t = (s: string): string[] => s.split('.');
    expect(patternsOverlap(t('system.>'), t('system.*.health'))).toBe(true);
    expect(patternsOverlap(t('system.*'), t('system.*.health'))).toBe(false);
    expect(patternsOverlap(t('system.webhook.*'), t('system.log'))).toBe(false);
    expect(patternsOverlap(t('>'), t('system.log'))).toBe(true);
    expect(patternsOverlap(t('a.b'), t('a.b'))).toBe(true);
    expect(patternsOverlap(t('a.b'), t('a.c'))).toBe(false);
  });
});

describe('consumer group ids are Kafka-safe and keep distinct names distinct', () => {
  it('encodes characters Kafka or our logs would mangle', () => {
    expect(groupIdFor('decnet', 'webhook:attacker.>')).toBe('decnet.webhook_3aattacker._3e');
    expect(groupIdFor('decnet', 'ttp')).toBe('decnet.ttp');
    expect(groupIdFor('decnet', 'a:b')).not.toBe(groupIdFor('decnet', 'a_b'));
    expect(groupIdFor('decnet', 'a*')).not.toBe(groupIdFor('decnet', 'a>'));
    expect(groupIdFor('decnet', 'x:y')).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  it('shortens very long ids but keeps them unique', () => {
    const a = groupIdFor('decnet', `${'w'.repeat(300)}:a.>`);
    const b = groupIdFor('decnet', `${'w'.repeat(300)}:b.>`);
    expect(a.length).toBeLessThanOrEqual(200);
    expect(a).not.toBe(b);
  });
});

describe('transport options are validated before anything connects', () => {
  const base = { brokers: ['127.0.0.1:9092'], prefix: 'decnet', instanceId: 'i1', log: { child: () => undefined } as never };

  it('applies documented defaults', () => {
    const compiled = compileOptions(base);
    expect(compiled.partitions).toBe(4);
    expect(compiled.publishTimeoutMs).toBe(30_000);
    expect(compiled.closeTimeoutMs).toBe(10_000);
  });

  it('rejects empty or malformed brokers, bad prefixes and partition counts', () => {
    expect(() => compileOptions({ ...base, brokers: [] })).toThrow(/KAFKA_BROKERS/);
    expect(() => compileOptions({ ...base, brokers: ['localhost'] })).toThrow(/KAFKA_BROKERS/);
    expect(() => compileOptions({ ...base, prefix: 'a b' })).toThrow(/DECNET_KAFKA_PREFIX/);
    expect(() => compileOptions({ ...base, prefix: 'a..b' })).toThrow(/DECNET_KAFKA_PREFIX/);
    expect(() => compileOptions({ ...base, partitions: 0 })).toThrow(/partitions/);
  });
});
