// `log.event.<service>`: one parsed decky log line, from the collector (local) or the listener
// (received over TLS). The ingestion firehose: its consumers validate only the fields they read.
import * as z from 'zod/mini';
import { defineEvent, type PayloadOf } from './event-spec.js';

/** Longest `raw_line` accepted; a longer one (never produced by our collectors) is refused at the edge. */
export const MAX_RAW_LINE = 1024 * 1024;
/** Longest service token in a subject (APP-NAME is at most 48 characters). */
const MAX_SERVICE_TOKEN = 48;
/** Anything that cannot stand in a subject token (`.`, `*`, `>`, whitespace, the rest). */
const NOT_TOKEN_CHAR = /[^A-Za-z0-9_-]/g;

/** How a line reached decnet. */
export const LOG_SOURCES = ['udp', 'tcp', 'file', 'tls'] as const;

export const logEvent = defineEvent({
  template: 'log.event.<service>',
  version: 1,
  description:
    'One parsed decky log line (upstream\'s collector record plus provenance); the service token is APP-NAME made subject-safe.',
  producers: ['collector', 'listener'],
  consumers: ['ingester', 'ttp'],
  /**
   * APP-NAME is printable ASCII but may hold `.`, `*` or `>`, which cannot stand in a token: every
   * character outside `[A-Za-z0-9_-]` becomes `_`, and an empty name becomes `_`, so the result is
   * always a valid concrete subject. The payload keeps the exact service.
   */
  // Upstream's subscription pattern, kept so consumer groups keep their names (and positions).
  pattern: 'log.event.>',
  build: (service: string) => `log.event.${service.slice(0, MAX_SERVICE_TOKEN).replace(NOT_TOKEN_CHAR, '_') || '_'}`,
  schema: () =>
    z.object({
      /** `YYYY-MM-DD HH:MM:SS` UTC when TIMESTAMP is a date; otherwise the token verbatim, `-` for NILVALUE. */
      timestamp: z.string(),
      /** The instant as ISO 8601 UTC, or null when TIMESTAMP is not a date. */
      time: z.optional(z.nullable(z.string())),
      decky: z.string(),
      service: z.string(),
      event_type: z.string(),
      attacker_ip: z.string(),
      /** Params of the `relay@55555` element. */
      fields: z.record(z.string(), z.unknown()),
      msg: z.optional(z.nullable(z.string())),
      raw_line: z.string().check(z.maxLength(MAX_RAW_LINE)),
      severity: z.optional(z.number()),
      /** `mutation` for the mutator's `decky_mutated`, else `attacker`. */
      kind: z.optional(z.enum(['attacker', 'mutation'])),
      /** The parsed bash `CMD` line, or null. */
      command: z.optional(
        z.nullable(
          z.object({
            command: z.string(),
            uid: z.optional(z.string()),
            user: z.optional(z.string()),
            src: z.optional(z.string()),
            pwd: z.optional(z.string()),
          }),
        ),
      ),
      source: z.optional(z.enum(LOG_SOURCES)),
      /** The sender's certificate CN for lines received over TLS; null for local input. */
      source_worker: z.optional(z.nullable(z.string())),
      /** When the line was read or received (ISO 8601 UTC). */
      received_at: z.optional(z.string()),
      /** True when invalid UTF-8 was replaced with U+FFFD while decoding. */
      invalid_utf8: z.optional(z.boolean()),
    }),
});

/** Payload of `log.event.<service>`. */
export type LogEventPayload = PayloadOf<typeof logEvent>;
