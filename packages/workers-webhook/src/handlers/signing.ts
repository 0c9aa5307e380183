// The signed request: a canonical JSON body (keys sorted at every depth, compact) and an
// HMAC-SHA256 over `${timestamp}.${body}`. Upstream signed the body alone and sent the
// timestamp unsigned, so a captured request could be replayed forever; here the receiver checks
// the signature, rejects stale timestamps, and deduplicates on X-Decnet-Event-Id. Pure.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Signature header: `sha256=<hex>` over `${timestamp}.${body}`. */
export const SIGNATURE_HEADER = 'X-Decnet-Signature';
/** Unix seconds at signing time (part of the signed text). */
export const TIMESTAMP_HEADER = 'X-Decnet-Timestamp';
/** The event id: receivers deduplicate on it (retries and at-least-once delivery repeat it). */
export const EVENT_ID_HEADER = 'X-Decnet-Event-Id';
/** The event's subject. */
export const EVENT_TOPIC_HEADER = 'X-Decnet-Event-Topic';
/** A receiver should refuse a timestamp further than this from its clock (documented advice). */
export const DEFAULT_TOLERANCE_S = 300;
/** Random bytes in a generated secret (upstream: token_urlsafe(32)). */
const SECRET_BYTES = 32;

/**
 * JSON with object keys sorted at every depth and no whitespace, so signer and receiver agree on
 * the bytes. Values JSON cannot carry follow JSON.stringify (undefined members dropped,
 * non-finite numbers become null).
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/** `sha256=<hex HMAC-SHA256(secret, `${timestamp}.${body}`)>`. */
export function signatureFor(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver checks. */
export interface SignedRequest {
  readonly secret: string;
  readonly timestamp: string | undefined;
  readonly body: string;
  readonly signature: string | undefined;
  /** The receiver's clock, unix seconds. */
  readonly nowS: number;
  /** @default DEFAULT_TOLERANCE_S */
  readonly toleranceS?: number;
}

/**
 * Verifies a request as a receiver should: the signature over timestamp and body (constant-time
 * compare) and a timestamp within the tolerance. Exported for receivers written in TypeScript
 * and for tests.
 */
export function verifySignature(req: SignedRequest): boolean {
  if (req.timestamp === undefined || req.signature === undefined || !/^\d{1,12}$/.test(req.timestamp)) return false;
  if (Math.abs(req.nowS - Number(req.timestamp)) > (req.toleranceS ?? DEFAULT_TOLERANCE_S)) return false;
  const expected = Buffer.from(signatureFor(req.secret, req.timestamp, req.body));
  const given = Buffer.from(req.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** A new random secret, URL-safe base64 (43 characters). */
export function generateSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}
