// One profiler batch, one transaction: take the profiler lock, read the cursor, read the next
// `logs` rows (and any that filled a hole below the cursor), fold them into the touched
// attackers' stored profiles, write `attackers`, `attacker_behavior`, `smtp_targets` and the
// credential back-fill, and advance the cursor — all committed together, so a crash or restart
// anywhere neither loses nor double-counts an event.
import { isConnectionError } from '@decnet/db';
import type pg from 'pg';
import { advanceCursor, CURSOR_STATE_KEY, cursorValue, initialCursor, parseCursor, type CursorState } from './handlers/cursor.js';
import { toProfileEvent, type LogRow, type ProfileEvent, type SkipReason } from './handlers/event-kinds.js';
import {
  applyEvents,
  attackerRecord,
  behaviorRecord,
  byTimeThenId,
  emptyProfile,
  profileFromStored,
  scoreChanged,
  scoreOf,
  type AttackerProfile,
  type AttackerRecord,
  type BehaviorRecord,
  type ExternalCounts,
  type Score,
} from './handlers/profile.js';
import { CursorCorruptError } from './errors.js';

type Pool = pg.Pool;
type PoolClient = pg.PoolClient;

/** Advisory lock key serialising profiler instances (ASCII "decnprof"). */
export const PROFILER_LOCK_KEY = '7234316421143383910';
/** Holes below the cursor remembered at once; beyond this the oldest are given up (and counted). */
export const MAX_GAP_RANGES = 2_000;
/** Attackers written per statement: bounds the JSON text built at once (and so the heap's peak). */
const WRITE_CHUNK = 250;
/** Rows fetched per round trip while rebuilding one address's profile from its history. */
const REBUILD_FETCH_ROWS = 5_000;

const LOG_COLUMNS = 'id::text AS id, timestamp, decky, service, event_type, attacker_ip, fields, msg';

// Order by the column, not the text alias (which would sort '10' before '2').
const READ_NEW = `SELECT ${LOG_COLUMNS} FROM logs WHERE logs.id > $1 ORDER BY logs.id LIMIT $2`;

const READ_GAPS = `
  SELECT ${LOG_COLUMNS} FROM logs
  JOIN unnest($1::bigint[], $2::bigint[]) AS g(lo, hi) ON logs.id BETWEEN g.lo AND g.hi
  ORDER BY logs.id`;

const READ_ATTACKERS = `
  SELECT a.uuid::text AS uuid, a.ip, a.first_seen, a.last_seen, a.event_count, a.service_count, a.decky_count,
         a.bounty_count, a.credential_count, a.is_traversal, a.services, a.commands,
         b.profile_state, b.behavior_class
  FROM attackers a LEFT JOIN attacker_behavior b ON b.attacker_uuid = a.uuid
  WHERE a.ip = ANY($1::text[])`;

// The first fingerprints only: the row keeps a bounded copy, the bounty table has them all.
const READ_BOUNTIES = `
  SELECT attacker_ip, count(*)::int AS n,
         COALESCE(jsonb_agg(payload ORDER BY id) FILTER (WHERE bounty_type = 'fingerprint' AND rn <= $2), '[]'::jsonb) AS fingerprints
  FROM (SELECT attacker_ip, id, bounty_type, payload,
               row_number() OVER (PARTITION BY attacker_ip, bounty_type = 'fingerprint' ORDER BY id) AS rn
        FROM bounty WHERE attacker_ip = ANY($1::text[])) t
  GROUP BY attacker_ip`;

// Addresses without an attacker row that nevertheless have stored history (a deleted attacker):
// their profile is rebuilt from all of it, not started from this batch.
const READ_HAS_HISTORY = `
  SELECT u.ip FROM unnest($1::text[]) AS u(ip)
  WHERE EXISTS (SELECT 1 FROM logs WHERE logs.attacker_ip = u.ip AND logs.id <= $2)`;

const READ_CREDENTIALS = `SELECT attacker_ip, count(*)::int AS n FROM credentials WHERE attacker_ip = ANY($1::text[]) GROUP BY attacker_ip`;

