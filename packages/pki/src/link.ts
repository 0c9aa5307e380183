// The mutual-TLS syslog link between a forwarder and the listener: TLS settings both ends
// share, how a peer's identity is read from its certificate, and the acknowledged framing
// (a decnet extension of RFC 5425, negotiated by ALPN so plain RFC 5425 senders still work).
import type { PeerCertificate, SecureVersion } from 'node:tls';
import { encodeOctetCounted } from '@decnet/syslog';
import { certNameProblem } from './names.js';

/**
 * ALPN protocol a forwarder offers to ask for acknowledged delivery. A sender that offers no
 * ALPN gets plain RFC 5425 (no acks); one that offers only other protocols is refused by TLS.
 */
export const LINK_ALPN = 'decnet-syslog-ack/1';

/** TLS floor on both ends: 1.0 and 1.1 are deprecated (RFC 8996). */
export const LINK_MIN_TLS_VERSION: SecureVersion = 'TLSv1.2';

/** The IANA port of syslog over TLS (RFC 5425). */
export const SYSLOG_TLS_PORT = 6514;

/** Stream ids name one generation of one forwarded file: URL-safe, bounded. */
export const STREAM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Bytes a line frame adds around the line: `L `, a stream id, a space, an offset, a space. */
export const LINE_FRAME_OVERHEAD = 2 + 64 + 1 + 16 + 1;

/** Why a peer's identity could not be established. */
export type PeerIdentityFailure = 'no_certificate' | 'no_cn' | 'multiple_cn' | 'bad_cn';

/** The sender identity read from a verified client certificate. */
export type PeerIdentity = { ok: true; name: string } | { ok: false; reason: PeerIdentityFailure };

/**
 * The identity a TLS peer proves: its certificate's CommonName, which must be exactly one CN
 * obeying the certificate naming rule. Never the syslog HOSTNAME, which the sender writes.
 * The caller must already have checked that the chain verified (`socket.authorized`).
 */
export function peerIdentity(cert: PeerCertificate | Record<string, never> | null | undefined): PeerIdentity {
  if (!cert || !('subject' in cert) || !cert.subject) return { ok: false, reason: 'no_certificate' };
  const cn: unknown = (cert.subject as unknown as Record<string, unknown>).CN;
  if (cn === undefined || cn === '') return { ok: false, reason: 'no_cn' };
  if (Array.isArray(cn)) return { ok: false, reason: 'multiple_cn' };
  if (typeof cn !== 'string' || certNameProblem(cn) !== null) return { ok: false, reason: 'bad_cn' };
  return { ok: true, name: cn };
}

/** One decoded payload of the acknowledged link. */
export type LinkMessage =
  /** Forwarder to listener: a log line of stream `stream`, starting at byte `offset` of it. */
  | { type: 'line'; stream: string; offset: number; line: Uint8Array }
  /** Listener to forwarder: the first `count` line frames of this connection are durable. */
  | { type: 'ack'; count: number }
  | { type: 'invalid'; reason: string };

const SP = 0x20;
const L = 0x4c;
const A = 0x41;
const decoder = new TextDecoder();

function readDecimal(bytes: Uint8Array, from: number, to: number): number | null {
  if (to <= from || to - from > 16) return null;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = bytes[i] as number;
    if (c < 48 || c > 57) return null;
    n = n * 10 + (c - 48);
  }
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Decodes one frame payload of the acknowledged link: `L <stream> <offset> <line bytes>` or
 * `A <count>`. Never throws; anything else is `invalid`.
 */
export function decodeLinkMessage(payload: Uint8Array): LinkMessage {
  if (payload.length < 3 || payload[1] !== SP) return { type: 'invalid', reason: 'missing type' };
  if (payload[0] === A) {
    const count = readDecimal(payload, 2, payload.length);
    return count === null ? { type: 'invalid', reason: 'bad ack count' } : { type: 'ack', count };
  }
  if (payload[0] !== L) return { type: 'invalid', reason: 'unknown type' };
  const streamEnd = payload.indexOf(SP, 2);
  if (streamEnd === -1) return { type: 'invalid', reason: 'missing offset' };
  const stream = decoder.decode(payload.subarray(2, streamEnd));
  if (!STREAM_ID_PATTERN.test(stream)) return { type: 'invalid', reason: 'bad stream id' };
  const offsetEnd = payload.indexOf(SP, streamEnd + 1);
  if (offsetEnd === -1) return { type: 'invalid', reason: 'missing line' };
  const offset = readDecimal(payload, streamEnd + 1, offsetEnd);
  if (offset === null) return { type: 'invalid', reason: 'bad offset' };
  return { type: 'line', stream, offset, line: payload.subarray(offsetEnd + 1) };
}

/** The complete octet-counted frame carrying `line` of `stream` at `offset`. */
export function encodeLineFrame(stream: string, offset: number, line: Uint8Array): Buffer {
  const head = `L ${stream} ${offset} `;
  // The octet count and the head are one byte per character (latin1), so the frame is built with
  // one copy of the line: the forwarder frames every line it ships.
  const prefix = Buffer.from(`${head.length + line.length} ${head}`, 'latin1');
  return Buffer.concat([prefix, line], prefix.length + line.length);
}

/** The complete octet-counted frame acknowledging the first `count` line frames. */
export function encodeAckFrame(count: number): Uint8Array {
  return encodeOctetCounted(`A ${count}`);
}
