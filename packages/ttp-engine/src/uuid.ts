// Deterministic identifiers: RFC 9562 UUIDv5 (SHA-1, name-based) on node:crypto, the ttp_tag
// namespace and the tag id over upstream's locked six-field tuple.
import { createHash } from 'node:crypto';

/** RFC 9562 namespace for URLs. */
export const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
/** `uuid5(URL, "decnet:ttp_tag:v1")`: the namespace of every tag id (upstream's, unchanged). */
export const TTP_TAG_NAMESPACE = '1ca31f08-5522-5aae-8371-fe81f0e39de3';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` is a UUID in canonical textual form (any version). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

/**
 * UUIDv5 of `name` (UTF-8) in `namespace`.
 * @throws TypeError when `namespace` is not a UUID.
 */
export function uuidv5(namespace: string, name: string): string {
  if (!isUuid(namespace)) throw new TypeError(`not a UUID namespace: ${namespace}`);
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The six fields a tag id is derived from (upstream's locked tuple, in order). */
export interface TagKey {
  readonly sourceKind: string;
  readonly sourceId: string;
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly techniqueId: string;
  /** `null`/`undefined` hash as the empty string, as upstream's `None`. */
  readonly subTechniqueId?: string | null;
}

/**
 * The deterministic tag id: `uuid5(TTP_TAG_NAMESPACE, "kind|source|rule|version|technique|sub")`.
 * Replays of the same source produce the same id, so inserts are idempotent.
 */
export function tagUuid(key: TagKey): string {
  const name = [key.sourceKind, key.sourceId, key.ruleId, String(key.ruleVersion), key.techniqueId, key.subTechniqueId ?? ''].join('|');
  return uuidv5(TTP_TAG_NAMESPACE, name);
}