// Everything stored for one address up to the new cursor, except ids still in a hole (those
// will be folded in when they appear), oldest first.
const DECLARE_HISTORY = `
  DECLARE profiler_history NO SCROLL CURSOR FOR
  SELECT ${LOG_COLUMNS} FROM logs
  WHERE logs.attacker_ip = $1 AND logs.id <= $2
    AND NOT EXISTS (SELECT 1 FROM unnest($3::bigint[], $4::bigint[]) AS g(lo, hi) WHERE logs.id BETWEEN g.lo AND g.hi)
  ORDER BY logs.timestamp, logs.id`;

// Rows travel as one JSON document: no per-element array escaping, one parse in Postgres.
const UPSERT_ATTACKERS = `
  INSERT INTO attackers AS a (ip, first_seen, last_seen, event_count, service_count, decky_count, services, deckies,
                              traversal_path, is_traversal, bounty_count, credential_count, fingerprints, commands, updated_at)
  SELECT t.ip, t.first_seen, t.last_seen, t.event_count, t.service_count, t.decky_count, t.services, t.deckies,
         t.traversal_path, t.is_traversal, t.bounty_count, t.credential_count, t.fingerprints, t.commands, now()
  FROM jsonb_to_recordset($1::jsonb) AS t(ip text, first_seen timestamptz, last_seen timestamptz, event_count int,
       service_count int, decky_count int, services jsonb, deckies jsonb, traversal_path text, is_traversal bool,
       bounty_count int, credential_count int, fingerprints jsonb, commands jsonb)
  ON CONFLICT (ip) DO UPDATE SET
    first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen, event_count = EXCLUDED.event_count,
    service_count = EXCLUDED.service_count, decky_count = EXCLUDED.decky_count, services = EXCLUDED.services,
    deckies = EXCLUDED.deckies, traversal_path = EXCLUDED.traversal_path, is_traversal = EXCLUDED.is_traversal,
    bounty_count = EXCLUDED.bounty_count, credential_count = EXCLUDED.credential_count,
    fingerprints = EXCLUDED.fingerprints, commands = EXCLUDED.commands, updated_at = EXCLUDED.updated_at
  RETURNING uuid::text AS uuid, ip, (xmax = 0) AS inserted`;

// Rows known to exist (read at the start of the batch, under the profiler lock) are updated
// directly: cheaper than a speculative insert that conflicts.
const UPDATE_ATTACKERS = `
  UPDATE attackers AS a SET
    first_seen = t.first_seen, last_seen = t.last_seen, event_count = t.event_count, service_count = t.service_count,
    decky_count = t.decky_count, services = t.services, deckies = t.deckies, traversal_path = t.traversal_path,
    is_traversal = t.is_traversal, bounty_count = t.bounty_count, credential_count = t.credential_count,
    fingerprints = t.fingerprints, commands = t.commands, updated_at = now()
  FROM jsonb_to_recordset($1::jsonb) AS t(uuid uuid, first_seen timestamptz, last_seen timestamptz, event_count int,
       service_count int, decky_count int, services jsonb, deckies jsonb, traversal_path text, is_traversal bool,
       bounty_count int, credential_count int, fingerprints jsonb, commands jsonb)
  WHERE a.uuid = t.uuid
  RETURNING a.uuid::text AS uuid, a.ip, false AS inserted`;

const UPSERT_BEHAVIOR = `
  INSERT INTO attacker_behavior AS b (attacker_uuid, behavior_class, beacon_interval_s, beacon_jitter_pct, tool_guesses,
                                      timing_stats, phase_sequence, profile_state, updated_at)
  SELECT t.attacker_uuid, t.behavior_class, t.beacon_interval_s, t.beacon_jitter_pct, t.tool_guesses, t.timing_stats,
         t.phase_sequence, t.profile_state, now()
  FROM jsonb_to_recordset($1::jsonb) AS t(attacker_uuid uuid, behavior_class text, beacon_interval_s float8,
       beacon_jitter_pct float8, tool_guesses jsonb, timing_stats jsonb, phase_sequence jsonb, profile_state jsonb)
  ON CONFLICT (attacker_uuid) DO UPDATE SET
    behavior_class = EXCLUDED.behavior_class, beacon_interval_s = EXCLUDED.beacon_interval_s,
    beacon_jitter_pct = EXCLUDED.beacon_jitter_pct, tool_guesses = EXCLUDED.tool_guesses,
    timing_stats = EXCLUDED.timing_stats, phase_sequence = EXCLUDED.phase_sequence,
    profile_state = EXCLUDED.profile_state, updated_at = EXCLUDED.updated_at`;

