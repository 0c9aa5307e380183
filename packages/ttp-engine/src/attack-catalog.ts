// Lookups over ATT&CK data (technique names as "Parent: Child", tactics by id or short name,
// attack.mitre.org URLs), the reader of an official enterprise-attack STIX bundle, and the
// comparison of the curated extract against such a bundle.
import { readFileSync } from 'node:fs';
import { CURATED_ATTACK_DATA, type AttackData, type AttackTacticRecord, type AttackTechniqueRecord } from './attack-data.js';
import { AttackBundleError, UnknownTechniqueError } from './errors.js';

/** A technique as the engine uses it. */
export interface AttackTechnique extends AttackTechniqueRecord {
  /** `Brute Force: Password Guessing` for a sub-technique, the own name otherwise (upstream's technique_name). */
  readonly displayName: string;
  /** `T1110` for `T1110.001`; undefined for a parent technique. */
  readonly parentId?: string;
  readonly url: string;
}

const TECHNIQUE_ID = /^T\d{4}(?:\.\d{3})?$/;
const TACTIC_ID = /^TA\d{4}$/;

/** The attack.mitre.org page of a technique, sub-technique or tactic id. */
export function mitreUrl(id: string): string {
  if (TACTIC_ID.test(id)) return `https://attack.mitre.org/tactics/${id}/`;
  const [parent, sub] = id.split('.');
  return sub === undefined ? `https://attack.mitre.org/techniques/${parent}/` : `https://attack.mitre.org/techniques/${parent}/${sub}/`;
}

/**
 * Read-only ATT&CK lookups over one {@link AttackData}.
 *
 * ```ts
 * const attack = AttackCatalog.curated();
 * attack.techniqueName('T1110.001'); // 'Brute Force: Password Guessing'
 * attack.tactic('credential-access')?.id; // 'TA0006'
 * ```
 */
export class AttackCatalog {
  private readonly techniques = new Map<string, AttackTechnique>();
  private readonly tactics = new Map<string, AttackTacticRecord>();

  constructor(readonly data: AttackData) {
    for (const t of data.tactics) {
      this.tactics.set(t.id, t);
      this.tactics.set(t.shortName, t);
    }
    const own = new Map(data.techniques.map((t) => [t.id, t]));
    for (const t of data.techniques) {
      const parentId = t.id.includes('.') ? t.id.split('.')[0] : undefined;
      const parent = parentId === undefined ? undefined : own.get(parentId);
      this.techniques.set(t.id, {
        ...t,
        displayName: parent ? `${parent.name}: ${t.name}` : t.name,
        ...(parentId === undefined ? {} : { parentId }),
        url: mitreUrl(t.id),
      });
    }
  }

  /** The catalog over the curated extract shipped in this package. */
  static curated(): AttackCatalog {
    return new AttackCatalog(CURATED_ATTACK_DATA);
  }

  /** Release label (`v15.1`) written on tags. */
  get release(): string {
    return this.data.release;
  }

  /** The technique or sub-technique `id`, or undefined. */
  technique(id: string): AttackTechnique | undefined {
    return this.techniques.get(id);
  }

  /** The tactic with this id (`TA0006`) or short name (`credential-access`), or undefined. */
  tactic(idOrShortName: string): AttackTacticRecord | undefined {
    return this.tactics.get(idOrShortName);
  }

  /**
   * "Parent: Child" for a sub-technique, the name otherwise.
   * @throws UnknownTechniqueError
   */
  techniqueName(id: string): string {
    const t = this.techniques.get(id);
    if (!t) throw new UnknownTechniqueError(id);
    return t.displayName;
  }

