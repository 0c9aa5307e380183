// The shape every producer of parsed log events shares (collector for local lines, listener for
// lines received over TLS): the `log.event.<service>` subject, its payload and line trimming.
// Pure: no I/O.
import type { EventRecord } from './event-record.js';

/** Pattern matching every parsed log event (what the ingester consumes). */
export const LOG_EVENT_PATTERN = 'log.event.>';

/** Longest service token in a subject (APP-NAME is at most 48 characters). */
const MAX_SERVICE_TOKEN = 48;

/** Anything that cannot stand in a subject token (`.`, `*`, `>`, whitespace, the rest). */
const NOT_TOKEN_CHAR = /[^A-Za-z0-9_-]/g;

/**
 * `log.event.<service>`. APP-NAME is printable ASCII but may hold `.`, `*` or `>`, which
 * cannot stand in a token: every character outside `[A-Za-z0-9_-]` becomes `_`, and an empty
 * name becomes `_`, so the result is always a valid concrete subject. The payload keeps the
 * exact service.
 */
export function logEventSubject(service: string): string {
  const token = service.slice(0, MAX_SERVICE_TOKEN).replace(NOT_TOKEN_CHAR, '_') || '_';
  return `log.event.${token}`;
}

/**
 * The payload of `log.event.<service>`: upstream's collector record (snake_case keys of the
 * `logs` table) plus the correlation extras of {@link EventRecord} and provenance.
 */
export interface LogEventPayload extends EventRecord {
  [key: string]: unknown;
  /** How the line arrived: `udp`, `tcp`, `file` (collector) or `tls` (listener). */
  source: string;
  /** The sender's certificate CN for lines received over TLS; `null` for local input. */
  source_worker: string | null;
  /** When the line was read or received (ISO 8601 UTC). */
  received_at: string;
  /** True when invalid UTF-8 was replaced with U+FFFD while decoding. */
  invalid_utf8: boolean;
}

/**
 * `bytes` without its trailing CR, LF and NUL bytes: delimiters senders leave behind, not
 * content. Returns `bytes` itself when there is nothing to trim.
 */
export function trimLineEnding(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0) {
    const b = bytes[end - 1];
    if (b !== 10 && b !== 13 && b !== 0) break;
    end--;
  }
  return end === bytes.length ? bytes : bytes.subarray(0, end);
}
