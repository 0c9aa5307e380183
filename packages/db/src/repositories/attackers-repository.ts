// Attackers and their behaviour: the profiler's reads and bulk writes of `attackers`,
// `attacker_behavior` and `smtp_targets`, the address → uuid lookups other workers make, the
// IPv6-leak columns, and the operator's listings. Rows travel as one JSON document per chunk.
import type { attacker_behavior, attackers, smtp_targets } from '../schema/attackers.js';
import type { Queryable } from '../transaction.js';

type AttackerSelect = typeof attackers.$inferSelect;
type BehaviorSelect = typeof attacker_behavior.$inferSelect;
type SmtpTargetInsert = typeof smtp_targets.$inferInsert;

/** Attackers written per statement: bounds the JSON text built at once (and so the heap's peak). */
const WRITE_CHUNK = 250;

/** What the profiler reads back of a stored attacker (and its behaviour row, when there is one). */
export type StoredAttackerProfile = Pick<
  AttackerSelect,
  | 'ip'
  | 'first_seen'
  | 'last_seen'
  | 'event_count'
  | 'service_count'
  | 'decky_count'
  | 'bounty_count'
  | 'credential_count'
  | 'is_traversal'
  | 'services'
  | 'commands'
> &
  Pick<BehaviorSelect, 'profile_state' | 'behavior_class'> & { readonly uuid: string };

/** The `attackers` columns the profiler writes; `uuid` when the row existed when the batch read it. */
export type AttackerProfileWrite = Pick<
  AttackerSelect,
  | 'ip'
  | 'first_seen'
  | 'last_seen'
  | 'event_count'
  | 'service_count'
  | 'decky_count'
  | 'services'
  | 'deckies'
  | 'traversal_path'
  | 'is_traversal'
  | 'bounty_count'
  | 'credential_count'
> & { readonly uuid: string | undefined; readonly fingerprints: readonly unknown[]; readonly commands: readonly unknown[] };

/** The `attacker_behavior` columns the profiler writes. */
export type BehaviorWrite = Pick<BehaviorSelect, 'behavior_class' | 'beacon_interval_s' | 'beacon_jitter_pct'> & {
  readonly attacker_uuid: string | undefined;
  readonly tool_guesses: unknown;
  readonly timing_stats: unknown;
  readonly phase_sequence: unknown;
  readonly profile_state: unknown;
};

/** Mail domains an attacker wrote to, counted per batch. */
export type SmtpTargetCount = Required<Pick<SmtpTargetInsert, 'attacker_uuid' | 'domain' | 'first_seen' | 'last_seen' | 'count'>>;

/** An attacker row written by {@link writeAttackerProfiles}. */
export interface WrittenAttacker {
  readonly uuid: string;
  /** True when this write created the row. */
  readonly inserted: boolean;
}

/** A row of {@link listAttackers}. */
export interface AttackerListRow {
  uuid: string;
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
  commands: unknown[];
  country_code: string | null;
  /** bigint, as the driver returns it (decimal text). */
  asn: number | null;
  identity_id: string | null;
  behavior_class: string | null;
  beacon_interval_s: number | null;
  beacon_jitter_pct: number | null;
  tool_guesses: unknown;
  timing_stats: Record<string, unknown> | null;
  phase_sequence: Record<string, unknown> | null;
}

/** A row of {@link listAttackersForExport}; `asn` as decimal text (bigint). */
export interface AttackerExportRow {
  uuid: string;
  ip: string;
  first_seen: Date;
  last_seen: Date;
  country_code: string | null;
  asn: string | null;
  as_name: string | null;
}

/** An attacker found by {@link findAttackers}. */
export interface AttackerRef {
  readonly uuid: string;
  readonly ip: string;
  readonly identity_id: string | null;
}

/** What an IPv6 link-local leak records on the attacker (each value cut to its column). */
export interface Ipv6Leak {
  readonly addr: string | null;
  readonly iidKind: string | null;
  readonly macOui: string | null;
}

const READ_PROFILES = `
  SELECT a.uuid::text AS uuid, a.ip, a.first_seen, a.last_seen, a.event_count, a.service_count, a.decky_count,
         a.bounty_count, a.credential_count, a.is_traversal, a.services, a.commands,
         b.profile_state, b.behavior_class
  FROM attackers a LEFT JOIN attacker_behavior b ON b.attacker_uuid = a.uuid
  WHERE a.ip = ANY($1::text[])`;

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

// Rows known to exist (read earlier in the same transaction, under the caller's lock) are updated
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

const UUIDS_BY_ADDRESS = `
  SELECT DISTINCT ON (ip) ip, uuid::text FROM attackers WHERE ip = ANY($1::text[]) ORDER BY ip, last_seen DESC`;

const FIND_ATTACKERS =
  'SELECT uuid::text AS uuid, ip, identity_id::text AS identity_id FROM attackers WHERE uuid = ANY($1::uuid[]) OR ip = ANY($2::text[])';

const BUMP_IPV6_LEAK = `
  UPDATE attackers SET ipv6_leak_count = ipv6_leak_count + 1, last_ipv6_leak_at = now(),
         last_ipv6_link_local = COALESCE($2, last_ipv6_link_local), last_ipv6_iid_kind = COALESCE($3, last_ipv6_iid_kind),
         last_ipv6_mac_oui = COALESCE($4, last_ipv6_mac_oui), updated_at = now()
   WHERE uuid = $1::uuid`;

