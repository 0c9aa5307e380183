// Validating subscriptions: a payload that fits reaches the handler (as parsed); one that does not
// is counted per client, logged 1st and every 100th, never handled and never fatal; heartbeats
// carry the counts.
import { describe, expect, it } from 'vitest';
import { InvalidSubjectError } from '../errors.js';
import { sampleHealth } from '../health.js';
import { MemoryBroker } from '../memory-bus.js';
import { eventually, recordingLogger } from '../testing.js';
import { EVENTS, rootPattern, subjectPattern } from './catalogue.js';
import { UNKNOWN_SUBJECT, malformedEventCounts, on, subscribeEvent, subscribeEvents } from './subscribe.js';

const healthSource = (worker: string) => ({
  worker,
  instance: 'i1',
  state: () => 'running' as const,
  lastProgressTs: () => null,
  eventsHandled: () => 0,
  restarts: () => 0,
  detail: () => ({ queued: 0 }),
});

describe('subscribeEvent hands over only payloads that fit the catalogue', () => {
  it('delivers the parsed payload and drops a malformed one with a count and a warning, then keeps going', async () => {
    const broker = new MemoryBroker();
    const log = recordingLogger();
    const seen: unknown[] = [];
    const sub = subscribeEvent(broker.connect('wake-a'), EVENTS.systemLog, (e) => void seen.push(e.payload), { log });
    await sub.ready;
    const pub = broker.connect('ingester');
    await pub.publish(EVENTS.systemLog.subject, { component: 'ingester', flushed: 2, position: 7, extra: 'dropped' });
    await pub.publish(EVENTS.systemLog.subject, { flushed: 'lots' });
    await pub.publish(EVENTS.systemLog.subject, { component: 'ingester', flushed: 1, position: null });
    await eventually(() => seen.length === 2);
    expect(seen).toEqual([
      { component: 'ingester', flushed: 2, position: 7 },
      { component: 'ingester', flushed: 1, position: null },
    ]);
    expect(malformedEventCounts('wake-a')).toEqual({ 'system.log': 1 });
    const warnings = log.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ message: 'malformed event dropped', meta: { subject: 'system.log', event: 'system.log', version: 1, occurrences: 1 } });
    expect(String(warnings[0]?.meta.reason)).not.toBe('');
  });

  it('logs the 1st drop and every 100th, and counts every one', async () => {
    const broker = new MemoryBroker();
    const log = recordingLogger();
    const sub = subscribeEvent(broker.connect('wake-b'), EVENTS.systemLog, () => undefined, { log });
    await sub.ready;
    const pub = broker.connect('ingester');
    for (let i = 0; i < 200; i++) await pub.publish(EVENTS.systemLog.subject, { bad: i });
    await eventually(() => (malformedEventCounts('wake-b')?.['system.log'] ?? 0) === 200);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.meta.occurrences)).toEqual([1, 100, 200]);
  });

  it('lets the consumer count and log drops itself (still counted per client)', async () => {
    const broker = new MemoryBroker();
    const log = recordingLogger();
    const reasons: string[] = [];
    const sub = subscribeEvent(broker.connect('wake-c'), EVENTS.webhookSubscriptionsChanged, () => undefined, {
      log,
      onMalformed: (_event, reason) => void reasons.push(reason),
    });
    await sub.ready;
    await broker.connect('cli').publish(EVENTS.webhookSubscriptionsChanged.subject, { surprise: true });
    await eventually(() => reasons.length === 1);
    expect(log.lines).toEqual([]);
    expect(malformedEventCounts('wake-c')).toEqual({ 'system.webhook.subscriptions_changed': 1 });
  });

  it('validates only the fields a hot-path consumer selected', async () => {
    const broker = new MemoryBroker();
    const seen: unknown[] = [];
    const sub = subscribeEvent(broker.connect('wake-d'), EVENTS.logEvent, (e) => void seen.push(e.payload), {
      log: recordingLogger(),
      fields: ['service', 'attacker_ip'],
    });
    await sub.ready;
    await broker.connect('collector').publish(EVENTS.logEvent.subject('ssh'), { service: 'ssh', attacker_ip: '1.2.3.4', severity: 'not checked' });
    await eventually(() => seen.length === 1);
    expect(seen).toEqual([{ service: 'ssh', attacker_ip: '1.2.3.4' }]);
  });

  it('subscribes to a narrower pattern of the family, never to one outside it', () => {
    const bus = new MemoryBroker().connect('x');
    const log = recordingLogger();
    expect(subscribeEvent(bus, EVENTS.control, () => undefined, { log, pattern: EVENTS.control.subject('ttp') }).pattern).toBe(
      'system.ttp.control',
    );
    expect(() => subscribeEvent(bus, EVENTS.control, () => undefined, { log, pattern: EVENTS.health.subject('ttp') })).toThrow(
      InvalidSubjectError,
    );
    expect(() => subscribeEvent(bus, EVENTS.control, () => undefined, { log, pattern: rootPattern('system') })).toThrow(
      InvalidSubjectError,
    );
  });
});

