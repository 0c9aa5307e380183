// The profiler hosted on the in-memory bus against real Postgres: woken by the ingester's
// batch_committed, it publishes attacker.observed only once the row can be read, attacker.scored
// on change, and a restart in the middle of a backlog loses and double-counts nothing.
import { EVENTS, MemoryBroker, createLogger, silentLogger, type Envelope } from '@decnet/core';
import { WorkerRunner } from '@decnet/host';
import { captureEvents, eventually, testConfig } from '@decnet/core/testing';
import { attackerUuidsByAddress, attackers, getState, type Database } from '@decnet/db';
import { migratedScratchDatabase, tableRows } from '@decnet/db/testing';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProfilerWorker } from './index.js';
import type { ProfilerOptions } from './options.js';
import type { BatchResult } from './profile-batch.js';
import { insertLogs, resetTables, type SyntheticLog } from './test-kit.fixture.js';

let scratch: ScratchDatabase;
let database: Database;
let broker: MemoryBroker;

beforeAll(async () => {
  ({ scratch, database } = await migratedScratchDatabase());
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});
beforeEach(async () => {
  broker = new MemoryBroker();
  await resetTables(database);
});

const T0 = Date.parse('2026-05-02T06:00:00Z');

async function host(overrides: Partial<ProfilerOptions> = {}, onBatch?: (r: BatchResult) => void | Promise<void>): Promise<WorkerRunner> {
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  const runner = new WorkerRunner({
    spec: createProfilerWorker({ pollMs: 60_000, ...overrides }, { onReady: ready, ...(onBatch ? { onBatch } : {}) }),
    bus: broker.connect('profiler'),
    config: testConfig({ DATABASE_URL: scratch.url }),
    log: process.env.DEBUG_TEST ? createLogger({ level: 'debug', name: 'test' }) : silentLogger,
    heartbeat: false,
    control: false,
  });
  runner.start();
  await started;
  return runner;
}

const nudge = (): Promise<void> =>
  broker.connect('ingester').publish(EVENTS.systemLog.subject, { component: 'ingester', flushed: 1, position: null }, { type: 'batch_committed' });

async function eventCount(ip: string): Promise<number | undefined> {
  return (await tableRows(database, attackers, { match: { ip } }))[0]?.event_count;
}

describe('the profiler wakes on the ingester and announces attackers only once they exist', () => {
  it('folds new rows when batch_committed arrives, long before its fallback poll', async () => {
    const runner = await host();
    try {
      await new Promise((r) => setTimeout(r, 200));
      await insertLogs(database.pool, [{ at: T0, ip: '198.51.100.1' }]);
      await nudge();
      await eventually(async () => (await eventCount('198.51.100.1')) === 1, 15_000, 50);
    } finally {
      await runner.stop();
    }
  });

  it('publishes attacker.observed after the attacker row committed, once per address, then attacker.scored', async () => {
    const bus = broker.connect('observer');
    const seenRowAtPublish: (string | undefined)[] = [];
    // A separate connection reads the row the moment the notice arrives: it must already be there.
    bus.subscribe(EVENTS.attackerObserved.subject, async (e: Envelope) => {
      const uuids = await attackerUuidsByAddress(database.pool, [String(e.payload.attacker_ip)]);
      seenRowAtPublish.push(uuids.get(String(e.payload.attacker_ip)) === e.payload.attacker_uuid ? 'present' : 'missing');
    });
    const scored = captureEvents(bus, EVENTS.attackerScored.subject);
    await insertLogs(database.pool, [
      { at: T0 + 5_000, ip: '198.51.100.2', decky: 'decky-02', service: 'http', eventType: 'request' },
      { at: T0, ip: '198.51.100.2', decky: 'decky-01', service: 'ssh', eventType: 'connection' },
      { at: T0, ip: '198.51.100.3' },
    ]);
    const runner = await host();
    try {
      await eventually(() => seenRowAtPublish.length === 2 && scored.events.length === 2, 15_000, 20);
      expect(seenRowAtPublish).toEqual(['present', 'present']);
      const first = scored.events.find((e) => e.payload.attacker_ip === '198.51.100.2');
      expect(first?.payload).toMatchObject({ event_count: 2, service_count: 2, decky_count: 2, is_traversal: true, bounty_count: 0, credential_count: 0 });

      // A new event for a known attacker: scored again, never observed again.
      await insertLogs(database.pool, [{ at: T0 + 9_000, ip: '198.51.100.3', decky: 'decky-05' }]);
      await nudge();
      await eventually(() => scored.events.length === 3, 15_000, 20);
      await new Promise((r) => setTimeout(r, 200));
      expect(seenRowAtPublish).toHaveLength(2);
      expect(scored.events[2]?.payload).toMatchObject({ attacker_ip: '198.51.100.3', event_count: 2, is_traversal: true });

      // Nothing new: nothing published.
      await nudge();
      await new Promise((r) => setTimeout(r, 300));
      expect(scored.events).toHaveLength(3);
    } finally {
      await runner.stop();
    }
  });
});

