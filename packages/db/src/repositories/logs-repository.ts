// Logs and what the ingester derives from them: the bulk write path (log rows, credential
// upserts, bounties, attachment sightings, the progress row), the profiler's reads of stored
// rows, and the operator's search. Hand SQL on purpose: each batch travels as one JSON document
// or a few arrays, which drizzle's builder cannot express and which keeps the hot path fast.
import type { JsonObject, JsonValue } from '../schema/columns.js';
import type { bounty, credentials, logs } from '../schema/logs.js';
import type { Queryable } from '../transaction.js';

type LogInsert = typeof logs.$inferInsert;
type LogSelect = typeof logs.$inferSelect;
type CredentialInsert = typeof credentials.$inferInsert;
type BountyInsert = typeof bounty.$inferInsert;

/** One `logs` row to insert; `event_id` is the idempotency key (a redelivered id inserts nothing). */
export type NewLogRow = Required<
  Pick<LogInsert, 'timestamp' | 'decky' | 'service' | 'event_type' | 'attacker_ip' | 'raw_line' | 'fields' | 'msg' | 'event_id' | 'source_worker'>
>;

/** One `credentials` upsert: rows must be distinct by the dedup key (`uq_credentials_dedup`). */
export type CredentialUpsertRow = Required<
  Pick<
    CredentialInsert,
    | 'attacker_ip'
    | 'decky_name'
    | 'service'
    | 'principal'
    | 'principal_key'
    | 'secret_kind'
    | 'secret_sha256'
    | 'secret_b64'
    | 'secret_printable'
    | 'outcome'
    | 'fields'
    | 'first_seen'
    | 'last_seen'
    | 'attempt_count'
  >
>;

/** One bounty to store unless an equal one (type, address, payload) is stored already. */
export type NewBountyRow = Required<Pick<BountyInsert, 'timestamp' | 'decky' | 'service' | 'attacker_ip' | 'bounty_type'>> & {
  readonly payload: Readonly<Record<string, unknown>>;
};

/** One sighting of a mail attachment, by content hash. */
export interface AttachmentSighting {
  readonly sha256: string;
  readonly at: Date;
  /** Lower-case file extension, when the file name had one. */
  readonly extension: string | null;
  /** Subject of the mail that carried it (kept from the first sighting only). */
  readonly subject: string | null;
}

/** The ingester's running totals, kept in one `state` row. */
export interface IngestProgress {
  /** Log rows this batch inserted. */
  readonly events: number;
  /** Highest `logs.id` this batch inserted (decimal text), if any. */
  readonly lastLogId: string | null;
  readonly at: Date;
}

/** A `logs` row as the profiler reads it; `id` as decimal text (bigint). */
export type StoredLogRow = Pick<LogSelect, 'timestamp' | 'decky' | 'service' | 'event_type' | 'attacker_ip' | 'fields' | 'msg'> & {
  readonly id: string;
};

/** An inclusive range of `logs.id`. */
export interface IdRange {
  readonly lo: number;
  readonly hi: number;
}

