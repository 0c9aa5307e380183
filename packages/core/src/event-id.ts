// Stable event ids, one scheme for every producer: the same content at the same position of the
// same stream always gets the same id, so a replay (restart, retry, resend) is deduplicated
// downstream, while two identical lines at different positions stay two events. Ids of events
// caused by another event (a notification, a session summary) derive from their parent's id.
import { createHash } from 'node:crypto';

/**
 * Formats the first 16 bytes of `digest` (a hash of at least 16 bytes) as an RFC 9562
 * version 8, variant 10 UUID string. `digest` is not modified.
 */
export function formatUuidV8(digest: Uint8Array): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = ((b[6] as number) & 0x0f) | 0x80;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The id of `content` found at `position` of stream `source` (a version 8 UUID: SHA-256 over
 * the three parts, truncated to 122 bits). `source` names the stream (`file/<generation>`,
 * `tcp/<run>/<connection>`, `fwd/<cn>/<generation>`), `position` the place in it (a byte offset
 * for files, a sequence number for sockets).
 */
export function stableEventId(source: string, position: string | number, content: Uint8Array | string): string {
  const where = String(position);
  // Length-prefixed, so no choice of source and position can collide with another's.
  const hash = createHash('sha256');
  hash.update(`${source.length}:${source}${where.length}:${where}`);
  hash.update(content);
  return formatUuidV8(hash.digest());
}

/** The id of what event `parentId` caused for `purpose` (e.g. the subject of a notification). */
export function derivedEventId(parentId: string, purpose: string): string {
  return stableEventId(`derived/${purpose}`, 0, parentId);
}
