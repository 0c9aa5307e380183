// STIX 2.1 export: attackers as threat actors with their addresses as observed data, ATT&CK
// techniques as attack patterns (MITRE's ids when an official bundle is loaded), `uses`
// relationships, and one sighting per tag; plus a checker of the properties the spec requires.
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { AttackCatalog } from './attack-catalog.js';
import { mitreUrl } from './attack-catalog.js';
import { isUuid, uuidv5 } from './uuid.js';

/** Namespace of decnet's STIX ids (upstream's). */
export const STIX_NAMESPACE = 'b5d2c3a1-8f4e-4d1b-9a6c-0e7f5b3d2c1a';
/** STIX 2.1 §2.9: namespace of deterministic SCO ids. */
export const STIX_SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7';

/** An attacker row, as exported. */
export interface StixAttackerInput {
  readonly uuid: string;
  readonly ip: string;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly countryCode?: string | null;
  readonly asn?: number | null;
  readonly asName?: string | null;
}

/** A tag row, as exported. */
export interface StixTagInput {
  readonly uuid: string;
  readonly attackerUuid?: string | null;
  readonly identityUuid?: string | null;
  readonly techniqueId: string;
  readonly subTechniqueId?: string | null;
  readonly tactic: string;
  readonly confidence: number;
  readonly ruleId: string;
  readonly sourceKind: string;
  readonly sessionId?: string | null;
  readonly createdAt: Date;
}

/** A STIX object (loosely typed: properties vary by type). */
export type StixObject = { readonly type: string; readonly id: string } & Readonly<Record<string, unknown>>;

/** A STIX 2.1 bundle. */
export interface StixBundle {
  readonly type: 'bundle';
  readonly id: string;
  readonly objects: readonly StixObject[];
}

const stamp = (d: Date): string => d.toISOString();
const sid = (type: string, name: string): string => `${type}--${uuidv5(STIX_NAMESPACE, name)}`;

/**
 * Builds the bundle. Ids are deterministic (re-exporting gives the same ids), the bundle id is
 * fresh. Tags whose attacker is not in `attackers` still yield sightings, without observed data.
 */