const DELETE_SMTP = `DELETE FROM smtp_targets WHERE attacker_uuid = ANY($1::uuid[])`;

const UPSERT_SMTP = `
  INSERT INTO smtp_targets (attacker_uuid, domain, first_seen, last_seen, count)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[])
  ON CONFLICT ON CONSTRAINT uq_smtp_targets_attacker_domain DO UPDATE SET
    count = smtp_targets.count + EXCLUDED.count,
    first_seen = LEAST(smtp_targets.first_seen, EXCLUDED.first_seen),
    last_seen = GREATEST(smtp_targets.last_seen, EXCLUDED.last_seen)`;

// Only rows not yet linked: re-linking would contend with the ingester's attempt-count updates.
const BACKFILL_CREDENTIALS = `
  UPDATE credentials c SET attacker_uuid = a.uuid FROM attackers a
  WHERE a.ip = ANY($1::text[]) AND c.attacker_ip = a.ip AND c.attacker_uuid IS NULL`;

/** `attacker.observed`: an address seen for the first time (published after its row committed). */
export interface ObservedNotice {
  readonly attackerUuid: string;
  readonly payload: {
    attacker_ip: string;
    attacker_uuid: string;
    decky: string;
    service: string;
    event_type: string;
    first_seen: string;
  };
}

/** `attacker.scored`: an attacker whose scored fields changed. */
export interface ScoredNotice {
  readonly attackerUuid: string;
  readonly payload: Score & { attacker_ip: string; attacker_uuid: string };
}

/** What one batch did. */
export interface BatchResult {
  /** Rows read (new and hole-filling). */
  readonly rows: number;
  /** Rows read above the cursor: equal to the batch size means more are probably waiting. */
  readonly newRows: number;
  /** Attacker events folded in. */
  readonly events: number;
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  readonly attackersInserted: number;
  readonly attackersUpdated: number;
  /** Profiles rebuilt from `logs` because their stored accumulator was unusable. */
  readonly rebuilt: number;
  /** Events older than the timing window whose gaps were approximated. */
  readonly approximated: number;
  readonly abandonedIds: number;
  readonly cursor: CursorState;
  readonly observed: readonly ObservedNotice[];
  readonly scored: readonly ScoredNotice[];
}

interface DbLogRow {
  id: string;
  timestamp: Date;
  decky: string;
  service: string;
  event_type: string;
  attacker_ip: string;
  fields: Record<string, unknown> | null;
  msg: string | null;
}

interface DbAttackerRow {
  uuid: string;
  ip: string;
  first_seen: Date;
  last_seen: Date;
  event_count: number;
  service_count: number;
  decky_count: number;
  bounty_count: number;
  credential_count: number;
  is_traversal: boolean;
  services: unknown;
  commands: unknown;
  profile_state: unknown;
  behavior_class: string | null;
}

function toLogRow(r: DbLogRow): LogRow {
  return {
    id: Number(r.id),
    ms: r.timestamp.getTime(),
    decky: r.decky,
    service: r.service,
    eventType: r.event_type,
    attackerIp: r.attacker_ip,
    fields: r.fields ?? {},
    msg: r.msg,
  };
}

async function readCursor(client: PoolClient): Promise<CursorState> {
  await client.query(`INSERT INTO state (key, value) VALUES ($1, '{"last_log_id":0}'::jsonb) ON CONFLICT (key) DO NOTHING`, [
    CURSOR_STATE_KEY,
  ]);
  const r = await client.query<{ value: unknown }>('SELECT value FROM state WHERE key = $1', [CURSOR_STATE_KEY]);
  if (r.rows.length === 0) return initialCursor();
  const parsed = parseCursor(r.rows[0]?.value);
  if ('invalid' in parsed) throw new CursorCorruptError(CURSOR_STATE_KEY, parsed.invalid);
  return parsed;
}

