// Hostile or broken records written straight to a topic never stop a consumer.
import { EVENTS, rootPattern, MAX_MESSAGE_BYTES, type Envelope } from '@decnet/core';
import { eventually } from '@decnet/core/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteTopics, recordingLogger, sleep, testBrokers, uniquePrefix } from './kafka-test-kit.fixture.js';
import { openKafkaTransport } from './transport.js';

const prefix = uniquePrefix('bad');
const brokers = testBrokers();

afterAll(async () => {
  await deleteTopics(brokers, prefix);
});

const envelope = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ v: 1, id: 'raw-1', topic: EVENTS.attackerObserved.subject, type: 'observed', ts: 1, payload: {}, ...extra });

describe('malformed records are counted and skipped, and the consumer lives on', () => {
  it('skips bad JSON, wrong envelopes, oversize and header-less records, then delivers a good one', async () => {
    const log = recordingLogger();
    const transport = await openKafkaTransport({ brokers, prefix, instanceId: 'victim', log });
    const bus = transport.connect('profiler', log);
    const seen: Envelope[] = [];
    const sub = bus.subscribe(rootPattern('attacker'), (e) => void seen.push(e));
    await sub.ready;

    const raw = new Kafka({ clientId: 'hostile', brokers, logLevel: logLevel.NOTHING }).producer();
    await raw.connect();
    const subject = { subject: EVENTS.attackerObserved.subject };
    const oversize = envelope({ payload: { blob: 'x'.repeat(MAX_MESSAGE_BYTES) } });
    expect(Buffer.byteLength(oversize)).toBeGreaterThan(MAX_MESSAGE_BYTES);
    await raw.send({
      topic: `${prefix}.attacker`,
      acks: -1,
      messages: [
        { key: 'a', value: 'not json {', headers: subject },
        { key: 'b', value: JSON.stringify({ v: 2, id: 'x' }), headers: subject },
        { key: 'c', value: JSON.stringify([1, 2, 3]), headers: subject },
        { key: 'd', value: envelope() },
        { key: 'e', value: envelope(), headers: { subject: 'attacker..observed' } },
        { key: 'f', value: null, headers: subject },
        { key: 'g', value: oversize, headers: subject },
      ],
    });
    await raw.disconnect();

    await bus.publish(EVENTS.attackerObserved.subject, { attacker_ip: '203.0.113.9' }, { id: 'good-1' });
    await eventually(() => bus.stats().malformed >= 7 && seen.length >= 1, 20_000);
    await sleep(500);

    expect(bus.stats()).toMatchObject({ malformed: 7, delivered: 1, handlerErrors: 0 });
    expect(seen.map((e) => e.id)).toEqual(['good-1']);
    const warnings = log.lines.filter((l) => l.message === 'malformed Kafka message skipped');
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThan(7); // rate-limited: the 1st and every 100th
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
    await transport.close();
  });
});