// The batch travels as one JSON array: JSON.stringify is native, where pg's text[] literal
// escaping runs in JavaScript per element and was the ingester's largest cost. json (not jsonb)
// because Postgres reads it once. Callers pass text already free of NUL and lone surrogates,
// which a JSON \u escape could otherwise smuggle past.
const INSERT_LOGS = `
  INSERT INTO logs (timestamp, decky, service, event_type, attacker_ip, raw_line, fields, msg, event_id, source_worker)
  SELECT t.timestamp, t.decky, t.service, t.event_type, t.attacker_ip, t.raw_line, t.fields, t.msg, t.event_id, t.source_worker
  FROM json_to_recordset($1::json) AS t("timestamp" timestamptz, decky text, service text, event_type text, attacker_ip text,
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

const UPSERT_PROGRESS = `
  INSERT INTO state (key, value)
  VALUES ($1, jsonb_build_object('events', $2::bigint, 'batches', 1, 'last_log_id', $3::bigint, 'updated_at', $4::text))
  ON CONFLICT (key) DO UPDATE SET value = jsonb_build_object(
    'events', COALESCE((state.value->>'events')::bigint, 0) + $2::bigint,
    'batches', COALESCE((state.value->>'batches')::bigint, 0) + 1,
    'last_log_id', GREATEST(COALESCE((state.value->>'last_log_id')::bigint, 0), COALESCE($3::bigint, 0)),
    'updated_at', $4::text)`;

const LOG_COLUMNS = 'id::text AS id, timestamp, decky, service, event_type, attacker_ip, fields, msg';

// Statements built from LOG_COLUMNS are functions: a top-level template with a substitution is
// kept in every bundle that imports this package, used or not.

// Order by the column, not the text alias (which would sort '10' before '2').
const readAfterSql = (): string => `SELECT ${LOG_COLUMNS} FROM logs WHERE logs.id > $1 ORDER BY logs.id LIMIT $2`;

const readRangesSql = (): string => `
  SELECT ${LOG_COLUMNS} FROM logs
  JOIN unnest($1::bigint[], $2::bigint[]) AS g(lo, hi) ON logs.id BETWEEN g.lo AND g.hi
  ORDER BY logs.id`;

const READ_HAS_HISTORY = `
  SELECT u.ip FROM unnest($1::text[]) AS u(ip)
  WHERE EXISTS (SELECT 1 FROM logs WHERE logs.attacker_ip = u.ip AND logs.id <= $2)`;

// Everything stored for one address up to `upTo`, except ids in the excluded ranges, oldest first.
const declareHistorySql = (): string => `
  DECLARE decnet_log_history NO SCROLL CURSOR FOR
  SELECT ${LOG_COLUMNS} FROM logs
  WHERE logs.attacker_ip = $1 AND logs.id <= $2
    AND NOT EXISTS (SELECT 1 FROM unnest($3::bigint[], $4::bigint[]) AS g(lo, hi) WHERE logs.id BETWEEN g.lo AND g.hi)
  ORDER BY logs.timestamp, logs.id`;

// The first fingerprints only: the attacker row keeps a bounded copy, the bounty table has them all.
const READ_BOUNTY_SUMMARY = `
  SELECT attacker_ip, count(*)::int AS n,
         COALESCE(jsonb_agg(payload ORDER BY id) FILTER (WHERE bounty_type = 'fingerprint' AND rn <= $2), '[]'::jsonb) AS fingerprints
  FROM (SELECT attacker_ip, id, bounty_type, payload,
               row_number() OVER (PARTITION BY attacker_ip, bounty_type = 'fingerprint' ORDER BY id) AS rn
        FROM bounty WHERE attacker_ip = ANY($1::text[])) t
  GROUP BY attacker_ip`;

const READ_CREDENTIAL_COUNTS = `SELECT attacker_ip, count(*)::int AS n FROM credentials WHERE attacker_ip = ANY($1::text[]) GROUP BY attacker_ip`;

// Only rows not yet linked: re-linking would contend with the ingester's attempt-count updates.
const LINK_CREDENTIALS = `
  UPDATE credentials c SET attacker_uuid = a.uuid FROM attackers a
  WHERE a.ip = ANY($1::text[]) AND c.attacker_ip = a.ip AND c.attacker_uuid IS NULL`;

// ---- the ingester's write path ----------------------------------------------------------------

/**
 * Inserts log rows in one statement, in array order (the identity sequence hands out `logs.id`
 * in that order, so ids follow arrival). A row whose `event_id` is stored already inserts nothing.
 * @returns event id → new `logs.id` (decimal text), for the rows actually inserted.
 */
export async function insertLogRows(db: Queryable, rows: readonly NewLogRow[]): Promise<Map<string, string>> {
  const result = await db.query<{ id: string; event_id: string }>(INSERT_LOGS, [JSON.stringify(rows)]);
  return new Map(result.rows.map((r) => [r.event_id, r.id]));
}

/**
 * Upserts credentials on the dedup key: attempts add up, first/last seen widen, the newest
 * outcome wins, a stored secret is kept. `rows` must be distinct by the dedup key (fold first).
 */
export async function upsertCredentials(db: Queryable, rows: readonly CredentialUpsertRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(UPSERT_CREDENTIALS, [JSON.stringify(rows)]);
}

/**
 * Stores each bounty unless an equal one (type, address, payload) is stored or comes earlier in
 * `rows` (one statement cannot see its own inserts, so repeats are dropped here first).
 * @returns bounties inserted.
 */
export async function insertBounties(db: Queryable, rows: readonly NewBountyRow[]): Promise<number> {
  const seen = new Set<string>();
  const kept: { row: NewBountyRow; json: string }[] = [];
  for (const row of rows) {
    const json = JSON.stringify(row.payload);
    const key = `${row.bounty_type}\0${row.attacker_ip}\0${json}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push({ row, json });
  }
  if (kept.length === 0) return 0;
  const result = await db.query(INSERT_BOUNTIES, [
    kept.map((k) => k.row.timestamp),
    kept.map((k) => k.row.decky),
    kept.map((k) => k.row.service),
    kept.map((k) => k.row.attacker_ip),
    kept.map((k) => k.row.bounty_type),
    kept.map((k) => k.json),
  ]);
  return result.rowCount ?? 0;
}

