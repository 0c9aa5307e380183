// Stable event ids: the same line at the same position of the same source always gets the same
// id, so a replay (restart, retry) is deduplicated downstream, while two identical lines at
// different positions (two identical failed logins in one second) stay two events.
import { createHash } from 'node:crypto';
import { formatUuidV8 } from '@decnet/syslog';

/**
 * The id of the line `line` found at `position` of source `source`, as a UUID string (RFC 9562
 * version 8: a SHA-256 over the three parts, truncated to 122 bits). `source` names the stream
 * (`file/<generation>`, `tcp/<run>/<connection>`, `udp/<run>`), `position` the line's place in
 * it (a byte offset for files, a sequence number for sockets).
 */
export function eventId(source: string, position: string | number, line: Uint8Array | string): string {
  const where = String(position);
  // Length-prefixed, so no choice of source and position can collide with another's.
  const hash = createHash('sha256');
  hash.update(`${source.length}:${source}${where.length}:${where}`);
  hash.update(line);
  return formatUuidV8(hash.digest());
}

/** A derived id: the id of something caused by event `parentId` (e.g. the session it closed). */
export function derivedEventId(parentId: string, purpose: string): string {
  return eventId(`derived/${purpose}`, 0, parentId);
}