describe('a restart in the middle of a backlog loses and double-counts nothing', () => {
  it('ends with the counts of the whole history after being stopped and restarted mid-stream', async () => {
    const ips = Array.from({ length: 25 }, (_, i) => `203.0.113.${i + 1}`);
    const rows: SyntheticLog[] = Array.from({ length: 2_000 }, (_, i) => ({
      at: T0 + i * 250 + (i % 7) * 40,
      ip: ips[i % ips.length] as string,
      decky: `decky-0${i % 5}`,
      service: ['ssh', 'http', 'ftp'][i % 3] as string,
      eventType: i % 11 === 0 ? 'command' : 'auth_attempt',
      fields: i % 11 === 0 ? { command: `echo ${i}` } : ({} as Record<string, string>),
    }));
    await insertLogs(database.pool, rows.slice(0, 1_500));
    const observed = captureEvents(broker.connect('observer'), EVENTS.attackerObserved.subject);

    let batches = 0;
    let stopRequested: Promise<void> | undefined;
    const first: WorkerRunner = await host({ batchSize: 40 }, () => {
      // Stop from inside the stream, while rows are still waiting.
      if (++batches === 10) stopRequested = first.stop();
    });
    await eventually(() => stopRequested !== undefined, 30_000, 10);
    await stopRequested;
    const cursor = (await getState(database.db, 'attacker_worker_cursor')) as { last_log_id: number } | undefined;
    const stoppedAt = cursor?.last_log_id ?? 0;
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThan(1_500);

    // More rows arrive while the profiler is down.
    await insertLogs(database.pool, rows.slice(1_500));
    const second = await host({ batchSize: 250 });
    try {
      await eventually(async () => {
        const stored = await tableRows(database, attackers);
        return stored.reduce((n, a) => n + a.event_count, 0) === rows.length;
      }, 60_000, 50);
    } finally {
      await second.stop();
    }
    const stored = await tableRows(database, attackers, { orderBy: [attackers.ip] });
    expect(stored).toHaveLength(ips.length);
    for (const row of stored) {
      const own = rows.filter((x) => x.ip === row.ip);
      expect(row.event_count).toBe(own.length);
      expect(row.first_seen.getTime()).toBe(Math.min(...own.map((x) => Number(x.at))));
      expect(row.last_seen.getTime()).toBe(Math.max(...own.map((x) => Number(x.at))));
      expect(row.commands).toHaveLength(own.filter((x) => x.eventType === 'command').length);
    }
    // First sight is announced once per address, not again after the restart.
    expect(new Set(observed.events.map((e) => e.payload.attacker_ip)).size).toBe(ips.length);
    expect(observed.events).toHaveLength(ips.length);
  });
});
