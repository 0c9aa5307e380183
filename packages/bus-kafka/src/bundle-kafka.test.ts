// Bundle records on a real broker: a burst of publishes travels as few records, every event
// arrives once, each key's events in order, and a hostile bundle costs only its bad elements.
import { EVENTS, rootPattern, type Envelope } from '@decnet/core';
import { eventually } from '@decnet/core/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_HEADER } from './bundle.js';
import { deleteTopics, recordingLogger, sleep, testBrokers, uniquePrefix } from './kafka-test-kit.fixture.js';
import { openKafkaTransport } from './transport.js';

const prefix = uniquePrefix('bundle');
const brokers = testBrokers();

afterAll(async () => {
  await deleteTopics(brokers, prefix);
});

/** Every record in `topic` as the broker stores it: bundle or single, with its element count. */
async function rawRecords(topic: string, expectedEvents: number): Promise<{ bundle: boolean; events: number }[]> {
  const kafka = new Kafka({ clientId: 'inspector', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${prefix}-inspector` });
  const records: { bundle: boolean; events: number }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const bundle = message.headers?.[BUNDLE_HEADER] !== undefined;
      records.push({ bundle, events: bundle ? (JSON.parse(String(message.value)) as unknown[]).length : 1 });
    },
  });
  await eventually(() => records.reduce((t, r) => t + r.events, 0) >= expectedEvents, 30_000);
  await consumer.disconnect();
  return records;
}

describe('bundle records on Kafka', () => {
  it('delivers a burst once each, in order per key, as far fewer records than events', async () => {
    const log = recordingLogger();
    const transport = await openKafkaTransport({ brokers, prefix, instanceId: 'bundler', log });
    const producer = transport.connect('collector', log);
    const consumer = transport.connect('ingester', log);
    const seen: Envelope[] = [];
    const sub = consumer.subscribe(EVENTS.logEvent.pattern, (e) => void seen.push(e), { fromBeginning: true, concurrency: 50 });
    await sub.ready;
    const N = 3_000;
    const keys = Array.from({ length: 17 }, (_, k) => `198.51.100.${k}`);
    // Issued in one go, as the collector does under load: one flush, bundled per partition.
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        producer.publish(i % 3 === 0 ? EVENTS.logEvent.subject('http') : EVENTS.logEvent.subject('ssh'), { i, key: keys[i % keys.length] }, { key: keys[i % keys.length], id: `b-${i}` }),
      ),
    );
    await eventually(() => seen.length >= N, 30_000);
    await sleep(300);
    expect(seen).toHaveLength(N);
    expect(new Set(seen.map((e) => e.id)).size).toBe(N);
    for (const key of keys) {
      const order = seen.filter((e) => e.payload.key === key).map((e) => e.payload.i as number);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    expect(seen.find((e) => e.id === 'b-3')?.topic).toBe(EVENTS.logEvent.subject('http'));
    expect(consumer.stats()).toMatchObject({ malformed: 0, handlerErrors: 0 });
    const records = await rawRecords(`${prefix}.log`, N);
    expect(records.reduce((t, r) => t + r.events, 0)).toBe(N);
    expect(records.some((r) => r.bundle)).toBe(true);
    expect(records.length).toBeLessThan(N / 10);
    await transport.close();
  });

  it('delivers the good elements of a hostile bundle and counts the rest', async () => {
    const log = recordingLogger();
    const transport = await openKafkaTransport({ brokers, prefix: `${prefix}-h`, instanceId: 'victim', log });
    const bus = transport.connect('profiler', log);
    const seen: Envelope[] = [];
    const sub = bus.subscribe(rootPattern('attacker'), (e) => void seen.push(e));
    await sub.ready;
    const good = (id: string, topic: string = EVENTS.attackerObserved.subject) => ({ v: 1, id, topic, type: 'observed', ts: 1, payload: {} });
    const raw = new Kafka({ clientId: 'hostile', brokers, logLevel: logLevel.NOTHING }).producer();
    await raw.connect();
    const bundle = { [BUNDLE_HEADER]: '1' };
    await raw.send({
      topic: `${prefix}-h.attacker`,
      acks: -1,
      messages: [
        { value: JSON.stringify([good('g1'), { v: 2 }, good('x', 'attacker..bad'), good('other', EVENTS.identityFormed.subject), good('g2')]), headers: bundle },
        { value: '[not json', headers: bundle },
        { value: JSON.stringify({ not: 'an array' }), headers: bundle },
        { value: null, headers: bundle },
      ],
    });
    await raw.disconnect();
    await eventually(() => seen.length >= 2 && bus.stats().malformed >= 5, 20_000);
    await sleep(300);
    // identity.formed does not match attacker.> and is not malformed: it is simply not delivered.
    expect(seen.map((e) => e.id)).toEqual(['g1', 'g2']);
    expect(bus.stats()).toMatchObject({ malformed: 5, delivered: 2 });
    await transport.close();
  });
});
