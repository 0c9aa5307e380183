// Bundle records: several envelopes bound for one partition travel as one Kafka record, a JSON
// array of envelopes, marked by a `bundle` header. kafkajs spends most of a publisher's and a
// consumer's CPU per record (encoding, CRC, allocation) and the broker pays per record too, so
// the ingestion firehose sends one record per partition per flush instead of one per event.
// Events of one key still share a partition and keep their order (a bundle preserves it).
import { assertSubject, validateEnvelope, type Envelope } from '@decnet/core';

/** Longest subject accepted from the wire; matches the envelope's `topic` limit. */
const MAX_SUBJECT_LENGTH = 512;

/** True for a concrete subject a consumer may match and deliver. */
export function isValidSubject(subject: string): boolean {
  if (subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) return false;
  try {
    assertSubject(subject);
    return true;
  } catch {
    return false;
  }
}

/** Header that marks a bundle record; its value is the format version. */
export const BUNDLE_HEADER = 'bundle';
export const BUNDLE_VERSION = '1';
/** Largest bundle value: well under the topic's 1 MiB + 64 KiB record cap and one produce request. */
export const MAX_BUNDLE_BYTES = 512 * 1024;
/** Most envelopes in one bundle: bounds the work one record represents for a consumer. */
export const MAX_BUNDLE_EVENTS = 1_000;

const OPEN = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']');

/** Joins encoded envelopes (each a JSON object) into one bundle value. */
export function packBundle(values: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [OPEN];
  values.forEach((v, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(v);
  });
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

/**
 * Splits encoded envelopes (in order) into runs that each fit one bundle.
 * @param sizes byte length of each value
 */
export function bundleRuns(sizes: readonly number[]): [start: number, end: number][] {
  const runs: [number, number][] = [];
  let start = 0;
  let bytes = 2;
  for (let i = 0; i < sizes.length; i++) {
    const size = (sizes[i] as number) + 1;
    if (i > start && (bytes + size > MAX_BUNDLE_BYTES || i - start >= MAX_BUNDLE_EVENTS)) {
      runs.push([start, i]);
      start = i;
      bytes = 2;
    }
    bytes += size;
  }
  if (sizes.length > 0) runs.push([start, sizes.length]);
  return runs;
}

/** One element of a bundle: its envelope, or why it was refused. */
export type BundleElement = { ok: true; envelope: Envelope } | { ok: false; reason: string };

/**
 * Parses a bundle value. Never throws: a value that is not a JSON array fails as a whole;
 * otherwise each element succeeds or fails on its own (its subject is its envelope's `topic`).
 */
export function unpackBundle(value: Buffer): { ok: true; elements: BundleElement[] } | { ok: false; reason: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'bad_json' };
  }
  if (!Array.isArray(parsed)) return { ok: false, reason: 'bad_bundle' };
  if (parsed.length > MAX_BUNDLE_EVENTS) return { ok: false, reason: 'bundle_too_large' };
  const elements = parsed.map((item): BundleElement => {
    const decoded = validateEnvelope(item);
    if (!decoded.ok) return { ok: false, reason: decoded.reason };
    if (!isValidSubject(decoded.envelope.topic)) return { ok: false, reason: 'bad_subject' };
    return decoded;
  });
  return { ok: true, elements };
}