/** Rebuilds one address's profile from its stored history, streaming it oldest first. */
async function rebuildProfile(
  client: PoolClient,
  ip: string,
  cursor: CursorState,
): Promise<{ profile: AttackerProfile; smtp: Map<string, SmtpCount>; first: ProfileEvent | undefined }> {
  let profile = emptyProfile(ip);
  let first: ProfileEvent | undefined;
  const smtp = new Map<string, SmtpCount>();
  await client.query(DECLARE_HISTORY, [ip, cursor.lastLogId, cursor.gaps.map((g) => g.lo), cursor.gaps.map((g) => g.hi)]);
  try {
    for (;;) {
      const chunk = await client.query<DbLogRow>(`FETCH ${REBUILD_FETCH_ROWS} FROM profiler_history`);
      const events: ProfileEvent[] = [];
      for (const row of chunk.rows) {
        const e = toProfileEvent(toLogRow(row));
        if (typeof e !== 'string') events.push(e);
      }
      first ??= events[0];
      profile = applyEvents(profile, events).profile;
      addSmtp(smtp, events);
      if (chunk.rows.length < REBUILD_FETCH_ROWS) break;
    }
  } finally {
    await client.query('CLOSE profiler_history');
  }
  return { profile, smtp, first };
}

interface SmtpCount {
  count: number;
  first: number;
  last: number;
}

function addSmtp(into: Map<string, SmtpCount>, events: readonly ProfileEvent[]): void {
  for (const e of events) {
    for (const domain of e.smtpDomains) {
      const c = into.get(domain);
      if (c) {
        c.count++;
        c.first = Math.min(c.first, e.ms);
        c.last = Math.max(c.last, e.ms);
      } else {
        into.set(domain, { count: 1, first: e.ms, last: e.ms });
      }
    }
  }
}

function storedScore(row: DbAttackerRow): Score {
  return {
    event_count: row.event_count,
    service_count: row.service_count,
    decky_count: row.decky_count,
    bounty_count: row.bounty_count,
    credential_count: row.credential_count,
    is_traversal: row.is_traversal,
    behavior_class: (row.behavior_class ?? 'unknown') as Score['behavior_class'],
  };
}

interface Planned {
  ip: string;
  /** The attacker's uuid when its row existed at the start of the batch. */
  uuid: string | undefined;
  record: AttackerRecord;
  behavior: BehaviorRecord;
  first: ProfileEvent;
  before: Score | undefined;
  smtp: Map<string, SmtpCount>;
  rebuilt: boolean;
}

async function writeAttackers(client: PoolClient, planned: readonly Planned[]): Promise<Map<string, { uuid: string; inserted: boolean }>> {
  const json = ({ record: r, uuid }: Planned) => ({
    uuid,
    ip: r.ip,
    first_seen: r.firstSeen.toISOString(),
    last_seen: r.lastSeen.toISOString(),
    event_count: r.eventCount,
    service_count: r.serviceCount,
    decky_count: r.deckyCount,
    services: r.services,
    deckies: r.deckies,
    traversal_path: r.traversalPath,
    is_traversal: r.isTraversal,
    bounty_count: r.bountyCount,
    credential_count: r.credentialCount,
    fingerprints: r.fingerprints,
    commands: r.commands,
  });
  const out = new Map<string, { uuid: string; inserted: boolean }>();
  const write = async (sql: string, rows: readonly Planned[]): Promise<void> => {
    for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
      const chunk = JSON.stringify(rows.slice(i, i + WRITE_CHUNK).map(json));
      const result = await client.query<{ uuid: string; ip: string; inserted: boolean }>(sql, [chunk]);
      for (const r of result.rows) out.set(r.ip, { uuid: r.uuid, inserted: r.inserted });
    }
  };
  await write(UPDATE_ATTACKERS, planned.filter((p) => p.uuid !== undefined));
  // New addresses, and any row deleted since it was read, are inserted.
  await write(UPSERT_ATTACKERS, planned.filter((p) => !out.has(p.ip)));
  return out;
}

