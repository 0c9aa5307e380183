// ATT&CK tagging: tags inserted idempotently (ON CONFLICT DO NOTHING RETURNING uuid), operator
// rule states, the reads the ttp worker enriches its sources with (stored intel, an identity's
// sprayed secret, anchors) and the operator's tag listings.
import type { ttp_rule_state, ttp_tag } from '../schema/ttp.js';
import type { Queryable } from '../transaction.js';

type TagInsert = typeof ttp_tag.$inferInsert;

/** One `ttp_tag` row to insert; the uuid is deterministic, so a replay inserts nothing. */
export type NewTagRow = Required<
  Pick<
    TagInsert,
    | 'uuid'
    | 'source_kind'
    | 'source_id'
    | 'attacker_uuid'
    | 'identity_uuid'
    | 'session_id'
    | 'decky_id'
    | 'tactic'
    | 'technique_id'
    | 'sub_technique_id'
    | 'confidence'
    | 'rule_id'
    | 'rule_version'
    | 'attack_release'
    | 'mitre_url'
  >
> & { readonly evidence: Readonly<Record<string, unknown>> };

/** An operator override as stored (`state` is not validated: the caller ignores unknown ones). */
export type RuleStateRow = Pick<typeof ttp_rule_state.$inferSelect, 'rule_id' | 'state' | 'confidence_max' | 'expires_at'>;

/** The secret an identity's attackers tried against the most distinct accounts. */
export interface SprayedSecret {
  readonly secret_sha256: string;
  readonly accounts: number;
}

/** A row of {@link listTags} and {@link listTagsForExport}: the tag, with its attacker's address. */
export interface TagListRow {
  uuid: string;
  created_at: Date;
  attacker_uuid: string | null;
  attacker_ip: string | null;
  identity_uuid: string | null;
  source_kind: string;
  source_id: string;
  session_id: string | null;
  tactic: string;
  technique_id: string;
  sub_technique_id: string | null;
  confidence: number;
  rule_id: string;
  rule_version: number;
  evidence: Record<string, unknown>;
  attack_release: string;
  mitre_url: string | null;
}

const TAG_COLUMNS = [
  'uuid',
  'source_kind',
  'source_id',
  'attacker_uuid',
  'identity_uuid',
  'session_id',
  'decky_id',
  'tactic',
  'technique_id',
  'sub_technique_id',
  'confidence',
  'rule_id',
  'rule_version',
  'evidence',
  'attack_release',
  'mitre_url',
] as const;

const INTEL_COLUMNS = `attacker_ip, greynoise_classification, greynoise_name, greynoise_tags, abuseipdb_score, abuseipdb_categories,
            feodo_listed, feodo_malware_family, threatfox_threat_types, threatfox_ioc_types, threatfox_malware_families, aggregate_verdict`;

const SPRAYED_SECRET = `
  SELECT c.secret_sha256, count(DISTINCT c.principal_key)::int AS accounts
    FROM credentials c JOIN attackers a ON a.ip = c.attacker_ip
   WHERE a.identity_id = $1::uuid AND c.principal_key <> ''
   GROUP BY c.secret_sha256 ORDER BY accounts DESC, c.secret_sha256 LIMIT 1`;

const LIST_COLUMNS = `t.uuid::text AS uuid, t.created_at, t.attacker_uuid::text AS attacker_uuid, a.ip AS attacker_ip, t.identity_uuid::text AS identity_uuid,
  t.source_kind, t.source_id, t.session_id, t.tactic, t.technique_id, t.sub_technique_id, t.confidence, t.rule_id, t.rule_version,
  t.evidence, t.attack_release, t.mitre_url`;

/** Postgres text cannot hold NUL, nor jsonb lone surrogates; attacker text may contain both. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const pgText = (s: string | null): string | null => (s === null ? null : s.replace(UNSAFE, '\uFFFD'));
const pgJson = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? pgText(v) : v));

/**
 * Inserts `rows` in one statement (attacker text made storable: NUL and lone surrogates become
 * U+FFFD); a row whose uuid is stored already inserts nothing.
 * @returns the uuids actually inserted.
 * @throws the driver's error (classify it with isDataOrConstraintError / isForeignKeyError).
 */
