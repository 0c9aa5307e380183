// The ttp worker's database access: anchors resolved in one query per batch (with an address
// cache), tags inserted idempotently (ON CONFLICT DO NOTHING RETURNING uuid), operator rule
// states, the stored intel row for catch-up, and the IPv6-leak columns of attackers.
import type { RuleState, TagCandidate } from '@decnet/ttp-engine';
import type pg from 'pg';
import type { Anchor } from './jobs.js';

/** Addresses → attacker uuids remembered; beyond this the oldest are forgotten. */
const ADDRESS_CACHE_SIZE = 50_000;

/** An anchor that exists in the database. */
export interface ResolvedAnchor {
  readonly attackerUuid: string | null;
  readonly identityUuid: string | null;
}

/** Resolves anchors against `attackers` and `attacker_identities`, caching address → uuid. */
export class AnchorResolver {
  private readonly byIp = new Map<string, { uuid: string; identity: string | null }>();

  constructor(private readonly pool: pg.Pool) {}

  /** Forgets a cached attacker (it was deleted), by uuid or address. */
  forget(key: string): void {
    this.byIp.delete(key);
    for (const [ip, v] of this.byIp) if (v.uuid === key) this.byIp.delete(ip);
  }

  /** One answer per anchor: what exists, or undefined when nothing does yet. */
  async resolve(anchors: readonly Anchor[]): Promise<(ResolvedAnchor | undefined)[]> {
    const uuids = new Set<string>();
    const ips = new Set<string>();
    const identities = new Set<string>();
    for (const a of anchors) {
      if (a.attackerUuid) uuids.add(a.attackerUuid);
      if (a.attackerIp && !this.byIp.has(a.attackerIp)) ips.add(a.attackerIp);
      if (a.identityUuid) identities.add(a.identityUuid);
    }
    const attackersByUuid = new Map<string, string | null>();
    if (uuids.size > 0 || ips.size > 0) {
      const { rows } = await this.pool.query<{ uuid: string; ip: string; identity_id: string | null }>(
        'SELECT uuid::text AS uuid, ip, identity_id::text AS identity_id FROM attackers WHERE uuid = ANY($1::uuid[]) OR ip = ANY($2::text[])',
        [[...uuids], [...ips]],
      );
      for (const row of rows) {
        attackersByUuid.set(row.uuid, row.identity_id);
        this.remember(row.ip, row.uuid, row.identity_id);
      }
    }
    const knownIdentities = new Set<string>();
    if (identities.size > 0) {
      const { rows } = await this.pool.query<{ uuid: string }>('SELECT uuid::text AS uuid FROM attacker_identities WHERE uuid = ANY($1::uuid[])', [
        [...identities],
      ]);
      for (const row of rows) knownIdentities.add(row.uuid);
    }
    return anchors.map((a) => {
      let attackerUuid: string | null = null;
      let identityUuid: string | null = a.identityUuid && knownIdentities.has(a.identityUuid) ? a.identityUuid : null;
      if (a.attackerUuid && attackersByUuid.has(a.attackerUuid)) {
        attackerUuid = a.attackerUuid;
        identityUuid ??= attackersByUuid.get(a.attackerUuid) ?? null;
      } else if (a.attackerIp) {
        const cached = this.byIp.get(a.attackerIp);
        if (cached) {
          attackerUuid = cached.uuid;
          identityUuid ??= cached.identity;
        }
      }
      return attackerUuid === null && identityUuid === null ? undefined : { attackerUuid, identityUuid };
    });
  }

  private remember(ip: string, uuid: string, identity: string | null): void {
    this.byIp.delete(ip);
    this.byIp.set(ip, { uuid, identity });
    if (this.byIp.size > ADDRESS_CACHE_SIZE) {
      const oldest = this.byIp.keys().next().value;
      if (oldest !== undefined) this.byIp.delete(oldest);
    }
  }
}

/** One row to insert. */
export interface TagRow {
  readonly tag: TagCandidate;
  readonly attackerUuid: string | null;
  readonly identityUuid: string | null;
  readonly sessionId: string | null;
  readonly deckyId: string | null;
}