export function buildStixBundle(input: {
  readonly attackers: readonly StixAttackerInput[];
  readonly tags: readonly StixTagInput[];
  readonly attack: AttackCatalog;
  readonly now?: Date;
}): StixBundle {
  const now = stamp(input.now ?? new Date());
  const objects: StixObject[] = [];
  const org = sid('identity', 'decnet-honeypot');
  objects.push({
    type: 'identity',
    spec_version: '2.1',
    id: org,
    created: now,
    modified: now,
    name: 'DECNET honeypot network',
    identity_class: 'organization',
  });

  const actors = new Map<string, { actor: string; observed?: string }>();
  for (const a of input.attackers) {
    const version = isIP(a.ip);
    const first = stamp(a.firstSeen);
    const last = stamp(a.lastSeen < a.firstSeen ? a.firstSeen : a.lastSeen);
    let observed: string | undefined;
    if (version !== 0) {
      const type = version === 4 ? 'ipv4-addr' : 'ipv6-addr';
      const sco = `${type}--${uuidv5(STIX_SCO_NAMESPACE, JSON.stringify({ value: a.ip }))}`;
      objects.push({ type, spec_version: '2.1', id: sco, value: a.ip });
      observed = sid('observed-data', `observed:${a.uuid}`);
      objects.push({
        type: 'observed-data',
        spec_version: '2.1',
        id: observed,
        created_by_ref: org,
        created: now,
        modified: now,
        first_observed: first,
        last_observed: last,
        number_observed: 1,
        object_refs: [sco],
      });
    }
    const actor = sid('threat-actor', a.uuid);
    objects.push({
      type: 'threat-actor',
      spec_version: '2.1',
      id: actor,
      created_by_ref: org,
      created: now,
      modified: now,
      name: `DECNET-attacker-${a.uuid.slice(0, 8)}`,
      threat_actor_types: ['unknown'],
      first_seen: first,
      last_seen: last,
      x_decnet_attacker_uuid: a.uuid,
      x_decnet_ip: a.ip,
      ...(a.countryCode ? { x_decnet_country_code: a.countryCode } : {}),
      ...(typeof a.asn === 'number' ? { x_decnet_asn: a.asn } : {}),
      ...(a.asName ? { x_decnet_as_name: a.asName } : {}),
    });
    actors.set(a.uuid, { actor, ...(observed === undefined ? {} : { observed }) });
  }

  const patterns = new Map<string, string>();
  const patternFor = (techniqueId: string): string => {
    const known = patterns.get(techniqueId);
    if (known) return known;
    const t = input.attack.technique(techniqueId);
    const id = t?.stixId && /^attack-pattern--/.test(t.stixId) ? t.stixId : sid('attack-pattern', `mitre-attack:${techniqueId}`);
    objects.push({
      type: 'attack-pattern',
      spec_version: '2.1',
      id,
      created: now,
      modified: now,
      name: t?.displayName ?? techniqueId,
      external_references: [{ source_name: 'mitre-attack', external_id: techniqueId, url: t?.url ?? mitreUrl(techniqueId) }],
      ...(t ? { kill_chain_phases: t.tactics.map((phase) => ({ kill_chain_name: 'mitre-attack', phase_name: phase })) } : {}),
      x_decnet_attack_release: input.attack.release,
    });
    patterns.set(techniqueId, id);
    return id;
  };

  const identityActors = new Map<string, string>();
  const actorFor = (tag: StixTagInput): { actor: string; observed?: string } | undefined => {
    if (tag.attackerUuid) {
      const known = actors.get(tag.attackerUuid);
      if (known) return known;
    }
    if (!tag.identityUuid) return undefined;
    let actor = identityActors.get(tag.identityUuid);
    if (!actor) {
      actor = sid('threat-actor', `identity:${tag.identityUuid}`);
      objects.push({
        type: 'threat-actor',
        spec_version: '2.1',
        id: actor,
        created_by_ref: org,
        created: now,
        modified: now,
        name: `DECNET-identity-${tag.identityUuid.slice(0, 8)}`,
        threat_actor_types: ['unknown'],
        x_decnet_identity_uuid: tag.identityUuid,
      });
      identityActors.set(tag.identityUuid, actor);
    }
    return { actor };
  };

  const uses = new Set<string>();
  for (const tag of input.tags) {
    const technique = tag.subTechniqueId ?? tag.techniqueId;
    const pattern = patternFor(technique);
    const who = actorFor(tag);
    if (who) {
      const key = `${who.actor}|${pattern}`;
      if (!uses.has(key)) {
        uses.add(key);
        objects.push({
          type: 'relationship',
          spec_version: '2.1',
          id: sid('relationship', `uses:${key}`),
          created_by_ref: org,
          created: now,
          modified: now,
          relationship_type: 'uses',
          source_ref: who.actor,
          target_ref: pattern,
        });
      }
    }
    const seen = stamp(tag.createdAt);
    objects.push({
      type: 'sighting',
      spec_version: '2.1',
      id: isUuid(tag.uuid) ? `sighting--${tag.uuid.toLowerCase()}` : sid('sighting', tag.uuid),
      created_by_ref: org,
      created: now,
      modified: now,
      sighting_of_ref: pattern,
      first_seen: seen,
      last_seen: seen,
      count: 1,
      where_sighted_refs: [org],
      ...(who?.observed ? { observed_data_refs: [who.observed] } : {}),
      confidence: Math.round(Math.min(1, Math.max(0, tag.confidence)) * 100),
      x_decnet_rule_id: tag.ruleId,
      x_decnet_tactic: tag.tactic,
      x_decnet_source_kind: tag.sourceKind,
      ...(tag.sessionId ? { x_decnet_session_id: tag.sessionId } : {}),
    });
  }
  return { type: 'bundle', id: `bundle--${randomUUID()}`, objects };
}

// ----- checking -------------------------------------------------------------------------------

