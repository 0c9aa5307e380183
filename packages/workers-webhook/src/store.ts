// The `webhook_subscriptions` table: CRUD for the CLI, the enabled list for the worker, and the
// delivery bookkeeping. The failure counter and the circuit breaker are one atomic UPDATE
// (upstream read, then wrote, so concurrent failures could lose counts).
import * as z from 'zod/mini';
import type pg from 'pg';
import { DuplicateSubscriptionError } from './errors.js';
import { isWebhookFormat, type WebhookFormat } from './handlers/formats.js';
import type { NormalisedSubscription } from './handlers/subscription.js';

/** Anything that runs a query (a pool or a client). */
export type Queryable = Pick<pg.Pool, 'query'>;

/** A stored subscription. */
export interface SubscriptionRow {
  readonly uuid: string;
  readonly name: string;
  readonly url: string;
  readonly secret: string;
  readonly topicPatterns: string[];
  /** Request body format (the `format` column). */
  readonly format: WebhookFormat;
  readonly enabled: boolean;
  readonly consecutiveFailures: number;
  readonly lastSuccessAt: Date | null;
  readonly lastFailureAt: Date | null;
  readonly lastError: string | null;
  readonly autoDisabledAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Characters of last_error stored (upstream's cap). */
export const MAX_LAST_ERROR = 512;

const COLUMNS = `uuid::text AS uuid, name, url, secret, topic_patterns, format, enabled, consecutive_failures, last_success_at,
  last_failure_at, last_error, auto_disabled_at, created_at, updated_at`;

interface DbRow {
  uuid: string;
  name: string;
  url: string;
  secret: string;
  topic_patterns: unknown;
  format: string;
  enabled: boolean;
  consecutive_failures: number;
  last_success_at: Date | null;
  last_failure_at: Date | null;
  last_error: string | null;
  auto_disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const patternsSchema = z.array(z.string());

function toRow(r: DbRow): SubscriptionRow {
  const patterns = patternsSchema.safeParse(r.topic_patterns);
  return {
    uuid: r.uuid,
    name: r.name,
    url: r.url,
    secret: r.secret,
    // A hand-edited, malformed list matches nothing rather than crashing the worker.
    topicPatterns: patterns.success ? patterns.data : [],
    // The column's CHECK admits only these; the fallback is its default, should the two lists part.
    format: isWebhookFormat(r.format) ? r.format : 'json',
    enabled: r.enabled,
    consecutiveFailures: r.consecutive_failures,
    lastSuccessAt: r.last_success_at,
    lastFailureAt: r.last_failure_at,
    lastError: r.last_error,
    autoDisabledAt: r.auto_disabled_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Every subscription (or the enabled ones), by name. */
export async function listSubscriptions(db: Queryable, options: { enabledOnly?: boolean } = {}): Promise<SubscriptionRow[]> {
  const r = await db.query<DbRow>(`SELECT ${COLUMNS} FROM webhook_subscriptions ${options.enabledOnly ? 'WHERE enabled' : ''} ORDER BY name`);
  return r.rows.map(toRow);
}

/** The subscription whose uuid or name is `ref`. */
export async function findSubscription(db: Queryable, ref: string): Promise<SubscriptionRow | undefined> {
  const r = await db.query<DbRow>(`SELECT ${COLUMNS} FROM webhook_subscriptions WHERE uuid::text = $1 OR name = $1 LIMIT 1`, [ref]);
  return r.rows[0] ? toRow(r.rows[0]) : undefined;
}

/**
 * Stores a normalised subscription.
 * @throws DuplicateSubscriptionError when the name is taken.
 */
export async function insertSubscription(db: Queryable, sub: NormalisedSubscription): Promise<SubscriptionRow> {
  try {
    const r = await db.query<DbRow>(
      `INSERT INTO webhook_subscriptions (name, url, secret, topic_patterns, format) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING ${COLUMNS}`,
      [sub.name, sub.url, sub.secret, JSON.stringify(sub.patterns), sub.format],
    );
    return toRow(r.rows[0] as DbRow);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new DuplicateSubscriptionError(sub.name);
    throw err;
  }
}

/** Deletes the subscription whose uuid or name is `ref`. @returns whether one was deleted. */
export async function deleteSubscription(db: Queryable, ref: string): Promise<boolean> {
  const r = await db.query(`DELETE FROM webhook_subscriptions WHERE uuid::text = $1 OR name = $1`, [ref]);
  return (r.rowCount ?? 0) > 0;
}

/** Enables (clearing a tripped breaker) or disables a subscription. @returns the row, if found. */
export async function setSubscriptionEnabled(db: Queryable, ref: string, enabled: boolean): Promise<SubscriptionRow | undefined> {
  const r = await db.query<DbRow>(
    `UPDATE webhook_subscriptions SET enabled = $2, updated_at = now(),
       consecutive_failures = CASE WHEN $2 THEN 0 ELSE consecutive_failures END,
       auto_disabled_at = CASE WHEN $2 THEN NULL ELSE auto_disabled_at END
     WHERE uuid::text = $1 OR name = $1 RETURNING ${COLUMNS}`,
    [ref, enabled],
  );
  return r.rows[0] ? toRow(r.rows[0]) : undefined;
}

/** Records a successful delivery: the failure streak resets. */
export async function recordSuccess(db: Queryable, uuid: string): Promise<void> {
  await db.query(
    `UPDATE webhook_subscriptions SET consecutive_failures = 0, last_success_at = now(), updated_at = now() WHERE uuid = $1::uuid`,
    [uuid],
  );
}

/** Result of {@link recordFailure}. */
export interface FailureRecord {
  readonly failures: number;
  /** True when this failure tripped the breaker (the subscription is now disabled). */
  readonly tripped: boolean;
  readonly enabled: boolean;
}

/**
 * Records a failed delivery in one atomic statement: the streak grows, and at `threshold` the
 * subscription is disabled and `auto_disabled_at` stamped (upstream's breaker).
 * @returns undefined when the subscription no longer exists.
 */
export async function recordFailure(db: Queryable, uuid: string, error: string, threshold: number): Promise<FailureRecord | undefined> {
  const r = await db.query<{ failures: number; enabled: boolean; tripped: boolean }>(
    `UPDATE webhook_subscriptions SET
       consecutive_failures = consecutive_failures + 1,
       last_failure_at = now(), last_error = $2, updated_at = now(),
       enabled = CASE WHEN consecutive_failures + 1 >= $3 THEN false ELSE enabled END,
       auto_disabled_at = CASE WHEN consecutive_failures + 1 >= $3 AND enabled THEN now() ELSE auto_disabled_at END
     WHERE uuid = $1::uuid
     RETURNING consecutive_failures AS failures, enabled, (consecutive_failures = $3 AND NOT enabled) AS tripped`,
    [uuid, error.slice(0, MAX_LAST_ERROR), threshold],
  );
  return r.rows[0];
}
