// KafkaBus against the shared test broker: group sharing, distinct groups, broadcast control,
// handler failures and closed-handle behaviour, as MemoryBus defines them.
import { EVENTS, rootPattern, subjectPattern, controlMessage, IllegalStateError, listenForControl, silentLogger, type Envelope } from '@decnet/core';
import { eventually } from '@decnet/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTopics, sleep, testBrokers, uniquePrefix } from './kafka-test-kit.fixture.js';
import { openKafkaTransport, type KafkaTransport } from './transport.js';

const prefix = uniquePrefix('bus');
const brokers = testBrokers();
const open = (instanceId: string): Promise<KafkaTransport> => openKafkaTransport({ brokers, prefix, instanceId, log: silentLogger });

let publisherSide: KafkaTransport;
let instanceA: KafkaTransport;
let instanceB: KafkaTransport;

beforeAll(async () => {
  publisherSide = await open('publisher');
  [instanceA, instanceB] = await Promise.all([open('instance-a'), open('instance-b')]);
});

afterAll(async () => {
  await Promise.all([publisherSide?.close(), instanceA?.close(), instanceB?.close()]);
  await deleteTopics(brokers, prefix);
});

describe('instances of one worker share a group and split its events', () => {
  it('hands each event to exactly one of two instances, and both get some', async () => {
    const seenA: string[] = [];
    const seenB: string[] = [];
    const subA = instanceA.connect('profiler').subscribe(rootPattern('attacker'), (e) => void seenA.push(e.id));
    await subA.ready;
    const subB = instanceB.connect('profiler').subscribe(rootPattern('attacker'), (e) => void seenB.push(e.id));
    await subB.ready;
    expect(subA.group).toBe(subB.group);

    const bus = publisherSide.connect('collector');
    const ids = Array.from({ length: 200 }, (_, i) => `evt-${i}`);
    await Promise.all(ids.map((id, i) => bus.publish(EVENTS.attackerSessionEnded.subject, { n: i }, { id, key: `198.51.100.${i % 50}` })));
    await eventually(() => seenA.length + seenB.length >= ids.length, 20_000);
    await sleep(1_000); // anything duplicated would arrive by now

    expect([...seenA, ...seenB].sort()).toEqual([...ids].sort());
    expect(seenA.length).toBeGreaterThan(0);
    expect(seenB.length).toBeGreaterThan(0);
    await Promise.all([subA.unsubscribe(), subB.unsubscribe()]);
  });

  it('gives every distinct group its own copy of each event', async () => {
    const got = { webhook: [] as string[], ttp: [] as string[] };
    const subs = [
      instanceA.connect('webhook').subscribe(subjectPattern('attacker', '*'), (e) => void got.webhook.push(e.id)),
      instanceB.connect('ttp').subscribe(EVENTS.attackerObserved.subject, (e) => void got.ttp.push(e.id)),
    ];
    await Promise.all(subs.map((s) => s.ready));
    const bus = publisherSide.connect('profiler');
    await bus.publish(EVENTS.attackerObserved.subject, { attacker_ip: '198.51.100.7' }, { id: 'obs-1' });
    await bus.publish(EVENTS.attackerScored.subject, { attacker_ip: '198.51.100.7' }, { id: 'score-1' });
    await eventually(() => got.webhook.length === 2 && got.ttp.length === 1, 15_000);
    expect(got.webhook.sort()).toEqual(['obs-1', 'score-1']);
    expect(got.ttp).toEqual(['obs-1']);
    await Promise.all(subs.map((s) => s.unsubscribe()));
  });

  it('starts a new group at the oldest retained event when asked to', async () => {
    const bus = publisherSide.connect('ingester');
    await bus.publish(EVENTS.credentialCaptured.subject, { secret_kind: 'password' }, { id: 'before-1' });
    const seen: string[] = [];
    const sub = instanceA.connect('reuse-correlator').subscribe(rootPattern('credential'), (e) => void seen.push(e.id), { fromBeginning: true });
    await sub.ready;
    await eventually(() => seen.includes('before-1'), 15_000);
    await sub.unsubscribe();
  });
});

describe('control messages reach every instance', () => {
  it('delivers one stop command to both instances of the worker', async () => {
    const actions: string[] = [];
    const notBefore = Date.now() / 1000 - 1;
    const subs = [instanceA, instanceB].map((t, i) =>
      listenForControl(t.connect('webhook'), 'webhook', `instance-${i}`, notBefore, silentLogger, (action) => {
        actions.push(`${i}:${action}`);
      }),
    );
    await Promise.all(subs.map((s) => s.ready));
    expect(subs[0]?.group).not.toBe(subs[1]?.group);
    await publisherSide.connect('api').publish(EVENTS.control.subject('webhook'), controlMessage('stop', 'test'), { key: 'webhook' });
    await eventually(() => actions.length >= 2, 15_000);
    await sleep(500);
    expect(actions.sort()).toEqual(['0:stop', '1:stop']);
    await Promise.all(subs.map((s) => s.unsubscribe()));
  });
});

describe('a handler failure is counted and never stops delivery', () => {
  it('counts the throw, logs it, and delivers the next event', async () => {
    const bus = instanceA.connect('enrich');
    const seen: Envelope[] = [];
    const sub = bus.subscribe(subjectPattern('attacker', 'intel', '>'), (e) => {
      seen.push(e);
      if (e.payload['fail'] === true) throw new Error('boom');
    });
    await sub.ready;
    const pub = publisherSide.connect('enrich-source');
    await pub.publish(EVENTS.attackerIntelEnriched.subject, { fail: true }, { key: 'k' });
    await pub.publish(EVENTS.attackerIntelEnriched.subject, { fail: false }, { key: 'k' });
    await eventually(() => bus.stats().delivered === 1 && bus.stats().handlerErrors === 1, 15_000);
    expect(seen.map((e) => e.payload['fail'])).toEqual([true, false]);
    expect(seen[1]?.origin).toBe('enrich-source');
    expect(seen[1]?.topic).toBe(EVENTS.attackerIntelEnriched.subject);
    expect(seen[1]?.type).toBe('enriched');
    await sub.unsubscribe();
  });
});

describe('a closed handle behaves like a closed MemoryBus', () => {
  it('drops publishes after close, counts them, and refuses new subscriptions', async () => {
    const bus = publisherSide.connect('short-lived');
    await bus.publish(EVENTS.emailReceived.subject, { body_sha256: 'x' });
    await bus.close();
    await bus.close();
    await bus.publish(EVENTS.emailReceived.subject, { body_sha256: 'y' });
    expect(bus.stats()).toMatchObject({ published: 1, dropped: 1 });
    expect(() => bus.subscribe(rootPattern('email'), () => undefined)).toThrow(IllegalStateError);
  });
});
