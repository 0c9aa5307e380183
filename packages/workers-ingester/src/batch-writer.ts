// One batch, one transaction: the log rows (ON CONFLICT on event_id does nothing, so a
// redelivered event inserts nothing), then — for the rows actually inserted, and only for them —
// the credential upserts, bounties and attachment sightings, then the progress row in `state`.
// A crash anywhere rolls back everything, so a redelivery can never double-count an attempt.
import type { BlockList } from 'node:net';
import { isConnectionError } from '@decnet/db';
import type pg from 'pg';
import { extractBounties, type BountyRow } from './bounty.js';
import { extractCredential, foldCredentials, type CredentialAttempt } from './credentials.js';
import { attachmentsOf } from './email.js';
import type { IngestEvent } from './payload.js';

type Pool = pg.Pool;
type PoolClient = pg.PoolClient;

/** The `state` key the ingester's progress lives under (upstream's key). */
export const PROGRESS_STATE_KEY = 'ingest_worker_position';

/** What one committed batch did. */
export interface BatchOutcome {
  /** Events whose log row was inserted by this batch, in batch order. */
  readonly inserted: readonly IngestEvent[];
  /** Events already stored (redeliveries). */
  readonly duplicates: number;
  /** Credential attempts counted (one per inserted event that carries one). */
  readonly credentials: readonly CredentialAttempt[];
  /** Events whose `secret_b64` was not valid base64 (log row kept, no credential). */
  readonly credentialsRejected: number;
  readonly bountiesInserted: number;
  /** Attacker uuids of the addresses of inserted `message_stored` events, where the profiler created one. */
  readonly attackerUuids: ReadonlyMap<string, string>;
  /** Highest `logs.id` inserted, if any. */
  readonly lastLogId: string | null;
}

/** Options of {@link writeBatch}. */
export interface StoreOptions {
  readonly trustedProxies: BlockList;
}

// The batch travels as one JSON array: JSON.stringify is native, where pg's text[] literal
// escaping runs in JavaScript per element and was the ingester's largest cost. json (not jsonb)
// because Postgres reads it once. Text is already free of NUL and lone surrogates (payload.ts),
// which a JSON \\u escape could otherwise smuggle past.
const INSERT_LOGS = `
  INSERT INTO logs (timestamp, decky, service, event_type, attacker_ip, raw_line, fields, msg, event_id, source_worker)
  SELECT t.at, t.decky, t.service, t.event_type, t.attacker_ip, t.raw_line, t.fields, t.msg, t.event_id, t.source_worker
  FROM json_to_recordset($1::json) AS t(at timestamptz, decky text, service text, event_type text, attacker_ip text,
                                        raw_line text, fields jsonb, msg text, event_id text, source_worker text)
  ON CONFLICT (event_id) DO NOTHING
  RETURNING id::text, event_id`;

const UPSERT_CREDENTIALS = `
  INSERT INTO credentials (attacker_ip, decky_name, service, principal, principal_key, secret_kind, secret_sha256,
                           secret_b64, secret_printable, outcome, fields, first_seen, last_seen, attempt_count)
  SELECT t.attacker_ip, t.decky_name, t.service, t.principal, t.principal_key, t.secret_kind, t.secret_sha256,
         t.secret_b64, t.secret_printable, t.outcome, t.fields, t.first_seen, t.last_seen, t.attempt_count
  FROM json_to_recordset($1::json) AS t(attacker_ip text, decky_name text, service text, principal text, principal_key text,
                                        secret_kind text, secret_sha256 text, secret_b64 text, secret_printable text,
                                        outcome text, fields jsonb, first_seen timestamptz, last_seen timestamptz, attempt_count int)
  ON CONFLICT ON CONSTRAINT uq_credentials_dedup DO UPDATE SET
    attempt_count = credentials.attempt_count + EXCLUDED.attempt_count,
    first_seen = LEAST(credentials.first_seen, EXCLUDED.first_seen),
    last_seen = GREATEST(credentials.last_seen, EXCLUDED.last_seen),
    outcome = COALESCE(EXCLUDED.outcome, credentials.outcome),
    secret_b64 = COALESCE(credentials.secret_b64, EXCLUDED.secret_b64),
    secret_printable = COALESCE(credentials.secret_printable, EXCLUDED.secret_printable)`;

