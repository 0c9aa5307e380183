// Publish failures: too large for the envelope cap, or refused by the broker for good.
import { EVENTS, rootPattern, MAX_MESSAGE_BYTES, MessageTooLargeError, silentLogger } from '@decnet/core';
import { eventually } from '@decnet/core/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaPublishRejectedError } from './errors.js';
import { deleteTopics, testBrokers, uniquePrefix } from './kafka-test-kit.fixture.js';
import { openKafkaTransport } from './transport.js';

const prefix = uniquePrefix('pub');
const strictPrefix = uniquePrefix('strict');
const brokers = testBrokers();

afterAll(async () => {
  await Promise.all([deleteTopics(brokers, prefix), deleteTopics(brokers, strictPrefix)]);
});

describe('a publish is refused plainly and the producer keeps working', () => {
  it('rejects an envelope over 1 MiB before it reaches Kafka', async () => {
    const transport = await openKafkaTransport({ brokers, prefix, instanceId: 'big', log: silentLogger });
    const bus = transport.connect('collector');
    await expect(bus.publish(EVENTS.attackerObserved.subject, { blob: 'x'.repeat(MAX_MESSAGE_BYTES) })).rejects.toBeInstanceOf(MessageTooLargeError);
    expect(bus.stats().published).toBe(0);
    await transport.close();
  });

  it('reports a record the broker refuses for good, then publishes the next one', async () => {
    // A topic made elsewhere with a smaller cap than ours: open must leave it as it is.
    const admin = new Kafka({ clientId: 'setup', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: `${strictPrefix}.email`, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '2000' }] }],
      waitForLeaders: false,
    });
    await eventually(() => admin.fetchTopicOffsets(`${strictPrefix}.email`).then(() => true, () => false), 15_000, 100);
    await admin.disconnect();

    const transport = await openKafkaTransport({ brokers, prefix: strictPrefix, instanceId: 'strict', log: silentLogger });
    const bus = transport.connect('ingester');
    const seen: string[] = [];
    const sub = transport.connect('ttp').subscribe(rootPattern('email'), (e) => void seen.push(e.id));
    await sub.ready;

    const refused = bus.publish(EVENTS.emailReceived.subject, { body: 'y'.repeat(10_000) }, { id: 'too-big' });
    await expect(refused).rejects.toBeInstanceOf(KafkaPublishRejectedError);
    await expect(refused).rejects.toMatchObject({ topic: `${strictPrefix}.email`, reason: 'MESSAGE_TOO_LARGE' });
    await bus.publish(EVENTS.emailReceived.subject, { body: 'small' }, { id: 'fits' });
    await eventually(() => seen.includes('fits'), 15_000);
    expect(seen).toEqual(['fits']);
    expect(bus.stats().published).toBe(1);
    await transport.close();
  });
});
