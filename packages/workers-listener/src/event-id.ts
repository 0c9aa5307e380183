// Stable event ids for lines received over TLS, computed by the same function as the collector's
// (core's stableEventId: SHA-256 over source, position and line, as a version 8 UUID), so the ingester's
// idempotency covers both paths alike. A forwarded line's source names the sender's certificate
// CN and its file generation, and its position is the line's byte offset: a resend after any
// restart carries the same id, and no sender can mint ids in another sender's space.
import { stableEventId } from '@decnet/core';

/** The id of `line` at `position` of stream `source`: core's scheme, shared with the collector. */
export const eventId = (source: string, position: string | number, line: Uint8Array | string): string =>
  stableEventId(source, position, line);

/** Source of a line forwarded with acknowledgements: sender CN and file generation. */
export function forwardedSource(peer: string, stream: string): string {
  return `fwd/${peer}/${stream}`;
}

/** Source of a plain RFC 5425 connection: sender CN and a per-connection id (frames are numbered). */
export function plainSource(peer: string, connectionId: string): string {
  return `tls/${peer}/${connectionId}`;
}
