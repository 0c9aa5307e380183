// One received line to one bus event: parse it, stamp provenance (the sender's certificate CN,
// never the syslog HOSTNAME), and shape it exactly as the collector shapes local lines, so the
// ingester reads both alike. Pure: no sockets, no bus.
import { EVENTS, type LogEventPayload } from '@decnet/core';
import { decodeEventRecord, parseEventRecord, trimLineEnding } from '@decnet/syslog';
import { eventId } from './event-id.js';

/** The payload of `log.event.<service>` for a line received over TLS: the catalogue's shape, narrowed. */
export type TlsLogEventPayload = LogEventPayload & {
  /** How the line arrived: always `tls` here. */
  source: 'tls';
  /** The sender's certificate CommonName: the only provenance the listener trusts. */
  source_worker: string;
};

/** One event to publish. */
export interface PublishItem {
  readonly subject: string;
  readonly payload: TlsLogEventPayload;
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
  const { message } = parsed;
  const record = decodeEventRecord(parsed.record);
  const payload: TlsLogEventPayload = {
    ...record,
    source: 'tls',
    source_worker: peer,
    received_at: new Date(nowMs).toISOString(),
    invalid_utf8: message.invalidUtf8,
  };
  return {
    type: 'publish',
    item: {
      subject: EVENTS.logEvent.subject(record.service),
      payload,
      id: eventId(source, position, line),
      key: record.attacker_ip,
      type: record.event_type,
    },
  };
}