async function writeBehavior(client: PoolClient, planned: readonly Planned[], uuids: ReadonlyMap<string, { uuid: string }>): Promise<void> {
  const row = (p: Planned) => ({
    attacker_uuid: uuids.get(p.ip)?.uuid,
    behavior_class: p.behavior.behaviorClass,
    beacon_interval_s: p.behavior.beaconIntervalS,
    beacon_jitter_pct: p.behavior.beaconJitterPct,
    tool_guesses: p.behavior.toolGuesses,
    timing_stats: p.behavior.timingStats,
    profile_state: p.behavior.profileState,
    phase_sequence: p.behavior.phaseSequence,
  });
  for (let i = 0; i < planned.length; i += WRITE_CHUNK) {
    await client.query(UPSERT_BEHAVIOR, [JSON.stringify(planned.slice(i, i + WRITE_CHUNK).map(row))]);
  }
}

async function writeSmtp(client: PoolClient, planned: readonly Planned[], uuids: ReadonlyMap<string, { uuid: string }>): Promise<void> {
  const rebuilt = planned.filter((p) => p.rebuilt).map((p) => uuids.get(p.ip)?.uuid);
  if (rebuilt.length > 0) await client.query(DELETE_SMTP, [rebuilt]);
  const rows: { uuid: string; domain: string; c: SmtpCount }[] = [];
  for (const p of planned) {
    const uuid = uuids.get(p.ip)?.uuid;
    if (uuid === undefined) continue;
    for (const [domain, c] of p.smtp) rows.push({ uuid, domain, c });
  }
  if (rows.length === 0) return;
  await client.query(UPSERT_SMTP, [
    rows.map((r) => r.uuid),
    rows.map((r) => r.domain),
    rows.map((r) => new Date(r.c.first)),
    rows.map((r) => new Date(r.c.last)),
    rows.map((r) => r.c.count),
  ]);
}

/**
 * Folds the next batch of `logs` rows in one transaction (see the file header). Profiler
 * instances take turns through an advisory lock, so two never fold the same rows.
 * @param nowMs wall clock, for hole bookkeeping
 * @throws CursorCorruptError when the stored cursor is unusable; the driver's error otherwise
 *   (the transaction is rolled back: nothing of the batch is stored, the cursor does not move).
 */
