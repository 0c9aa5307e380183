// The subject family the collector publishes parsed log events on: `log.event.<service>`, one
// event per accepted line, keyed by attacker address. The ingester consumes `log.event.>`.
import { assertToken } from '@decnet/core';

/** Pattern matching every parsed log event. */
export const LOG_EVENT_PATTERN = 'log.event.>';

/** Longest service token in a subject (APP-NAME is at most 48 characters). */
const MAX_SERVICE_TOKEN = 48;

/**
 * `log.event.<service>`. APP-NAME is printable ASCII but may hold `.`, `*` or `>`, which
 * cannot stand in a token: every character outside `[A-Za-z0-9_-]` becomes `_`; an empty
 * name becomes `_`. The payload always carries the exact service.
 */
export function logEventSubject(service: string): string {
  const token = service.slice(0, MAX_SERVICE_TOKEN).replace(/[^A-Za-z0-9_-]/g, '_') || '_';
  return `log.event.${assertToken(token)}`;
}
