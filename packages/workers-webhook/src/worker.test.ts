// The webhook worker hosted on the in-memory bus against real Postgres and real receivers on
// 127.0.0.1 (allowed by configuration): matching events are delivered signed and recorded,
// five failures in a row disable the subscription in the database, and a change signal loads
// new subscriptions.
import { EVENTS, rootPattern, MemoryBroker, createLogger, silentLogger } from '@decnet/core';
import { WorkerRunner } from '@decnet/host';
import { captureEvents, eventually, testConfig } from '@decnet/core/testing';
import { webhook_subscriptions, type Database } from '@decnet/db';
import { migratedScratchDatabase, truncateTables, updateRows } from '@decnet/db/testing';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { normaliseSubscription } from './handlers/subscription.js';
import { parseCidrList, type Cidr } from './handlers/ip-guard.js';
import { verifySignature } from './handlers/signing.js';
import { createWebhookWorker } from './index.js';
import { findSubscription, insertSubscription, setSubscriptionEnabled, type SubscriptionRow } from './subscriptions.js';
import { startReceiver, type Answer, type Receiver } from './test-kit.fixture.js';

let scratch: ScratchDatabase;
let database: Database;
let broker: MemoryBroker;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  ({ scratch, database } = await migratedScratchDatabase());
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});
beforeEach(async () => {
  broker = new MemoryBroker();
  await truncateTables(database, [webhook_subscriptions]);
});
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function receiver(script?: (n: number) => Answer): Promise<Receiver> {
  const r = await startReceiver(script);
  closers.push(() => r.close());
  return r;
}

async function subscribe(name: string, url: string, patterns: string[], secret = 'worker-test-secret-0123', format?: string): Promise<SubscriptionRow> {
  return insertSubscription(database.pool, normaliseSubscription({ name, url, patterns, secret, ...(format !== undefined ? { format } : {}) }));
}

/** Hosts the worker; resolves after its first load of subscriptions is live on the bus. */
async function host(): Promise<{ runner: WorkerRunner; reloads: SubscriptionRow[][] }> {
  const reloads: SubscriptionRow[][] = [];
  let loaded!: () => void;
  const first = new Promise<void>((r) => (loaded = r));
  const runner = new WorkerRunner({
    spec: createWebhookWorker(
      { allowCidrs: parseCidrList('127.0.0.1/32') as Cidr[], retryScheduleMs: [], timeoutMs: 2_000, reloadMs: 60_000 },
      {
        onReload: (subs) => {
          reloads.push([...subs]);
          loaded();
        },
      },
    ),
    bus: broker.connect('webhook'),
    config: testConfig({ DATABASE_URL: scratch.url }),
    log: process.env.DEBUG_TEST ? createLogger({ level: 'debug', name: 'test' }) : silentLogger,
    heartbeat: false,
    control: false,
  });
  runner.start();
  closers.push(() => runner.stop());
  await first;
  return { runner, reloads };
}

describe('matching events are delivered signed and recorded', () => {
  it('delivers only subscribed topics, once per event, and stamps last_success_at', async () => {
    const r = await receiver();
    const sub = await subscribe('siem', r.url, [rootPattern('attacker'), EVENTS.attackerObserved.subject]);
    await host();
    const bus = broker.connect('profiler');
    await bus.publish(EVENTS.attackerObserved.subject, { attacker_ip: '198.51.100.7' });
    await bus.publish(EVENTS.credentialCaptured.subject, { attacker_ip: '198.51.100.7' });
    await bus.publish(EVENTS.attackerScored.subject, { attacker_ip: '198.51.100.7', event_count: 3 });
    await eventually(() => r.requests.length === 2, 15_000, 20);
    await new Promise((res) => setTimeout(res, 150));
    expect(r.requests.map((q) => q.headers['x-decnet-event-topic'])).toEqual([EVENTS.attackerObserved.subject, EVENTS.attackerScored.subject]);
    for (const q of r.requests) {
      expect(
        verifySignature({
          secret: sub.secret,
          body: q.body,
          timestamp: q.headers['x-decnet-timestamp'] as string,
          signature: q.headers['x-decnet-signature'] as string,
          nowS: Date.now() / 1000,
        }),
      ).toBe(true);
    }
    await eventually(async () => (await findSubscription(database.pool, 'siem'))?.lastSuccessAt !== null, 15_000, 20);
  });
});

