// Lanes are independent and bounded: a hanging receiver delays only its own lane, its queue
// drops the oldest events (counted) instead of growing, and removing a subscription aborts its
// request in flight.
import { EVENTS, rootPattern, silentLogger } from '@decnet/core';
import { eventually } from '@decnet/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryResult, DeliverySettings } from './delivery.js';
import { Dispatcher, type ResultRecorder } from './dispatcher.js';
import type { DeliveryEvent } from './handlers/formats.js';
import { parseCidrList, type Cidr } from './handlers/ip-guard.js';
import type { SubscriptionRow } from './subscriptions.js';
import { startReceiver, type Receiver } from './test-kit.fixture.js';

const settings: DeliverySettings = {
  timeoutMs: 30_000,
  retryScheduleMs: [],
  allow: parseCidrList('127.0.0.1/32') as Cidr[],
  lookup: async () => [],
};

const sub = (uuid: string, url: string, patterns = [rootPattern('attacker')]): SubscriptionRow => ({
  uuid,
  name: uuid,
  url,
  secret: 'x'.repeat(16),
  topicPatterns: patterns,
  format: 'json',
  enabled: true,
  consecutiveFailures: 0,
  lastSuccessAt: null,
  lastFailureAt: null,
  lastError: null,
  autoDisabledAt: null,
  createdAt: new Date(),
  updatedAt: new Date(),
});

const ev = (n: number, topic: string = EVENTS.attackerObserved.subject): DeliveryEvent => ({ id: `e${n}`, topic, type: 'observed', ts: 0, payload: { n } });

const closers: (() => Promise<void>)[] = [];
let abort = new AbortController();
afterEach(async () => {
  abort.abort();
  abort = new AbortController();
  for (const c of closers.splice(0)) await c();
});

async function receiver(script?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(script);
  closers.push(() => r.close());
  return r;
}

function dispatcher(queueSize: number, results: { sub: string; result: DeliveryResult }[] = []): Dispatcher {
  const record: ResultRecorder = async (s, _e, result) => {
    results.push({ sub: s.uuid, result });
    return 'continue';
  };
  const d = new Dispatcher(queueSize, settings, record, silentLogger, abort.signal);
  closers.push(() => d.stop());
  return d;
}

describe('a hanging receiver never delays another subscription', () => {
  it('delivers every event to the healthy lane while the other lane is stuck on its first request', async () => {
    const stuck = await receiver(() => 'hang');
    const healthy = await receiver();
    const d = dispatcher(100);
    d.apply([sub('stuck', stuck.url), sub('healthy', healthy.url)]);
    for (let i = 1; i <= 5; i++) d.route(ev(i));
    await eventually(() => healthy.requests.length === 5, 15_000, 10);
    expect(stuck.requests).toHaveLength(1);
    const lanes = Object.fromEntries(d.stats().lanes.map((l) => [l.name, l]));
    expect(lanes.stuck).toMatchObject({ inFlight: true, queued: 4, delivered: 0 });
    expect(lanes.healthy).toMatchObject({ delivered: 5, queued: 0 });
  });
});

describe('a slow receiver holds a bounded queue that drops the oldest events', () => {
  it('keeps the newest events, counts the dropped ones, and delivers the rest once the receiver recovers', async () => {
    const slow = await receiver((n) => (n === 0 ? 'hang' : { status: 200 }));
    const d = dispatcher(3);
    d.apply([sub('slow', slow.url)]);
    for (let i = 1; i <= 10; i++) d.route(ev(i));
    await eventually(() => slow.requests.length === 1, 15_000, 10);
    expect(d.stats().totals).toMatchObject({ queued: 3, dropped: 6 });
    slow.release();
    await eventually(() => slow.requests.length === 4 && d.stats().totals.delivered === 4, 15_000, 10);
    expect(slow.requests.map((r) => (JSON.parse(r.body) as { payload: { n: number } }).payload.n)).toEqual([1, 8, 9, 10]);
    expect(d.stats().totals).toMatchObject({ queued: 0, dropped: 6, delivered: 4 });
  });
});

describe('lanes follow the subscription list', () => {
  it('routes only matching topics, once per subscription even with overlapping patterns', async () => {
    const r = await receiver();
    const d = dispatcher(10);
    d.apply([sub('a', r.url, [rootPattern('attacker'), EVENTS.attackerObserved.subject, '*.observed'])]);
    expect(d.route(ev(1))).toBe(1);
    expect(d.route(ev(2, EVENTS.credentialCaptured.subject))).toBe(0);
    await eventually(() => r.requests.length === 1, 15_000, 10);
    await new Promise((res) => setTimeout(res, 100));
    expect(r.requests).toHaveLength(1);
  });

  it('aborts the request in flight and drops the queue when a subscription disappears', async () => {
    const stuck = await receiver(() => 'hang');
    const results: { sub: string; result: DeliveryResult }[] = [];
    const d = dispatcher(10, results);
    d.apply([sub('gone', stuck.url)]);
    d.route(ev(1));
    d.route(ev(2));
    await eventually(() => stuck.requests.length === 1, 15_000, 10);
    d.apply([]);
    expect(d.stats()).toMatchObject({ lanes: [], totals: { dropped: 1 } });
    await new Promise((res) => setTimeout(res, 100));
    // An aborted delivery is not the receiver's failure: nothing is recorded.
    expect(results).toHaveLength(0);
  });
});
