// Webhook subscriptions: CRUD for the CLI, the enabled list for the worker, and the delivery
// bookkeeping. The failure counter and the circuit breaker are one atomic UPDATE (upstream read,
// then wrote, so concurrent failures could lose counts).
import type { webhook_subscriptions } from '../schema/webhooks.js';
import type { Queryable } from '../transaction.js';

/** Characters of `last_error` stored (upstream's cap). */
export const MAX_LAST_ERROR = 512;

/**
 * A stored subscription as read. `topic_patterns` and `format` are as stored: the column types
 * do not stop a hand edit, so validate them before use.
 */
export type WebhookSubscriptionRow = Omit<typeof webhook_subscriptions.$inferSelect, 'topic_patterns'> & {
  readonly topic_patterns: unknown;
};

/** A subscription to store (already validated and normalised by the caller). */
export interface NewWebhookSubscription {
  readonly name: string;
  readonly url: string;
  readonly secret: string;
  readonly patterns: readonly string[];
  readonly format: string;
}

/** Result of {@link recordDeliveryFailure}. */
export interface DeliveryFailureRecord {
  readonly failures: number;
  /** True when this failure tripped the breaker (the subscription is now disabled). */
  readonly tripped: boolean;
  readonly enabled: boolean;
}

const COLUMNS = `uuid::text AS uuid, name, url, secret, topic_patterns, format, enabled, consecutive_failures, last_success_at,
  last_failure_at, last_error, auto_disabled_at, created_at, updated_at`;

// A function: a top-level template with a substitution is kept in every bundle importing this package.
const setEnabledSql = (): string => `
  UPDATE webhook_subscriptions SET enabled = $2, updated_at = now(),
     consecutive_failures = CASE WHEN $2 THEN 0 ELSE consecutive_failures END,
     auto_disabled_at = CASE WHEN $2 THEN NULL ELSE auto_disabled_at END
   WHERE uuid::text = $1 OR name = $1 RETURNING ${COLUMNS}`;

const RECORD_SUCCESS = `UPDATE webhook_subscriptions SET consecutive_failures = 0, last_success_at = now(), updated_at = now() WHERE uuid = $1::uuid`;

const RECORD_FAILURE = `
  UPDATE webhook_subscriptions SET
     consecutive_failures = consecutive_failures + 1,
     last_failure_at = now(), last_error = $2, updated_at = now(),
     enabled = CASE WHEN consecutive_failures + 1 >= $3 THEN false ELSE enabled END,
     auto_disabled_at = CASE WHEN consecutive_failures + 1 >= $3 AND enabled THEN now() ELSE auto_disabled_at END
   WHERE uuid = $1::uuid
   RETURNING consecutive_failures AS failures, enabled, (consecutive_failures = $3 AND NOT enabled) AS tripped`;

/** Every subscription (or the enabled ones), by name. */
export async function listWebhookSubscriptions(db: Queryable, options: { enabledOnly?: boolean } = {}): Promise<WebhookSubscriptionRow[]> {
  const where = options.enabledOnly ? 'WHERE enabled' : '';
  return (await db.query<WebhookSubscriptionRow>(`SELECT ${COLUMNS} FROM webhook_subscriptions ${where} ORDER BY name`)).rows;
}

/** The subscription whose uuid or name is `ref`. */
export async function findWebhookSubscription(db: Queryable, ref: string): Promise<WebhookSubscriptionRow | undefined> {
  const r = await db.query<WebhookSubscriptionRow>(`SELECT ${COLUMNS} FROM webhook_subscriptions WHERE uuid::text = $1 OR name = $1 LIMIT 1`, [ref]);
  return r.rows[0];
}

/**
 * Stores a subscription.
 * @throws the driver's error; a taken name is a unique violation (see isUniqueViolation).
 */
export async function insertWebhookSubscription(db: Queryable, sub: NewWebhookSubscription): Promise<WebhookSubscriptionRow> {
  const r = await db.query<WebhookSubscriptionRow>(
    `INSERT INTO webhook_subscriptions (name, url, secret, topic_patterns, format) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING ${COLUMNS}`,
    [sub.name, sub.url, sub.secret, JSON.stringify(sub.patterns), sub.format],
  );
  return r.rows[0] as WebhookSubscriptionRow;
}

/** Deletes the subscription whose uuid or name is `ref`. @returns whether one was deleted. */
export async function deleteWebhookSubscription(db: Queryable, ref: string): Promise<boolean> {
  const r = await db.query(`DELETE FROM webhook_subscriptions WHERE uuid::text = $1 OR name = $1`, [ref]);
  return (r.rowCount ?? 0) > 0;
}

/** Enables (clearing a tripped breaker) or disables a subscription. @returns the row, if found. */
export async function setWebhookSubscriptionEnabled(db: Queryable, ref: string, enabled: boolean): Promise<WebhookSubscriptionRow | undefined> {
  return (await db.query<WebhookSubscriptionRow>(setEnabledSql(), [ref, enabled])).rows[0];
}

/** Records a successful delivery: the failure streak resets. */
export async function recordDeliverySuccess(db: Queryable, uuid: string): Promise<void> {
  await db.query(RECORD_SUCCESS, [uuid]);
}

/**
 * Records a failed delivery in one atomic statement: the streak grows, and at `threshold` the
 * subscription is disabled and `auto_disabled_at` stamped (upstream's breaker). `error` is cut to
 * {@link MAX_LAST_ERROR} characters.
 * @returns undefined when the subscription no longer exists.
 */
export async function recordDeliveryFailure(
  db: Queryable,
  uuid: string,
  error: string,
  threshold: number,
): Promise<DeliveryFailureRecord | undefined> {
  return (await db.query<DeliveryFailureRecord>(RECORD_FAILURE, [uuid, error.slice(0, MAX_LAST_ERROR), threshold])).rows[0];
}