describe('the circuit breaker disables a failing subscription', () => {
  it('stops after 5 consecutive failures, disables the row in the database and announces the change', async () => {
    const r = await receiver(() => ({ status: 400 }));
    await subscribe('broken', r.url, [rootPattern('attacker')]);
    await host();
    const changes = captureEvents(broker.connect('observer'), EVENTS.webhookSubscriptionsChanged.subject);
    const bus = broker.connect('profiler');
    for (let i = 0; i < 8; i++) await bus.publish(EVENTS.attackerObserved.subject, { n: i });
    await eventually(async () => (await findSubscription(database.pool, 'broken'))?.enabled === false, 15_000, 20);
    const row = await findSubscription(database.pool, 'broken');
    expect(row).toMatchObject({ enabled: false, consecutiveFailures: 5, lastError: 'HTTP 400' });
    expect(row?.autoDisabledAt).toBeInstanceOf(Date);
    await changes.waitFor(1, 15_000);
    await new Promise((res) => setTimeout(res, 200));
    expect(r.requests).toHaveLength(5);

    // An operator re-enables it: the streak is cleared and deliveries resume after the change signal.
    await setSubscriptionEnabled(database.pool, 'broken', true);
    expect(await findSubscription(database.pool, 'broken')).toMatchObject({ enabled: true, consecutiveFailures: 0, autoDisabledAt: null });
  });

  it('resets the streak on success so sporadic failures never trip it', async () => {
    const r = await receiver((n) => ({ status: n % 2 === 0 ? 500 : 200 }));
    await subscribe('flaky', r.url, [rootPattern('attacker')]);
    await host();
    const bus = broker.connect('profiler');
    for (let i = 0; i < 12; i++) await bus.publish(EVENTS.attackerObserved.subject, { n: i });
    await eventually(() => r.requests.length === 12, 15_000, 20);
    await new Promise((res) => setTimeout(res, 200));
    expect(await findSubscription(database.pool, 'flaky')).toMatchObject({ enabled: true });
  });
});

describe('subscriptions are reloaded on the change signal', () => {
  it('starts delivering to a subscription added while running', async () => {
    const { reloads } = await host();
    expect(reloads[0]).toEqual([]);
    const r = await receiver();
    await subscribe('late', r.url, [rootPattern('ttp')]);
    const bus = broker.connect('cli');
    await bus.publish(EVENTS.webhookSubscriptionsChanged.subject, {}, { type: 'changed' });
    await eventually(() => reloads.length >= 2 && reloads.at(-1)?.length === 1, 15_000, 20);
    await bus.publish(EVENTS.ttpTagged.subject, { attacker_uuid: 'u' });
    await eventually(() => r.requests.length === 1, 15_000, 20);
    expect(r.requests[0]?.headers['x-decnet-event-topic']).toBe(EVENTS.ttpTagged.subject);
  });
});

describe('the format column picks the body', () => {
  it('delivers in the stored format, and in a new one after it changes and reloads', async () => {
    const r = await receiver();
    const sub = await subscribe('chat', r.url, [rootPattern('attacker')], undefined, 'slack');
    expect(sub).toMatchObject({ format: 'slack', url: r.url });
    const { reloads } = await host();
    expect(reloads[0]?.map((s) => s.format)).toEqual(['slack']);
    const bus = broker.connect('profiler');
    await bus.publish(EVENTS.attackerObserved.subject, { attacker_ip: '198.51.100.7' });
    await eventually(() => r.requests.length === 1, 15_000, 20);
    expect(JSON.parse(r.requests[0]?.body ?? '{}')).toHaveProperty('text');

    await updateRows(database, webhook_subscriptions, { format: 'discord' }, { name: 'chat' });
    await broker.connect('cli').publish(EVENTS.webhookSubscriptionsChanged.subject, {}, { type: 'changed' });
    await eventually(() => reloads.length >= 2, 15_000, 20);
    await bus.publish(EVENTS.attackerObserved.subject, { attacker_ip: '198.51.100.8' });
    await eventually(() => r.requests.length === 2, 15_000, 20);
    expect(JSON.parse(r.requests[1]?.body ?? '{}')).toMatchObject({ allowed_mentions: { parse: [] } });
  });
});
