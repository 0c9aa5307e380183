// Webhooks (reference §1.6): outbound subscriptions with a failure counter and circuit breaker.
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { jsonList, tstz, tstzNow } from './columns.js';

/** A webhook target; tripping the circuit sets `enabled=false` and stamps `auto_disabled_at`. */
export const webhook_subscriptions = pgTable(
  'webhook_subscriptions',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    name: text().notNull().unique('uq_webhook_subscriptions_name'),
    url: text().notNull(),
    /** HMAC signing key (plaintext, as upstream). */
    secret: text().notNull(),
    /** Subject patterns (`*` one token, `>` the rest). */
    topic_patterns: jsonList<string>(),
    /** Request body: the signed JSON envelope, or a Slack or Discord message (the webhook worker's formats). */
    format: text().notNull().default('json'),
    enabled: boolean().notNull().default(true),
    consecutive_failures: integer().notNull().default(0),
    last_success_at: tstz(),
    last_failure_at: tstz(),
    /** Truncated to 512 characters by the writer. */
    last_error: text(),
    auto_disabled_at: tstz(),
    created_at: tstzNow(),
    updated_at: tstzNow(),
  },
  (t) => [
    index('ix_webhook_subscriptions_enabled').on(t.enabled),
    check('webhook_subscriptions_format_known', sql`${t.format} IN ('json', 'slack', 'discord')`),
  ],
);
