// The ingester's view of the `log.event.<service>` payload (the event catalogue's schema, cut to
// the fields it reads, validated at the edge), and the normalised event the store writes: safe
// text, a real instant, string fields.
import { EVENTS, type LogEventPayload } from '@decnet/core';

/** The fields of a log event the ingester reads (and validates); other keys are not its business. */
export const INGESTED_FIELDS = [
  'timestamp',
  'time',
  'decky',
  'service',
  'event_type',
  'attacker_ip',
  'fields',
  'msg',
  'raw_line',
  'received_at',
  'source_worker',
] as const satisfies readonly (keyof LogEventPayload)[];

/** A validated payload, as the ingester sees it. */
export type IngestedPayload = Pick<LogEventPayload, (typeof INGESTED_FIELDS)[number]>;

/** The catalogue's log.event schema, cut to {@link INGESTED_FIELDS}. */
export const logEventPayloadSchema = EVENTS.logEvent.fieldsSchema(INGESTED_FIELDS);

/** One event ready for the database: every string safe for Postgres. */
export interface IngestEvent {
  /** Envelope id: the unique key of `logs.event_id`. */
  readonly eventId: string;
  /** Event time, or the receive time when the line's TIMESTAMP was not a usable date. */
  readonly at: Date;
  readonly decky: string;
  readonly service: string;
  readonly eventType: string;
  readonly attackerIp: string;
  readonly rawLine: string;
  readonly fields: Record<string, string>;
  readonly msg: string | null;
  /** Certificate CN of the remote sender (listener), null for local collection. */
  readonly sourceWorker: string | null;
}

// NUL and unpaired surrogates: Postgres text and jsonb refuse both.
// eslint-disable-next-line no-control-regex
const UNSAFE_TEXT = /[\u0000]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces what Postgres cannot store in text or jsonb (NUL, lone surrogates) with U+FFFD. */
export function safeText(value: string): string {
  UNSAFE_TEXT.lastIndex = 0;
  return UNSAFE_TEXT.test(value) ? value.replace(UNSAFE_TEXT, '\uFFFD') : value;
}

/** Longest indexed text kept (btree entries must stay far below Postgres's ~2.7 KB limit); longer values are cut. */
export const MAX_INDEXED_TEXT = 255;

function indexed(value: string): string {
  return safeText(value.length > MAX_INDEXED_TEXT ? value.slice(0, MAX_INDEXED_TEXT) : value);
}

/** Postgres timestamptz covers years 4713 BC to 294276 AD; we accept 1..9999 and fall back otherwise. */
function usableDate(iso: string | null | undefined): Date | undefined {
  if (!iso) return undefined;
  const at = new Date(iso);
  const year = at.getUTCFullYear();
  return Number.isNaN(at.getTime()) || year < 1 || year > 9999 ? undefined : at;
}

/**
 * Normalises a validated payload. Field values that are not strings (another publisher's
 * payload) are JSON-encoded, as upstream's emitters stringified every value.
 */
export function toIngestEvent(eventId: string, payload: IngestedPayload, envelopeTs: number): IngestEvent {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.fields)) {
    fields[safeText(key)] = safeText(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
  }
  const at = usableDate(payload.time) ?? usableDate(payload.received_at) ?? new Date(envelopeTs * 1000);
  return {
    eventId,
    at: Number.isNaN(at.getTime()) ? new Date() : at,
    decky: indexed(payload.decky),
    service: indexed(payload.service),
    eventType: indexed(payload.event_type),
    attackerIp: indexed(payload.attacker_ip),
    rawLine: safeText(payload.raw_line),
    fields,
    msg: payload.msg === undefined || payload.msg === null ? null : safeText(payload.msg),
    sourceWorker: payload.source_worker ? indexed(payload.source_worker) : null,
  };
}
