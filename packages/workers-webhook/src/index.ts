/**
 * The `webhook` worker: delivers bus events matching each `webhook_subscriptions` row's
 * NATS-style patterns to its URL as signed JSON (HMAC-SHA256 over `${timestamp}.${body}`), or as
 * a Slack or Discord message. Retries network errors, timeouts, 5xx and 429 after 1, 2, 4 s with
 * jitter; five failed deliveries in a row disable the subscription; an SSRF guard resolves once
 * and connects to the checked address; each subscription has its own bounded queue. Also exports
 * the subscription CRUD and a one-shot delivery used by `decnet webhook`.
 *
 * ```ts
 * import { verifySignature } from '@decnet/worker-webhook';
 * const ok = verifySignature({ secret, body: raw, timestamp: req.headers['x-decnet-timestamp'],
 *   signature: req.headers['x-decnet-signature'], nowS: Date.now() / 1000 });
 * ```
 * @module
 */
import type { WorkerSpec } from '@decnet/core';
import type { WebhookOptions } from './options.js';
import { runWebhook, type WebhookHooks } from './worker.js';

// delivery.ts
export type { AttemptClass, AttemptOutcome, DeliveryResult, DeliverySettings, DeliveryTarget } from './delivery.js';
export { DNS_TIMEOUT_MS, USER_AGENT, classifyAttempt, deliver, retryDelays, sendOnce, signedHeaders, systemLookup } from './delivery.js';
// dispatcher.ts
export type { AfterResult, LaneStats, ResultRecorder } from './dispatcher.js';
export { Dispatcher } from './dispatcher.js';
// errors.ts
export { DuplicateSubscriptionError, InvalidSubscriptionError } from './errors.js';
// The schema classification is @decnet/db's, shared by every database worker; re-exported here.
export { SchemaNotReadyError } from '@decnet/db';
// handlers/formats.ts
export type { DeliveryEvent, FragmentFormat, WebhookFormat } from './handlers/formats.js';
export {
  WEBHOOK_FORMATS,
  discordBody,
  escapeDiscord,
  escapeSlack,
  inferFormat,
  isWebhookFormat,
  jsonBody,
  renderBody,
  slackBody,
  takeFormatFragment,
} from './handlers/formats.js';
// handlers/ip-guard.ts
export type { AddressVerdict, BlockReason, Cidr, ParsedAddress } from './handlers/ip-guard.js';
export { BLOCKED_V4, BLOCKED_V6, blockReasonOf, checkAddress, cidrContains, embeddedIPv4, parseAddress, parseCidr, parseCidrList } from './handlers/ip-guard.js';
// handlers/patterns.ts
export type { PatternsResult } from './handlers/patterns.js';
export { MAX_PATTERNS, PATTERN_PRESETS, covers, matchesAny, reducePatterns, responsiblePattern, validatePatterns } from './handlers/patterns.js';
// handlers/queue.ts
export { BoundedQueue } from './handlers/queue.js';
// handlers/signing.ts
export type { SignedRequest } from './handlers/signing.js';
export {
  DEFAULT_TOLERANCE_S,
  EVENT_ID_HEADER,
  EVENT_TOPIC_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  canonicalJson,
  generateSecret,
  signatureFor,
  verifySignature,
} from './handlers/signing.js';
// handlers/subscription.ts
export type { NormalisedSubscription, SubscriptionInput } from './handlers/subscription.js';
export { NAME_MAX, NAME_MIN, SECRET_MAX, SECRET_MIN, normaliseSubscription } from './handlers/subscription.js';
// handlers/target.ts
export type { Lookup, RefusalReason, ResolvedAddress, Target, TargetResult } from './handlers/target.js';
export { MAX_URL_LENGTH, bareHostname, checkUrl, resolveTarget } from './handlers/target.js';
// options.ts
export type { CompiledWebhookOptions, WebhookOptions } from './options.js';
export { WEBHOOK_DEFAULTS, compileWebhookOptions } from './options.js';
// subscriptions.ts
export type { FailureRecord, Queryable, SubscriptionRow } from './subscriptions.js';
export {
  MAX_LAST_ERROR,
  deleteSubscription,
  findSubscription,
  insertSubscription,
  listSubscriptions,
  recordFailure,
  recordSuccess,
  setSubscriptionEnabled,
} from './subscriptions.js';
// worker.ts
export type { WebhookHooks } from './worker.js';
export { runWebhook } from './worker.js';

/** The worker's description in `decnet workers`. */
const DESCRIPTION = 'bus events → signed HTTP webhooks (JSON, Slack, Discord) with retries, breaker, SSRF guard';

/** A webhook worker with fixed option overrides and hooks (tests, embedding); {@link worker} reads the environment. */
export function createWebhookWorker(overrides: Partial<WebhookOptions> = {}, hooks: WebhookHooks = {}): WorkerSpec {
  return { name: 'webhook', needs: ['bus', 'db'], description: DESCRIPTION, run: (ctx) => runWebhook(ctx, overrides, hooks) };
}

/** The webhook worker, configured from DECNET_WEBHOOK_* (see {@link WebhookOptions}). */
export const worker: WorkerSpec = createWebhookWorker();