// Upstream's rule: a bounty equal in (type, address, payload) to a stored one is not stored again.
const INSERT_BOUNTIES = `
  INSERT INTO bounty (timestamp, decky, service, attacker_ip, bounty_type, payload)
  SELECT t.ts, t.decky, t.service, t.ip, t.kind, t.payload
  FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[]) AS t(ts, decky, service, ip, kind, payload)
  WHERE NOT EXISTS (SELECT 1 FROM bounty b WHERE b.attacker_ip = t.ip AND b.bounty_type = t.kind AND b.payload = t.payload)`;

const UPSERT_ATTACHMENTS = `
  INSERT INTO observed_attachments (sha256, first_seen, last_seen, observation_count, extensions, first_subject)
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::int[], $5::jsonb[], $6::text[])
  ON CONFLICT (sha256) DO UPDATE SET
    first_seen = LEAST(observed_attachments.first_seen, EXCLUDED.first_seen),
    last_seen = GREATEST(observed_attachments.last_seen, EXCLUDED.last_seen),
    observation_count = observed_attachments.observation_count + EXCLUDED.observation_count`;

const ATTACKER_UUIDS = `
  SELECT DISTINCT ON (ip) ip, uuid::text FROM attackers WHERE ip = ANY($1::text[]) ORDER BY ip, last_seen DESC`;

const UPSERT_PROGRESS = `
  INSERT INTO state (key, value)
  VALUES ($1, jsonb_build_object('events', $2::bigint, 'batches', 1, 'last_log_id', $3::bigint, 'updated_at', $4::text))
  ON CONFLICT (key) DO UPDATE SET value = jsonb_build_object(
    'events', COALESCE((state.value->>'events')::bigint, 0) + $2::bigint,
    'batches', COALESCE((state.value->>'batches')::bigint, 0) + 1,
    'last_log_id', GREATEST(COALESCE((state.value->>'last_log_id')::bigint, 0), COALESCE($3::bigint, 0)),
    'updated_at', $4::text)`;

async function insertLogs(client: PoolClient, events: readonly IngestEvent[]): Promise<Map<string, string>> {
  const rows = events.map((e) => ({
    at: e.at,
    decky: e.decky,
    service: e.service,
    event_type: e.eventType,
    attacker_ip: e.attackerIp,
    raw_line: e.rawLine,
    fields: e.fields,
    msg: e.msg,
    event_id: e.eventId,
    source_worker: e.sourceWorker,
  }));
  const result = await client.query<{ id: string; event_id: string }>(INSERT_LOGS, [JSON.stringify(rows)]);
  return new Map(result.rows.map((r) => [r.event_id, r.id]));
}

async function upsertCredentials(client: PoolClient, attempts: readonly CredentialAttempt[]): Promise<void> {
  const rows = foldCredentials(attempts);
  if (rows.length === 0) return;
  const records = rows.map((r) => ({
    attacker_ip: r.attackerIp,
    decky_name: r.deckyName,
    service: r.service,
    principal: r.principal,
    principal_key: r.principalKey,
    secret_kind: r.secretKind,
    secret_sha256: r.secretSha256,
    secret_b64: r.secretB64,
    secret_printable: r.secretPrintable,
    outcome: r.outcome,
    fields: r.fields,
    first_seen: r.firstSeen,
    last_seen: r.lastSeen,
    attempt_count: r.attempts,
  }));
  await client.query(UPSERT_CREDENTIALS, [JSON.stringify(records)]);
}

