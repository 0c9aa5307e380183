// The ttp worker's records and @decnet/db's repositories: anchors resolved in one lookup per
// batch (with an address cache), tags mapped onto `ttp_tag` rows, operator rule states, the
// stored intel and an identity's sprayed secret as tagging payloads, and the IPv6-leak columns.
import {
  existingIdentities,
  findAttackers,
  insertTags as insertTagRows,
  readAttackerIntel,
  readRuleStates as readRuleStateRows,
  readSprayedSecret,
  recordIpv6Leak,
  type NewTagRow,
  type Queryable,
} from '@decnet/db';
import type { RuleState, TagCandidate } from '@decnet/ttp-engine';
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

  constructor(private readonly db: Queryable) {}

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
      for (const row of await findAttackers(this.db, [...uuids], [...ips])) {
        attackersByUuid.set(row.uuid, row.identity_id);
        this.remember(row.ip, row.uuid, row.identity_id);
      }
    }
    const knownIdentities = identities.size > 0 ? await existingIdentities(this.db, [...identities]) : new Set<string>();
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

/** One tag to store, with its resolved anchor. */
export interface TagRow {
  readonly tag: TagCandidate;
  readonly attackerUuid: string | null;
  readonly identityUuid: string | null;
  readonly sessionId: string | null;
  readonly deckyId: string | null;
}

/** The `ttp_tag` row of a tag: an identity-only tag anchored on an identity drops its attacker. */
export function toNewTagRow(r: TagRow): NewTagRow {
  const t = r.tag;
  return {
    uuid: t.uuid,
    source_kind: t.sourceKind,
    source_id: t.sourceId,
    attacker_uuid: r.identityUuid !== null && t.identityOnly ? null : r.attackerUuid,
    identity_uuid: r.identityUuid,
    session_id: r.sessionId,
    decky_id: r.deckyId,
    tactic: t.tactic,
    technique_id: t.techniqueId,
    sub_technique_id: t.subTechniqueId,
    confidence: t.confidence,
    rule_id: t.ruleId,
    rule_version: t.ruleVersion,
    evidence: t.evidence,
    attack_release: t.attackRelease,
    mitre_url: t.mitreUrl,
  };
}

/**
 * Inserts `rows` in one statement; returns the uuids actually inserted (replays insert none).
 * @throws the driver's error (the caller classifies it).
 */
export async function insertTags(db: Queryable, rows: readonly TagRow[]): Promise<Set<string>> {
  return insertTagRows(db, rows.map(toNewTagRow));
}

/** Operator overrides from `ttp_rule_state` (rows with an unknown state are ignored). */
export async function readRuleStates(db: Queryable): Promise<Map<string, RuleState>> {
  const states = new Map<string, RuleState>();
  for (const row of await readRuleStateRows(db)) {
    if (row.state !== 'enabled' && row.state !== 'disabled' && row.state !== 'clipped') continue;
    states.set(row.rule_id, { state: row.state, confidenceMax: row.confidence_max, expiresAt: row.expires_at });
  }
  return states;
}

/** The attacker's stored intel as an `attacker.intel.enriched`-shaped payload, or undefined. */
export async function readIntel(db: Queryable, attackerUuid: string): Promise<Record<string, unknown> | undefined> {
  const row = await readAttackerIntel(db, attackerUuid);
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
export async function readIdentitySpraying(db: Queryable, identityUuid: string): Promise<{ shared_password_hash: string; account_count: number } | undefined> {
  const row = await readSprayedSecret(db, identityUuid);
  return row ? { shared_password_hash: row.secret_sha256, account_count: row.accounts } : undefined;
}

/** Records an IPv6 link-local leak on the attacker, from the leak tag's evidence. */
export async function bumpIpv6Leak(db: Queryable, attackerUuid: string, evidence: Readonly<Record<string, unknown>>): Promise<void> {
  const s = (k: string): string | null => (typeof evidence[k] === 'string' ? (evidence[k] as string) : null);
  await recordIpv6Leak(db, attackerUuid, { addr: s('addr'), iidKind: s('iid_kind'), macOui: s('mac_oui') });
}
