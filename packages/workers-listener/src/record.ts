// One received line to one bus event: parse it, stamp provenance (the sender's certificate CN,
// never the syslog HOSTNAME), and shape it exactly as the collector shapes local lines, so the
// ingester reads both alike. Pure: no sockets, no bus.
import { assertToken } from '@decnet/core';
import { parseEventRecord, type EventRecord } from '@decnet/syslog';
import { eventId } from './event-id.js';

/** Pattern of every parsed log event (the collector's and the ingester's subject family). */
export const LOG_EVENT_PATTERN = 'log.event.>';

/** Longest service token in a subject (APP-NAME is at most 48 characters). */
const MAX_SERVICE_TOKEN = 48;

/**
 * `log.event.<service>`, the collector's subject family. Characters outside `[A-Za-z0-9_-]`
 * become `_` (APP-NAME may hold `.`, `*`, `>`); the payload keeps the exact service.
 */
export function logEventSubject(service: string): string {
  const token = service.slice(0, MAX_SERVICE_TOKEN).replace(/[^A-Za-z0-9_-]/g, '_') || '_';
  return `log.event.${assertToken(token)}`;
}

/** The payload of `log.event.<service>` for a line received over TLS. */
export interface LogEventPayload extends EventRecord {
  [key: string]: unknown;
  /** How the line arrived: always `tls` here. */
  source: 'tls';
  /** The sender's certificate CommonName: the only provenance the listener trusts. */
  source_worker: string;
  /** When the listener received the line (ISO 8601 UTC). */
  received_at: string;
  /** True when invalid UTF-8 was replaced with U+FFFD while decoding. */
  invalid_utf8: boolean;
}

/** One event to publish. */
export interface PublishItem {
  readonly subject: string;
  readonly payload: LogEventPayload;
  /** Envelope id, stable for the line's place in its stream. */
  readonly id: string;
  /** Ordering key: the attacker address (as the collector keys). */
  readonly key: string;
  /** Envelope type: the event type. */
  readonly type: string;
}

/** What became of one line. */
export type LineOutcome =
  | { readonly type: 'publish'; readonly item: PublishItem }
  | { readonly type: 'malformed'; readonly code: string }
  | { readonly type: 'empty' };

/** Trailing CR, LF and NUL are delimiters left by senders, not content. */
function trimLineEnding(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0) {
    const b = bytes[end - 1];
    if (b !== 10 && b !== 13 && b !== 0) break;
    end--;
  }
  return end === bytes.length ? bytes : bytes.subarray(0, end);
}

/**
 * Decides what to publish for one line. Never throws, whatever the bytes.
 * @param peer the sender's certificate CN
 * @param source the stream the line belongs to (see event-id.ts)
 * @param position the line's place in that stream
 * @param nowMs wall clock, for `received_at`
 */
export function processLine(bytes: Uint8Array, peer: string, source: string, position: number, nowMs: number): LineOutcome {
  const line = trimLineEnding(bytes);
  if (line.length === 0) return { type: 'empty' };
  const parsed = parseEventRecord(line);
  if (!parsed.ok) return { type: 'malformed', code: parsed.error.code };
  const { record, message } = parsed;
  const payload: LogEventPayload = {
    ...record,
    source: 'tls',
    source_worker: peer,
    received_at: new Date(nowMs).toISOString(),
    invalid_utf8: message.invalidUtf8,
  };
  return {
    type: 'publish',
    item: {
      subject: logEventSubject(record.service),
      payload,
      id: eventId(source, position, line),
      key: record.attacker_ip,
      type: record.event_type,
    },
  };
}