  /** Every technique, sorted by id. */
  allTechniques(): AttackTechnique[] {
    return [...this.techniques.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Every tactic in ATT&CK's matrix order. */
  allTactics(): readonly AttackTacticRecord[] {
    return this.data.tactics;
  }
}

// ----- official bundles -------------------------------------------------------------------------

interface StixObject {
  type?: unknown;
  id?: unknown;
  name?: unknown;
  revoked?: unknown;
  x_mitre_deprecated?: unknown;
  x_mitre_shortname?: unknown;
  x_mitre_version?: unknown;
  external_references?: unknown;
  kill_chain_phases?: unknown;
}

function externalId(o: StixObject): string | undefined {
  if (!Array.isArray(o.external_references)) return undefined;
  for (const ref of o.external_references as { source_name?: unknown; external_id?: unknown }[]) {
    if (ref && ref.source_name === 'mitre-attack' && typeof ref.external_id === 'string') return ref.external_id;
  }
  return undefined;
}

/**
 * Reads the ATT&CK objects of an official `enterprise-attack` STIX 2.x bundle (from
 * mitre-attack/attack-stix-data): active techniques and sub-techniques, tactics, and the release
 * from its `x-mitre-collection` object. Revoked and deprecated objects are skipped. The whole
 * bundle is parsed in memory (about 50 MB of JSON), then only the extract is kept.
 * @throws AttackBundleError when the file is unreadable, not JSON, or holds no ATT&CK objects.
 */
export function parseAttackBundle(text: string, origin: string): AttackData {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new AttackBundleError(origin, 'not JSON', { cause: err });
  }
  const objects = (doc as { type?: unknown; objects?: unknown } | null)?.objects;
  if (!doc || (doc as { type?: unknown }).type !== 'bundle' || !Array.isArray(objects)) {
    throw new AttackBundleError(origin, 'not a STIX bundle (expected {"type": "bundle", "objects": [...]})');
  }
  const tactics: AttackTacticRecord[] = [];
  const techniques: AttackTechniqueRecord[] = [];
  let release: string | undefined;
  for (const o of objects as StixObject[]) {
    if (!o || typeof o !== 'object') continue;
    if (o.type === 'x-mitre-collection' && typeof o.x_mitre_version === 'string') release = `v${o.x_mitre_version}`;
    if (o.revoked === true || o.x_mitre_deprecated === true) continue;
    const id = externalId(o);
    if (id === undefined || typeof o.name !== 'string') continue;
    if (o.type === 'x-mitre-tactic' && TACTIC_ID.test(id) && typeof o.x_mitre_shortname === 'string') {
      tactics.push({ id, shortName: o.x_mitre_shortname, name: o.name });
    } else if (o.type === 'attack-pattern' && TECHNIQUE_ID.test(id)) {
      const phases = Array.isArray(o.kill_chain_phases) ? (o.kill_chain_phases as { kill_chain_name?: unknown; phase_name?: unknown }[]) : [];
      techniques.push({
        id,
        name: o.name,
        tactics: phases.filter((p) => p && p.kill_chain_name === 'mitre-attack' && typeof p.phase_name === 'string').map((p) => p.phase_name as string),
        ...(typeof o.id === 'string' ? { stixId: o.id } : {}),
      });
    }
  }
  if (techniques.length === 0 || tactics.length === 0) throw new AttackBundleError(origin, 'holds no ATT&CK techniques or tactics');
  return { domain: 'enterprise-attack', release: release ?? 'unknown', curated: false, origin, tactics, techniques };
}

/**
 * Reads an official bundle from `path`.
 * @throws AttackBundleError
 */
export function loadAttackBundle(path: string): AttackData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AttackBundleError(path, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  return parseAttackBundle(text, path);
}

/** One difference between two ATT&CK extracts. */
export interface AttackMismatch {
  /** Technique or tactic id, or `release`. */
  readonly id: string;
  readonly kind: 'missing' | 'name' | 'tactics' | 'release';
  readonly expected: string;
  readonly actual: string;
}

/**
 * Compares `data` (normally the curated extract) with an official extract: every technique and
 * tactic of `data` must exist in `official` with the same name and tactics. Extra objects in
 * `official` are fine. An empty list means the curated file agrees with that release.
 */
export function compareAttackData(data: AttackData, official: AttackData): AttackMismatch[] {
  const out: AttackMismatch[] = [];
  if (data.release !== official.release) out.push({ id: 'release', kind: 'release', expected: data.release, actual: official.release });
  const tactics = new Map(official.tactics.map((t) => [t.id, t]));
  for (const t of data.tactics) {
    const o = tactics.get(t.id);
    if (!o) out.push({ id: t.id, kind: 'missing', expected: t.name, actual: '' });
    else if (o.name !== t.name || o.shortName !== t.shortName) {
      out.push({ id: t.id, kind: 'name', expected: `${t.name} (${t.shortName})`, actual: `${o.name} (${o.shortName})` });
    }
  }
  const techniques = new Map(official.techniques.map((t) => [t.id, t]));
  for (const t of data.techniques) {
    const o = techniques.get(t.id);
    if (!o) {
      out.push({ id: t.id, kind: 'missing', expected: t.name, actual: '' });
      continue;
    }
    if (o.name !== t.name) out.push({ id: t.id, kind: 'name', expected: t.name, actual: o.name });
    const a = [...t.tactics].sort().join(',');
    const b = [...o.tactics].sort().join(',');
    if (a !== b) out.push({ id: t.id, kind: 'tactics', expected: a, actual: b });
  }
  return out;
}

/**
 * The ATT&CK data to run with: the official bundle named by `DECNET_ATTACK_BUNDLE` when set
 * (its names, tactics, STIX ids and release win), else the curated extract.
 * @throws AttackBundleError when the variable names an unusable file (fail closed, as upstream).
 */
export function resolveAttackCatalog(env: Readonly<Record<string, string | undefined>>): AttackCatalog {
  const path = env.DECNET_ATTACK_BUNDLE?.trim();
  if (!path) return AttackCatalog.curated();
  return new AttackCatalog(loadAttackBundle(path));
}