describe('subscribeEvents routes one subscription over several families', () => {
  it('hands each event to its family\'s handler and drops subjects of none', async () => {
    const broker = new MemoryBroker();
    const log = recordingLogger();
    const pings: unknown[] = [];
    const faults: unknown[] = [];
    const sub = subscribeEvents(
      broker.connect('fixture-a'),
      subjectPattern('fixture', 'a', '>'),
      [on(EVENTS.fixturePing, (e) => void pings.push(e.payload.seq)), on(EVENTS.fixtureFault, (e) => void faults.push(e.payload.mode))],
      { log },
    );
    await sub.ready;
    const pub = broker.connect('test');
    await pub.publish(EVENTS.fixturePing.subject('a'), { seq: 1 });
    await pub.publish(EVENTS.fixtureFault.subject('a'), { mode: 7 });
    await pub.publish(EVENTS.fixturePong.subject('a'), { seq: 1, instance: 'x' });
    await pub.publish(EVENTS.fixtureFault.subject('a'), { mode: 'throw' });
    await eventually(() => faults.length === 1);
    expect(pings).toEqual([1]);
    expect(faults).toEqual(['throw']);
    // The pong has a family, just not one this subscription routes: dropped and counted under it.
    expect(malformedEventCounts('fixture-a')).toEqual({ 'fixture.<worker>.fault': 1, 'fixture.<worker>.pong': 1 });
    expect(log.lines.map((l) => l.meta.event)).toEqual(['fixture.<worker>.fault']);
  });

  it('counts a subject outside the catalogue under one label', async () => {
    const broker = new MemoryBroker();
    const sub = subscribeEvents(broker.connect('fixture-b'), rootPattern('fixture'), [on(EVENTS.fixturePing, () => undefined)], {
      log: recordingLogger(),
    });
    await sub.ready;
    // A subject no catalogue entry describes (the grammar allows it; the catalogue does not).
    await broker.connect('test').publish(subjectPattern('fixture', 'b', 'ping').replace('ping', 'pang'), { seq: 1 });
    await eventually(() => malformedEventCounts('fixture-b') !== undefined);
    expect(malformedEventCounts('fixture-b')).toEqual({ [UNKNOWN_SUBJECT]: 1 });
  });
});

describe('heartbeats report drops', () => {
  it('adds the client\'s drop counts to the health detail, and nothing when there were none', async () => {
    const broker = new MemoryBroker();
    const sub = subscribeEvent(broker.connect('beater'), EVENTS.systemLog, () => undefined, { log: recordingLogger() });
    await sub.ready;
    expect(sampleHealth(healthSource('beater')).detail).toEqual({ queued: 0 });
    await broker.connect('ingester').publish(EVENTS.systemLog.subject, {});
    await eventually(() => malformedEventCounts('beater') !== undefined);
    expect(sampleHealth(healthSource('beater')).detail).toEqual({ queued: 0, malformedEvents: { 'system.log': 1 } });
    expect(EVENTS.health.schema.safeParse(sampleHealth(healthSource('beater'))).success).toBe(true);
  });
});