const STIX_ID = /^([a-z0-9][a-z0-9-]*[a-z0-9])--([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
/** Cyber-observable types (no created/modified). */
const SCO_TYPES = new Set(['ipv4-addr', 'ipv6-addr', 'domain-name', 'file', 'process', 'url', 'network-traffic', 'email-addr']);
/** Required properties per type (STIX 2.1 §4-§7), beyond type/id/spec_version/created/modified. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  identity: ['name'],
  'threat-actor': ['name'],
  'attack-pattern': ['name'],
  'observed-data': ['first_observed', 'last_observed', 'number_observed', 'object_refs'],
  relationship: ['relationship_type', 'source_ref', 'target_ref'],
  sighting: ['sighting_of_ref'],
  'ipv4-addr': ['value'],
  'ipv6-addr': ['value'],
};
const COMMON = new Set([
  'type', 'spec_version', 'id', 'created_by_ref', 'created', 'modified', 'revoked', 'labels', 'confidence', 'lang',
  'external_references', 'object_marking_refs', 'granular_markings', 'extensions', 'defanged',
]);
const CUSTOM_NAME = /^x_[a-z0-9_]{1,248}$/;

/**
 * Checks a bundle against the STIX 2.1 rules this exporter relies on: id syntax, unique ids,
 * spec_version, timestamps (modified >= created), required properties per type, references
 * that resolve inside the bundle, custom property names, confidence range. Returns problems (empty = valid).
 */
export function validateStixBundle(bundle: unknown): string[] {
  const problems: string[] = [];
  const b = bundle as { type?: unknown; id?: unknown; objects?: unknown };
  if (!b || b.type !== 'bundle') return ['not a bundle (type must be "bundle")'];
  if (typeof b.id !== 'string' || STIX_ID.exec(b.id)?.[1] !== 'bundle') problems.push('bundle id must be bundle--<uuid>');
  if (!Array.isArray(b.objects)) return [...problems, 'bundle objects must be a list'];
  const ids = new Set<string>();
  for (const o of b.objects as Record<string, unknown>[]) {
    const id = typeof o.id === 'string' ? o.id : '';
    const m = STIX_ID.exec(id);
    if (!m || m[1] !== o.type) problems.push(`${id || '(no id)'}: id must be ${String(o.type)}--<uuid>`);
    if (ids.has(id)) problems.push(`${id}: duplicate id`);
    ids.add(id);
  }
  for (const o of b.objects as Record<string, unknown>[]) {
    const id = String(o.id);
    const type = String(o.type);
    if (o.spec_version !== '2.1') problems.push(`${id}: spec_version must be "2.1"`);
    const known = type in REQUIRED;
    if (!SCO_TYPES.has(type)) {
      for (const key of ['created', 'modified']) {
        if (typeof o[key] !== 'string' || !TIMESTAMP.test(o[key] as string)) problems.push(`${id}: ${key} must be an RFC 3339 UTC timestamp`);
      }
      const [created, modified] = [o.created, o.modified].map((v) => (typeof v === 'string' && TIMESTAMP.test(v) ? Date.parse(v) : Number.NaN));
      if ((modified as number) < (created as number)) problems.push(`${id}: modified precedes created`);
    }
    for (const key of REQUIRED[type] ?? []) if (o[key] === undefined || o[key] === null || o[key] === '') problems.push(`${id}: missing required ${key}`);
    if (type === 'observed-data') {
      const n = o.number_observed;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 999_999_999) problems.push(`${id}: number_observed must be 1..999999999`);
      if (!Array.isArray(o.object_refs) || o.object_refs.length === 0) problems.push(`${id}: object_refs must be a non-empty list`);
    }
    if (o.confidence !== undefined && !(Number.isInteger(o.confidence) && (o.confidence as number) >= 0 && (o.confidence as number) <= 100)) {
      problems.push(`${id}: confidence must be an integer 0..100`);
    }
    for (const [key, value] of Object.entries(o)) {
      if (key.endsWith('_ref') && (typeof value !== 'string' || !ids.has(value))) problems.push(`${id}: ${key} does not resolve in the bundle`);
      if (key.endsWith('_refs')) {
        if (!Array.isArray(value)) problems.push(`${id}: ${key} must be a list`);
        else for (const ref of value) if (typeof ref !== 'string' || !ids.has(ref)) problems.push(`${id}: ${key} entry ${String(ref)} does not resolve`);
      }
      if (known && !COMMON.has(key) && !key.startsWith('x_') && !isSpecProperty(type, key)) problems.push(`${id}: unknown property ${key}`);
      if (key.startsWith('x_') && !CUSTOM_NAME.test(key)) problems.push(`${id}: custom property ${key} is not a valid name`);
    }
  }
  return problems;
}

/** Spec-defined optional properties per type that the exporter may write. */
const OPTIONAL: Readonly<Record<string, readonly string[]>> = {
  identity: ['name', 'identity_class', 'description', 'roles', 'sectors', 'contact_information'],
  'threat-actor': ['name', 'threat_actor_types', 'first_seen', 'last_seen', 'description', 'aliases', 'roles', 'goals', 'sophistication'],
  'attack-pattern': ['name', 'kill_chain_phases', 'description', 'aliases'],
  'observed-data': ['first_observed', 'last_observed', 'number_observed', 'object_refs'],
  relationship: ['relationship_type', 'source_ref', 'target_ref', 'description', 'start_time', 'stop_time'],
  sighting: ['sighting_of_ref', 'first_seen', 'last_seen', 'count', 'observed_data_refs', 'where_sighted_refs', 'summary', 'description'],
  'ipv4-addr': ['value', 'resolves_to_refs', 'belongs_to_refs'],
  'ipv6-addr': ['value', 'resolves_to_refs', 'belongs_to_refs'],
};

function isSpecProperty(type: string, key: string): boolean {
  return OPTIONAL[type]?.includes(key) ?? false;
}