export async function runBatch(pool: Pool, batchSize: number, gapGraceMs: number, nowMs: number): Promise<BatchResult> {
  const client = await pool.connect();
  let failure: unknown;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [PROFILER_LOCK_KEY]);
    const cursor = await readCursor(client);
    const fresh = (await client.query<DbLogRow>(READ_NEW, [cursor.lastLogId, batchSize])).rows.map(toLogRow);
    const filled =
      cursor.gaps.length === 0
        ? []
        : (await client.query<DbLogRow>(READ_GAPS, [cursor.gaps.map((g) => g.lo), cursor.gaps.map((g) => g.hi)])).rows.map(toLogRow);
    const advance = advanceCursor(
      cursor,
      fresh.map((r) => r.id),
      filled.map((r) => r.id),
      nowMs,
      gapGraceMs,
      MAX_GAP_RANGES,
    );
    const next = advance.next;

    const skipped: Partial<Record<SkipReason, number>> = {};
    const byIp = new Map<string, ProfileEvent[]>();
    for (const row of [...filled, ...fresh]) {
      const e = toProfileEvent(row);
      if (typeof e === 'string') {
        skipped[e] = (skipped[e] ?? 0) + 1;
        continue;
      }
      const list = byIp.get(e.ip);
      if (list) list.push(e);
      else byIp.set(e.ip, [e]);
    }
    const ips = [...byIp.keys()].sort();
    let events = 0;
    let rebuilt = 0;
    let approximated = 0;
    const planned: Planned[] = [];
    if (ips.length > 0) {
      const existing = new Map(
        (await client.query<DbAttackerRow>(READ_ATTACKERS, [ips])).rows.map((r) => [r.ip, r] as const),
      );
      const bounties = new Map(
        (await client.query<{ attacker_ip: string; n: number; fingerprints: unknown[] }>(READ_BOUNTIES, [ips, 50])).rows.map(
          (r) => [r.attacker_ip, r] as const,
        ),
      );
      const missing = ips.filter((ip) => !existing.has(ip));
      const withHistory =
        missing.length === 0 || cursor.lastLogId === 0
          ? new Set<string>()
          : new Set((await client.query<{ ip: string }>(READ_HAS_HISTORY, [missing, cursor.lastLogId])).rows.map((r) => r.ip));
      const credentials = new Map(
        (await client.query<{ attacker_ip: string; n: number }>(READ_CREDENTIALS, [ips])).rows.map((r) => [r.attacker_ip, r.n] as const),
      );
      for (const ip of ips) {
        const batch = (byIp.get(ip) as ProfileEvent[]).sort(byTimeThenId);
        events += batch.length;
        const row = existing.get(ip);
        const stored =
          row === undefined
            ? emptyProfile(ip)
            : profileFromStored({
                ip,
                firstSeen: row.first_seen,
                lastSeen: row.last_seen,
                eventCount: row.event_count,
                services: row.services,
                commands: row.commands,
                profileState: row.profile_state,
              });
        let profile: AttackerProfile;
        let smtp = new Map<string, SmtpCount>();
        let first = batch[0] as ProfileEvent;
        let isRebuilt = false;
        if (stored === undefined || withHistory.has(ip)) {
          // The row exists but its accumulator does not (or is unusable), or the row is gone but
          // its history is not: rebuild from `logs`, which already holds this batch's rows.
          const r = await rebuildProfile(client, ip, next);
          ({ profile, smtp } = r);
          first = r.first ?? first;
          isRebuilt = true;
          rebuilt++;
        } else {
          const applied = applyEvents(stored, batch);
          profile = applied.profile;
          approximated += applied.approximated;
          addSmtp(smtp, batch);
        }
        const b = bounties.get(ip);
        const counts: ExternalCounts = {
          bountyCount: b?.n ?? 0,
          credentialCount: credentials.get(ip) ?? 0,
          fingerprints: b?.fingerprints ?? [],
        };
        const record = attackerRecord(profile, counts);
        planned.push({
          ip,
          uuid: row?.uuid,
          record,
          behavior: behaviorRecord(profile),
          first,
          before: row === undefined ? undefined : storedScore(row),
          smtp,
          rebuilt: isRebuilt,
        });
      }
    }

    const observed: ObservedNotice[] = [];
    const scored: ScoredNotice[] = [];
    let inserted = 0;
    if (planned.length > 0) {
      const uuids = await writeAttackers(client, planned);
      await writeBehavior(client, planned, uuids);
      await writeSmtp(client, planned, uuids);
      await client.query(BACKFILL_CREDENTIALS, [ips]);
      for (const p of planned) {
        const id = uuids.get(p.ip);
        if (id === undefined) continue;
        if (id.inserted) {
          inserted++;
          observed.push({
            attackerUuid: id.uuid,
            payload: {
              attacker_ip: p.ip,
              attacker_uuid: id.uuid,
              decky: p.first.decky,
              service: p.first.service,
              event_type: p.first.eventType,
              first_seen: p.record.firstSeen.toISOString(),
            },
          });
        }
        const score = scoreOf(p.record, p.behavior);
        if (scoreChanged(p.before, score)) {
          scored.push({ attackerUuid: id.uuid, payload: { attacker_ip: p.ip, attacker_uuid: id.uuid, ...score } });
        }
      }
    }
    await client.query('UPDATE state SET value = $2 WHERE key = $1', [CURSOR_STATE_KEY, JSON.stringify(cursorValue(next, nowMs))]);
    await client.query('COMMIT');
    return {
      rows: fresh.length + filled.length,
      newRows: fresh.length,
      events,
      skipped,
      attackersInserted: inserted,
      attackersUpdated: planned.length - inserted,
      rebuilt,
      approximated,
      abandonedIds: advance.abandonedIds,
      cursor: next,
      observed,
      scored,
    };
  } catch (err) {
    failure = err;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    // A connection that failed for a reason other than the SQL itself may be broken: discard it.
    const broken = failure !== undefined && !(failure instanceof CursorCorruptError) && isConnectionError(failure);
    client.release(broken ? (failure as Error) : undefined);
  }
}

/** How far behind the profiler is: rows above its cursor (an estimate from the id range). */
export async function backlogOf(pool: Pool, cursor: CursorState): Promise<number> {
  const r = await pool.query<{ max: string | null }>('SELECT max(id)::text AS max FROM logs');
  const max = r.rows[0]?.max;
  return max === null || max === undefined ? 0 : Math.max(0, Number(max) - cursor.lastLogId);
}
