// Webhook subscriptions as this worker uses them: @decnet/db's rows validated at the edge (a
// hand-edited pattern list or format cannot crash the worker) and named in camelCase, a taken
// name reported as DuplicateSubscriptionError. The SQL, and the atomic breaker, are db's.
import {
  MAX_LAST_ERROR,
  deleteWebhookSubscription,
  findWebhookSubscription,
  insertWebhookSubscription,
  isUniqueViolation,
  listWebhookSubscriptions,
  recordDeliveryFailure,
  recordDeliverySuccess,
  setWebhookSubscriptionEnabled,
  type DeliveryFailureRecord,
  type Queryable,
  type WebhookSubscriptionRow,
} from '@decnet/db';
import * as z from 'zod/mini';
import { DuplicateSubscriptionError } from './errors.js';
import { isWebhookFormat, type WebhookFormat } from './handlers/formats.js';
import type { NormalisedSubscription } from './handlers/subscription.js';

export type { Queryable };
export { MAX_LAST_ERROR };

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

/** Result of {@link recordFailure}. */
export type FailureRecord = DeliveryFailureRecord;

const patternsSchema = z.array(z.string());

function toRow(r: WebhookSubscriptionRow): SubscriptionRow {
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
  return (await listWebhookSubscriptions(db, options)).map(toRow);
}

/** The subscription whose uuid or name is `ref`. */
export async function findSubscription(db: Queryable, ref: string): Promise<SubscriptionRow | undefined> {
  const row = await findWebhookSubscription(db, ref);
  return row ? toRow(row) : undefined;
}

/**
 * Stores a normalised subscription.
 * @throws DuplicateSubscriptionError when the name is taken.
 */
export async function insertSubscription(db: Queryable, sub: NormalisedSubscription): Promise<SubscriptionRow> {
  try {
    return toRow(await insertWebhookSubscription(db, { name: sub.name, url: sub.url, secret: sub.secret, patterns: sub.patterns, format: sub.format }));
  } catch (err) {
    if (isUniqueViolation(err)) throw new DuplicateSubscriptionError(sub.name);
    throw err;
  }
}

/** Deletes the subscription whose uuid or name is `ref`. @returns whether one was deleted. */
export async function deleteSubscription(db: Queryable, ref: string): Promise<boolean> {
  return deleteWebhookSubscription(db, ref);
}

/** Enables (clearing a tripped breaker) or disables a subscription. @returns the row, if found. */
export async function setSubscriptionEnabled(db: Queryable, ref: string, enabled: boolean): Promise<SubscriptionRow | undefined> {
  const row = await setWebhookSubscriptionEnabled(db, ref, enabled);
  return row ? toRow(row) : undefined;
}

/** Records a successful delivery: the failure streak resets. */
export async function recordSuccess(db: Queryable, uuid: string): Promise<void> {
  await recordDeliverySuccess(db, uuid);
}

/**
 * Records a failed delivery in one atomic statement: the streak grows, and at `threshold` the
 * subscription is disabled and `auto_disabled_at` stamped (upstream's breaker).
 * @returns undefined when the subscription no longer exists.
 */
export async function recordFailure(db: Queryable, uuid: string, error: string, threshold: number): Promise<FailureRecord | undefined> {
  return recordDeliveryFailure(db, uuid, error, threshold);
}
