// The v1 bus envelope: one JSON object per event, stamped in one place, capped at 1 MiB,
// and decoded defensively because anything on the wire may be malformed.
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { MessageTooLargeError } from './errors.js';
import { assertSubject } from './subjects.js';

/** Largest encoded envelope accepted anywhere; matches Kafka's default `max.message.bytes`. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Event payloads are JSON objects. */
export type Payload = Record<string, unknown>;

/** The v1 envelope every bus carries. `ts` is epoch seconds, as upstream sends it. */
export interface Envelope<P extends Payload = Payload> {
  readonly v: 1;
  /** Unique event id; consumers deduplicate on it (delivery is at-least-once). */
  readonly id: string;
  readonly topic: string;
  /** Short discriminator, usually the subject's leaf. */
  readonly type: string;
  readonly ts: number;
  readonly payload: P;
  /** Name of the bus handle that published it. */
  readonly origin?: string;
}

/** The reference definition of a v1 envelope (exported for the fast path's property test). */
export const envelopeSchema = z.object({
  v: z.literal(1),
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  topic: z.string().check(z.minLength(1), z.maxLength(512)),
  type: z.string().check(z.maxLength(256)),
  ts: z.number(),
  payload: z.record(z.string(), z.unknown()),
  origin: z.optional(z.string()),
});

/**
 * What {@link envelopeSchema} accepts and returns (unknown keys dropped), checked by hand: every
 * consumer decodes every event, and the schema costs several times more. `undefined` when the
 * schema must judge. A property test holds the two to the same answers.
 */
export function wellFormedEnvelope(value: unknown): Envelope | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const e = value as Record<string, unknown>;
  const { id, topic, type, ts, payload, origin } = e;
  const ok =
    e.v === 1 &&
    typeof id === 'string' && id.length >= 1 && id.length <= 128 &&
    typeof topic === 'string' && topic.length >= 1 && topic.length <= 512 &&
    typeof type === 'string' && type.length <= 256 &&
    typeof ts === 'number' && Number.isFinite(ts) &&
    typeof payload === 'object' && payload !== null && !Array.isArray(payload) &&
    (origin === undefined || typeof origin === 'string');
  if (!ok) return undefined;
  const envelope = { v: 1, id, topic, type, ts, payload: payload as Payload } as const;
  return origin === undefined ? envelope : { ...envelope, origin };
}

/** Options a publisher may set on one event. */
export interface PublishOptions {
  /** Discriminator; defaults to the subject's last token. */
  type?: string;
  /** Ordering key (entity id); Kafka routes equal keys to one partition. */
  key?: string;
  /** Reuse an id (replays, idempotent re-publish); a fresh UUID otherwise. */
  id?: string;
}

/**
 * Builds an envelope, giving it an id and a timestamp.
 * @throws InvalidSubjectError when `topic` is not a concrete subject.
 */
export function createEnvelope<P extends Payload>(
  topic: string,
  payload: P,
  options: PublishOptions = {},
  origin?: string,
): Envelope<P> {
  assertSubject(topic);
  const leaf = topic.slice(topic.lastIndexOf('.') + 1);
  return {
    v: 1,
    id: options.id ?? randomUUID(),
    topic,
    type: options.type ?? leaf,
    ts: Date.now() / 1000,
    payload,
    ...(origin === undefined ? {} : { origin }),
  };
}

/**
 * Serialises an envelope to UTF-8 JSON. Round-tripping through JSON here means a payload
 * that works in memory cannot break on Kafka (Dates become strings, BigInts are refused).
 * @throws MessageTooLargeError over {@link MAX_MESSAGE_BYTES}; TypeError on unserialisable values.
 */
export function encodeEnvelope(envelope: Envelope): Buffer {
  const bytes = Buffer.from(JSON.stringify(envelope), 'utf8');
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new MessageTooLargeError(envelope.topic, bytes.length, MAX_MESSAGE_BYTES);
  }
  return bytes;
}

/** Why a message was refused. */
export type DecodeFailure = 'too_large' | 'bad_json' | 'bad_envelope';

/** Result of {@link decodeEnvelope}: never throws, whatever the bytes. */
export type DecodeResult = { ok: true; envelope: Envelope } | { ok: false; reason: DecodeFailure; detail: string };

/**
 * Parses and validates wire bytes. When `subject` is given (from a transport header) it wins
 * over the body's `topic`, so a publisher cannot spoof the subject inside the body.
 */
export function decodeEnvelope(raw: Buffer | string, subject?: string): DecodeResult {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > MAX_MESSAGE_BYTES) return { ok: false, reason: 'too_large', detail: `${size} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'bad_json', detail: (err as Error).message };
  }
  return validateEnvelope(parsed, subject);
}

/**
 * Validates an already parsed value as an envelope (e.g. one element of a bundle record). When
 * `subject` is given it wins over the body's `topic`. Never throws.
 */
export function validateEnvelope(parsed: unknown, subject?: string): DecodeResult {
  // Hand-checked fast path for well-formed envelopes (every consumer decodes every event);
  // the schema runs only when this refuses, to name what is wrong.
  const fast = wellFormedEnvelope(parsed);
  if (fast) return { ok: true, envelope: subject === undefined ? fast : { ...fast, topic: subject } };
  const result = envelopeSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, reason: 'bad_envelope', detail: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  const envelope = result.data as Envelope;
  return { ok: true, envelope: subject === undefined ? envelope : { ...envelope, topic: subject } };
}