/**
 * Counts attachment sightings into `observed_attachments`: one row per hash, first/last seen
 * widened, extensions of the batch's sightings, the subject of the first. Hashes are written in
 * sorted order so concurrent batches lock rows in the same order.
 */
export async function upsertObservedAttachments(db: Queryable, sightings: readonly AttachmentSighting[]): Promise<void> {
  const byHash = new Map<string, { first: Date; last: Date; count: number; extensions: Set<string>; subject: string | null }>();
  for (const s of sightings) {
    const prev = byHash.get(s.sha256);
    if (prev) {
      prev.count++;
      if (s.at < prev.first) prev.first = s.at;
      if (s.at > prev.last) prev.last = s.at;
      if (s.extension) prev.extensions.add(s.extension);
    } else {
      byHash.set(s.sha256, { first: s.at, last: s.at, count: 1, extensions: new Set(s.extension ? [s.extension] : []), subject: s.subject });
    }
  }
  if (byHash.size === 0) return;
  const rows = [...byHash.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  await db.query(UPSERT_ATTACHMENTS, [
    rows.map(([h]) => h),
    rows.map(([, r]) => r.first),
    rows.map(([, r]) => r.last),
    rows.map(([, r]) => r.count),
    rows.map(([, r]) => JSON.stringify([...r.extensions].sort())),
    rows.map(([, r]) => r.subject),
  ]);
}

/**
 * Adds one batch to the progress row under `key`: `{ events, batches, last_log_id, updated_at }`,
 * events summed, batches counted, the highest log id kept.
 */
export async function recordIngestProgress(db: Queryable, key: string, progress: IngestProgress): Promise<void> {
  await db.query(UPSERT_PROGRESS, [key, progress.events, progress.lastLogId, progress.at.toISOString()]);
}

// ---- the profiler's reads -----------------------------------------------------------------------

/** Up to `limit` rows above `afterId`, by id. */
export async function readLogsAfter(db: Queryable, afterId: number, limit: number): Promise<StoredLogRow[]> {
  return (await db.query<StoredLogRow>(readAfterSql(), [afterId, limit])).rows;
}

/** Every stored row whose id lies in one of `ranges`, by id. */
export async function readLogsInRanges(db: Queryable, ranges: readonly IdRange[]): Promise<StoredLogRow[]> {
  if (ranges.length === 0) return [];
  return (await db.query<StoredLogRow>(readRangesSql(), [ranges.map((g) => g.lo), ranges.map((g) => g.hi)])).rows;
}

/** The addresses of `ips` that have at least one row with an id up to `upTo`. */
export async function addressesWithLogs(db: Queryable, ips: readonly string[], upTo: number): Promise<Set<string>> {
  if (ips.length === 0) return new Set();
  return new Set((await db.query<{ ip: string }>(READ_HAS_HISTORY, [ips, upTo])).rows.map((r) => r.ip));
}

/**
 * Streams every row of `ip` with an id up to `upTo`, outside `exclude`, oldest first (by time,
 * then id), `chunkRows` at a time through a server-side cursor. Needs a transaction.
 */
export async function forEachLogChunkOf(
  tx: Queryable,
  ip: string,
  upTo: number,
  exclude: readonly IdRange[],
  chunkRows: number,
  onChunk: (rows: StoredLogRow[]) => void,
): Promise<void> {
  await tx.query(declareHistorySql(), [ip, upTo, exclude.map((g) => g.lo), exclude.map((g) => g.hi)]);
  try {
    for (;;) {
      const chunk = await tx.query<StoredLogRow>(`FETCH ${Math.trunc(chunkRows)} FROM decnet_log_history`);
      onChunk(chunk.rows);
      if (chunk.rows.length < chunkRows) break;
    }
  } finally {
    await tx.query('CLOSE decnet_log_history');
  }
}

/** The highest `logs.id` stored, or 0 when there is none. */
export async function maxLogId(db: Queryable): Promise<number> {
  const r = await db.query<{ max: string | null }>('SELECT max(id)::text AS max FROM logs');
  const max = r.rows[0]?.max;
  return max === null || max === undefined ? 0 : Number(max);
}

/** Bounties per address of `ips`: how many, and the payloads of its first `maxFingerprints` fingerprints. */
export async function bountySummaryByAddress(
  db: Queryable,
  ips: readonly string[],
  maxFingerprints: number,
): Promise<Map<string, { count: number; fingerprints: JsonValue[] }>> {
  const r = await db.query<{ attacker_ip: string; n: number; fingerprints: JsonValue[] }>(READ_BOUNTY_SUMMARY, [ips, maxFingerprints]);
  return new Map(r.rows.map((row) => [row.attacker_ip, { count: row.n, fingerprints: row.fingerprints }]));
}

/** Stored credentials per address of `ips` (addresses without any are absent). */
export async function credentialCountByAddress(db: Queryable, ips: readonly string[]): Promise<Map<string, number>> {
  const r = await db.query<{ attacker_ip: string; n: number }>(READ_CREDENTIAL_COUNTS, [ips]);
  return new Map(r.rows.map((row) => [row.attacker_ip, row.n]));
}

/** Links the not yet linked credentials of `ips` to their attacker rows. */
export async function linkCredentialsToAttackers(db: Queryable, ips: readonly string[]): Promise<void> {
  await db.query(LINK_CREDENTIALS, [ips]);
}

// ---- the operator's search ------------------------------------------------------------------------

/** Columns a search term may filter on. */
export type LogSearchColumn = 'decky' | 'service' | 'event_type' | 'attacker_ip';

/** One search term: a column equals, a structured-data field equals, or a word occurs. */
export type LogSearchTerm =
  | { readonly kind: 'column'; readonly column: string; readonly value: string }
  | { readonly kind: 'field'; readonly key: string; readonly value: string }
  | { readonly kind: 'word'; readonly word: string };

/** A parameterised query: the SQL never contains user text, only `$n` placeholders. */
export interface LogsQuery {
  readonly text: string;
  readonly values: unknown[];
}

/** A row of {@link searchLogs}; `id` as decimal text. */
export type LogSearchRow = Pick<LogSelect, 'timestamp' | 'decky' | 'service' | 'event_type' | 'attacker_ip' | 'msg' | 'raw_line' | 'event_id'> & {
  readonly id: string;
  readonly fields: JsonObject;
};

const SEARCH_COLUMNS: ReadonlySet<string> = new Set<LogSearchColumn>(['decky', 'service', 'event_type', 'attacker_ip']);

function likePattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Builds the newest-first query for `terms` (all must match), at most `limit` rows.
 * @throws RangeError when a column term names a column outside {@link LogSearchColumn}.
 */
export function buildLogsQuery(terms: readonly LogSearchTerm[], limit: number): LogsQuery {
  const values: unknown[] = [];
  const param = (v: unknown): string => {
    values.push(v);
    return `$${values.length}`;
  };
  const where = terms.map((t) => {
    switch (t.kind) {
      case 'column':
        // Only fixed column names reach the SQL text, never the user's.
        if (!SEARCH_COLUMNS.has(t.column)) throw new RangeError(`cannot search logs by column ${JSON.stringify(t.column)}`);
        return `${t.column} = ${param(t.value)}`;
      case 'field':
        return `fields->>${param(t.key)} = ${param(t.value)}`;
      case 'word': {
        const p = param(likePattern(t.word));
        return `(raw_line ILIKE ${p} OR decky ILIKE ${p} OR service ILIKE ${p} OR attacker_ip ILIKE ${p})`;
      }
    }
  });
  const text = [
    'SELECT id::text AS id, timestamp, decky, service, event_type, attacker_ip, fields, msg, raw_line, event_id FROM logs',
    where.length > 0 ? `WHERE ${where.join(' AND ')}` : '',
    `ORDER BY timestamp DESC, id DESC LIMIT ${param(limit)}`,
  ]
    .filter(Boolean)
    .join(' ');
  return { text, values };
}

/** Stored events matching every term, newest first, at most `limit`. */
export async function searchLogs(db: Queryable, terms: readonly LogSearchTerm[], limit: number): Promise<LogSearchRow[]> {
  const query = buildLogsQuery(terms, limit);
  return (await db.query<LogSearchRow>(query.text, query.values)).rows;
}