const COLUMNS = [
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

/** Postgres text cannot hold NUL, nor jsonb lone surrogates; attacker text may contain both. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const pgText = (s: string | null): string | null => (s === null ? null : s.replace(UNSAFE, '\uFFFD'));
const pgJson = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? pgText(v) : v));

/**
 * Inserts `rows` in one statement; returns the uuids actually inserted (replays insert none).
 * @throws the driver's error (the caller classifies it).
 */
export async function insertTags(pool: pg.Pool, rows: readonly TagRow[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const values: unknown[] = [];
  const tuples = rows.map((r) => {
    const t = r.tag;
    const cells = [
      t.uuid,
      t.sourceKind,
      pgText(t.sourceId),
      r.identityUuid !== null && t.identityOnly ? null : r.attackerUuid,
      r.identityUuid,
      pgText(r.sessionId),
      pgText(r.deckyId),
      t.tactic,
      t.techniqueId,
      t.subTechniqueId,
      t.confidence,
      t.ruleId,
      t.ruleVersion,
      pgJson(t.evidence),
      t.attackRelease,
      t.mitreUrl,
    ];
    const base = values.length;
    values.push(...cells);
    return `(${cells.map((_, i) => `$${base + i + 1}${COLUMNS[i] === 'evidence' ? '::jsonb' : ''}`).join(', ')})`;
  });
  const { rows: inserted } = await pool.query<{ uuid: string }>(
    `INSERT INTO ttp_tag (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (uuid) DO NOTHING RETURNING uuid::text AS uuid`,
    values,
  );
  return new Set(inserted.map((r) => r.uuid));
}

/** Operator overrides from `ttp_rule_state`. */
export async function readRuleStates(pool: pg.Pool): Promise<Map<string, RuleState>> {
  const { rows } = await pool.query<{ rule_id: string; state: string; confidence_max: number | null; expires_at: Date | null }>(
    'SELECT rule_id, state, confidence_max, expires_at FROM ttp_rule_state',
  );
  const states = new Map<string, RuleState>();
  for (const row of rows) {
    if (row.state !== 'enabled' && row.state !== 'disabled' && row.state !== 'clipped') continue;
    states.set(row.rule_id, { state: row.state, confidenceMax: row.confidence_max, expiresAt: row.expires_at });
  }
  return states;
}

/** The attacker's stored intel as an `attacker.intel.enriched`-shaped payload, or undefined. */
export async function readIntel(pool: pg.Pool, attackerUuid: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await pool.query<Record<string, unknown>>(
    `SELECT attacker_ip, greynoise_classification, greynoise_name, greynoise_tags, abuseipdb_score, abuseipdb_categories,
            feodo_listed, feodo_malware_family, threatfox_threat_types, threatfox_ioc_types, threatfox_malware_families, aggregate_verdict
       FROM attacker_intel WHERE attacker_uuid = $1::uuid`,
    [attackerUuid],
  );
  const row = rows[0];
  if (!row) return undefined;
  const payload: Record<string, unknown> = { attacker_uuid: attackerUuid };
  for (const [key, value] of Object.entries(row)) if (value !== null) payload[key] = value;
  if (typeof payload.aggregate_verdict === 'string') payload.verdict = payload.aggregate_verdict;
  return payload;
}

/**
 * The identity's most sprayed secret: the SHA-256 tried against the most distinct accounts by
 * its attackers (identity.formed carries no such field, so upstream's R0003 never fired).
 */
export async function readIdentitySpraying(pool: pg.Pool, identityUuid: string): Promise<{ shared_password_hash: string; account_count: number } | undefined> {
  const { rows } = await pool.query<{ secret_sha256: string; accounts: number }>(
    `SELECT c.secret_sha256, count(DISTINCT c.principal_key)::int AS accounts
       FROM credentials c JOIN attackers a ON a.ip = c.attacker_ip
      WHERE a.identity_id = $1::uuid AND c.principal_key <> ''
      GROUP BY c.secret_sha256 ORDER BY accounts DESC, c.secret_sha256 LIMIT 1`,
    [identityUuid],
  );
  const row = rows[0];
  return row ? { shared_password_hash: row.secret_sha256, account_count: row.accounts } : undefined;
}

/** Records an IPv6 link-local leak on the attacker (upstream's denormalised columns). */
export async function bumpIpv6Leak(pool: pg.Pool, attackerUuid: string, evidence: Readonly<Record<string, unknown>>): Promise<void> {
  const s = (k: string, max: number): string | null => (typeof evidence[k] === 'string' ? (evidence[k] as string).slice(0, max) : null);
  await pool.query(
    `UPDATE attackers SET ipv6_leak_count = ipv6_leak_count + 1, last_ipv6_leak_at = now(),
            last_ipv6_link_local = COALESCE($2, last_ipv6_link_local), last_ipv6_iid_kind = COALESCE($3, last_ipv6_iid_kind),
            last_ipv6_mac_oui = COALESCE($4, last_ipv6_mac_oui), updated_at = now()
      WHERE uuid = $1::uuid`,
    [attackerUuid, s('addr', 45), s('iid_kind', 16), s('mac_oui', 8)],
  );
}

/** SQLSTATE classes that retrying cannot fix (bad data, constraint violations). */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** A foreign key violation: the anchor vanished between resolve and insert. */
export function isForeignKeyError(err: unknown): boolean {
  return (err as { code?: unknown }).code === '23503';
}