export async function insertTags(db: Queryable, rows: readonly NewTagRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const values: unknown[] = [];
  const tuples = rows.map((r) => {
    const cells = [
      r.uuid,
      r.source_kind,
      pgText(r.source_id),
      r.attacker_uuid,
      r.identity_uuid,
      pgText(r.session_id),
      pgText(r.decky_id),
      r.tactic,
      r.technique_id,
      r.sub_technique_id,
      r.confidence,
      r.rule_id,
      r.rule_version,
      pgJson(r.evidence),
      r.attack_release,
      r.mitre_url,
    ];
    const base = values.length;
    values.push(...cells);
    return `(${cells.map((_, i) => `$${base + i + 1}${TAG_COLUMNS[i] === 'evidence' ? '::jsonb' : ''}`).join(', ')})`;
  });
  const { rows: inserted } = await db.query<{ uuid: string }>(
    `INSERT INTO ttp_tag (${TAG_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (uuid) DO NOTHING RETURNING uuid::text AS uuid`,
    values,
  );
  return new Set(inserted.map((r) => r.uuid));
}

/** Every operator override in `ttp_rule_state`. */
export async function readRuleStates(db: Queryable): Promise<RuleStateRow[]> {
  return (await db.query<RuleStateRow>('SELECT rule_id, state, confidence_max, expires_at FROM ttp_rule_state')).rows;
}

/** The stored intel of an attacker (the enrichment columns, nulls included), or undefined. */
export async function readAttackerIntel(db: Queryable, attackerUuid: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(`SELECT ${INTEL_COLUMNS} FROM attacker_intel WHERE attacker_uuid = $1::uuid`, [attackerUuid]);
  return rows[0];
}

/**
 * The identity's most sprayed secret: the SHA-256 its attackers tried against the most distinct
 * accounts (ties: the smallest hash), or undefined when they tried none with an account.
 */
export async function readSprayedSecret(db: Queryable, identityUuid: string): Promise<SprayedSecret | undefined> {
  return (await db.query<SprayedSecret>(SPRAYED_SECRET, [identityUuid])).rows[0];
}

/** The uuids of `uuids` that are stored attacker identities. */
export async function existingIdentities(db: Queryable, uuids: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ uuid: string }>('SELECT uuid::text AS uuid FROM attacker_identities WHERE uuid = ANY($1::uuid[])', [uuids]);
  return new Set(rows.map((r) => r.uuid));
}

/** Tags newest first, at most `limit`: every one, or those of the attacker `attackerUuid`. */
export async function listTags(db: Queryable, options: { limit: number; attackerUuid?: string | undefined }): Promise<TagListRow[]> {
  const params: unknown[] = [options.limit];
  const where = options.attackerUuid ? `WHERE t.attacker_uuid = $2::uuid` : '';
  if (options.attackerUuid) params.push(options.attackerUuid);
  const sql = `SELECT ${LIST_COLUMNS} FROM ttp_tag t LEFT JOIN attackers a ON a.uuid = t.attacker_uuid ${where} ORDER BY t.created_at DESC, t.uuid LIMIT $1`;
  return (await db.query<TagListRow>(sql, params)).rows;
}

/** Tags oldest first for a STIX export: every one, or those of the attacker `attackerUuid`. */
export async function listTagsForExport(db: Queryable, attackerUuid?: string): Promise<TagListRow[]> {
  const where = attackerUuid ? 'WHERE t.attacker_uuid = $1::uuid' : '';
  const sql = `SELECT ${LIST_COLUMNS} FROM ttp_tag t LEFT JOIN attackers a ON a.uuid = t.attacker_uuid ${where} ORDER BY t.created_at, t.uuid`;
  return (await db.query<TagListRow>(sql, attackerUuid ? [attackerUuid] : [])).rows;
}