async function insertBounties(client: PoolClient, events: readonly IngestEvent[], options: StoreOptions): Promise<number> {
  const seen = new Set<string>();
  const rows: { event: IngestEvent; bounty: BountyRow; json: string }[] = [];
  for (const event of events) {
    for (const bounty of extractBounties(event, { trustedProxies: options.trustedProxies })) {
      const json = JSON.stringify(bounty.payload);
      const key = `${bounty.bountyType}\0${event.attackerIp}\0${json}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({ event, bounty, json });
    }
  }
  if (rows.length === 0) return 0;
  const result = await client.query(INSERT_BOUNTIES, [
    rows.map((r) => r.event.at),
    rows.map((r) => r.event.decky),
    rows.map((r) => r.event.service),
    rows.map((r) => r.event.attackerIp),
    rows.map((r) => r.bounty.bountyType),
    rows.map((r) => r.json),
  ]);
  return result.rowCount ?? 0;
}

async function upsertAttachments(client: PoolClient, mails: readonly IngestEvent[]): Promise<void> {
  const byHash = new Map<string, { first: Date; last: Date; count: number; extensions: Set<string>; subject: string | null }>();
  for (const mail of mails) {
    for (const a of attachmentsOf(mail)) {
      const prev = byHash.get(a.sha256);
      if (prev) {
        prev.count++;
        if (mail.at < prev.first) prev.first = mail.at;
        if (mail.at > prev.last) prev.last = mail.at;
        if (a.extension) prev.extensions.add(a.extension);
      } else {
        byHash.set(a.sha256, {
          first: mail.at,
          last: mail.at,
          count: 1,
          extensions: new Set(a.extension ? [a.extension] : []),
          subject: mail.fields.subject ?? null,
        });
      }
    }
  }
  if (byHash.size === 0) return;
  const rows = [...byHash.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  await client.query(UPSERT_ATTACHMENTS, [
    rows.map(([h]) => h),
    rows.map(([, r]) => r.first),
    rows.map(([, r]) => r.last),
    rows.map(([, r]) => r.count),
    rows.map(([, r]) => JSON.stringify([...r.extensions].sort())),
    rows.map(([, r]) => r.subject),
  ]);
}

/**
 * Orders the log-row inserts of batches written concurrently: each batch takes a turn when it
 * is formed, and its INSERT starts only after every earlier turn's INSERT finished. The sequence
 * hands out `logs.id` during the INSERT, so ids follow arrival across batches too, while the rest
 * of each transaction (credentials, bounties, commit) still overlaps.
 */
export class InsertTurns {
  private last: Promise<void> = Promise.resolve();

  /** The next turn: `ready` resolves when every earlier turn is done; `done` is idempotent. */
  take(): InsertTurn {
    const ready = this.last;
    let release!: () => void;
    this.last = new Promise<void>((r) => (release = r));
    return { ready, done: release };
  }
}

/** One batch's place in {@link InsertTurns}. */
export interface InsertTurn {
  readonly ready: Promise<void>;
  readonly done: () => void;
}

/**
 * Writes `events` in one transaction and returns what was new. Events must have distinct ids.
 * Rows are written in arrival order, so `logs.id` follows what an attacker did (the profiler
 * reads commands in id order; the fake shell stamps a burst within one millisecond); with `turn`,
 * after the inserts of batches formed earlier. Two batches holding the same redelivered ids in
 * another order can deadlock; Postgres aborts one and the worker retries it.
 * @throws the driver's error; the transaction is rolled back and nothing of the batch is stored.
 */
export async function writeBatch(pool: Pool, events: readonly IngestEvent[], options: StoreOptions, turn?: InsertTurn): Promise<BatchOutcome> {
  let client: PoolClient;
  try {
    await turn?.ready;
    client = await pool.connect();
  } catch (err) {
    turn?.done();
    throw err;
  }
  let failure: unknown;
  try {
    let ids: Map<string, string>;
    try {
      await client.query('BEGIN');
      ids = await insertLogs(client, events);
    } finally {
      turn?.done();
    }
    const inserted = events.filter((e) => ids.has(e.eventId));
    const credentials: CredentialAttempt[] = [];
    let credentialsRejected = 0;
    for (const event of inserted) {
      const c = extractCredential(event);
      if (c === 'bad_base64') credentialsRejected++;
      else if (c) credentials.push(c);
    }
    await upsertCredentials(client, credentials);
    const bountiesInserted = await insertBounties(client, inserted, options);
    const mails = inserted.filter((e) => e.eventType === 'message_stored');
    await upsertAttachments(client, mails);
    const attackerUuids = new Map<string, string>();
    if (mails.length > 0) {
      const found = await client.query<{ ip: string; uuid: string }>(ATTACKER_UUIDS, [[...new Set(mails.map((m) => m.attackerIp))]]);
      for (const row of found.rows) attackerUuids.set(row.ip, row.uuid);
    }
    let lastLogId: string | null = null;
    for (const id of ids.values()) if (lastLogId === null || BigInt(id) > BigInt(lastLogId)) lastLogId = id;
    await client.query(UPSERT_PROGRESS, [PROGRESS_STATE_KEY, inserted.length, lastLogId, new Date().toISOString()]);
    await client.query('COMMIT');
    return {
      inserted,
      duplicates: events.length - inserted.length,
      credentials,
      credentialsRejected,
      bountiesInserted,
      attackerUuids,
      lastLogId,
    };
  } catch (err) {
    failure = err;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    // A connection that failed for a reason other than the SQL itself may be broken: discard it.
    const broken = failure !== undefined && isConnectionError(failure);
    client.release(broken ? (failure as Error) : undefined);
  }
}

/** SQLSTATEs that mean "this data can never be stored" (retrying cannot help; isolate the event). */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  return code.startsWith('22') || ['23502', '23503', '23514', '54000'].includes(code);
}