const LIST_ATTACKERS = `
  SELECT a.uuid::text AS uuid, a.ip, a.first_seen, a.last_seen, a.event_count, a.service_count, a.decky_count,
         a.services, a.deckies, a.traversal_path, a.is_traversal, a.bounty_count, a.credential_count,
         a.fingerprints, a.commands, a.country_code, a.asn, a.identity_id::text AS identity_id,
         b.behavior_class, b.beacon_interval_s, b.beacon_jitter_pct, b.tool_guesses,
         b.timing_stats, b.phase_sequence
  FROM attackers a LEFT JOIN attacker_behavior b ON b.attacker_uuid = a.uuid
  ORDER BY a.last_seen DESC, a.ip
  LIMIT $1`;

const EXPORT_COLUMNS = 'uuid::text AS uuid, ip, first_seen, last_seen, country_code, asn, as_name';

// ---- the profiler -------------------------------------------------------------------------------

/** The stored profiles of `ips` (addresses without a row are absent), by address. */
export async function readAttackerProfiles(db: Queryable, ips: readonly string[]): Promise<Map<string, StoredAttackerProfile>> {
  const r = await db.query<StoredAttackerProfile>(READ_PROFILES, [ips]);
  return new Map(r.rows.map((row) => [row.ip, row]));
}

/**
 * Writes attacker rows in chunks: rows with a `uuid` are updated in place, the rest (and any
 * whose row was deleted meanwhile) are upserted on the address.
 * @returns address → uuid, and whether this write created the row.
 */
export async function writeAttackerProfiles(db: Queryable, rows: readonly AttackerProfileWrite[]): Promise<Map<string, WrittenAttacker>> {
  const out = new Map<string, WrittenAttacker>();
  const write = async (sql: string, chunkRows: readonly AttackerProfileWrite[]): Promise<void> => {
    for (let i = 0; i < chunkRows.length; i += WRITE_CHUNK) {
      const chunk = JSON.stringify(chunkRows.slice(i, i + WRITE_CHUNK));
      const result = await db.query<{ uuid: string; ip: string; inserted: boolean }>(sql, [chunk]);
      for (const r of result.rows) out.set(r.ip, { uuid: r.uuid, inserted: r.inserted });
    }
  };
  await write(UPDATE_ATTACKERS, rows.filter((r) => r.uuid !== undefined));
  await write(UPSERT_ATTACKERS, rows.filter((r) => !out.has(r.ip)));
  return out;
}

/** Upserts behaviour rows (one per attacker uuid), in chunks. */
export async function upsertBehaviors(db: Queryable, rows: readonly BehaviorWrite[]): Promise<void> {
  for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
    await db.query(UPSERT_BEHAVIOR, [JSON.stringify(rows.slice(i, i + WRITE_CHUNK))]);
  }
}

/** Deletes the mail-domain counts of `attackerUuids` (before counting a rebuilt history again). */
export async function deleteSmtpTargets(db: Queryable, attackerUuids: readonly (string | undefined)[]): Promise<void> {
  if (attackerUuids.length === 0) return;
  await db.query(DELETE_SMTP, [attackerUuids]);
}

/** Adds mail-domain counts: counts sum, first/last seen widen. Rows must be distinct by (uuid, domain). */
export async function addSmtpTargets(db: Queryable, rows: readonly SmtpTargetCount[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(UPSERT_SMTP, [
    rows.map((r) => r.attacker_uuid),
    rows.map((r) => r.domain),
    rows.map((r) => r.first_seen),
    rows.map((r) => r.last_seen),
    rows.map((r) => r.count),
  ]);
}

// ---- lookups by other workers -------------------------------------------------------------------

/** Address → attacker uuid for the addresses of `ips` that have a row (the most recently seen one). */
export async function attackerUuidsByAddress(db: Queryable, ips: readonly string[]): Promise<Map<string, string>> {
  const found = await db.query<{ ip: string; uuid: string }>(UUIDS_BY_ADDRESS, [ips]);
  return new Map(found.rows.map((r) => [r.ip, r.uuid]));
}

/** The attackers whose uuid is in `uuids` or whose address is in `ips`. */
export async function findAttackers(db: Queryable, uuids: readonly string[], ips: readonly string[]): Promise<AttackerRef[]> {
  return (await db.query<AttackerRef>(FIND_ATTACKERS, [uuids, ips])).rows;
}

/** Records an IPv6 link-local leak on the attacker (upstream's denormalised columns); absent values keep the stored ones. */
export async function recordIpv6Leak(db: Queryable, attackerUuid: string, leak: Ipv6Leak): Promise<void> {
  await db.query(BUMP_IPV6_LEAK, [attackerUuid, leak.addr?.slice(0, 45) ?? null, leak.iidKind?.slice(0, 16) ?? null, leak.macOui?.slice(0, 8) ?? null]);
}

// ---- the operator's listings --------------------------------------------------------------------

/** Attackers with their behaviour, most recently seen first, at most `limit`. */
export async function listAttackers(db: Queryable, limit: number): Promise<AttackerListRow[]> {
  return (await db.query<AttackerListRow>(LIST_ATTACKERS, [limit])).rows;
}

/** Attackers for a STIX export, oldest first: every one, or the one with `attackerUuid`. */
export async function listAttackersForExport(db: Queryable, attackerUuid?: string): Promise<AttackerExportRow[]> {
  const r = attackerUuid
    ? await db.query<AttackerExportRow>(`SELECT ${EXPORT_COLUMNS} FROM attackers WHERE uuid = $1::uuid ORDER BY first_seen, uuid`, [attackerUuid])
    : await db.query<AttackerExportRow>(`SELECT ${EXPORT_COLUMNS} FROM attackers ORDER BY first_seen, uuid`);
  return r.rows;
}
