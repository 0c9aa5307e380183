/**
 * The `ingester` worker: consumes `log.event.>` (the collector's and listener's parsed lines),
 * writes `logs`, `credentials` (dedup upsert, attempt counts), `bounty` and attachment sightings
 * in batches of one transaction each — idempotent on the event id, so at-least-once delivery
 * gives exactly-once rows — and publishes `credential.captured`, `email.received`,
 * `smtp.probe.pending` and `system.log` `batch_committed` for newly stored rows.
 *
 * ```ts
 * import { worker } from '@decnet/worker-ingester';
 * // DATABASE_URL=postgres://... KAFKA_BROKERS=127.0.0.1:9092 node dist/workers/ingester/main.js
 * ```
 * @module
 */
import type { WorkerSpec } from '@decnet/core';
import type { IngesterOptions } from './options.js';
import { runIngester, type IngesterHooks } from './worker.js';

// batcher.ts
export type { AckMode, BatcherOptions, FlushFn } from './batcher.js';
export { Batcher } from './batcher.js';
// bounty.ts
export type { BountyOptions, BountyRow } from './bounty.js';
export { classifyUserAgent, extractBounties, parseTrustedProxies } from './bounty.js';
// credentials.ts
export type { CredentialAttempt, CredentialRejection, CredentialUpsert } from './credentials.js';
export { CREDENTIAL_LIMITS, CREDENTIAL_OUTCOMES, credentialKey, extractCredential, foldCredentials } from './credentials.js';
// email.ts
export type { AttachmentInfo } from './email.js';
export { attachmentsOf, emailReceivedPayload, smtpProbePayload } from './email.js';
// errors.ts
export { FlushAbandonedError } from './errors.js';
// The schema classification is @decnet/db's, shared by every database worker; re-exported here.
export { SchemaNotReadyError, isSchemaError } from '@decnet/db';
// notifications.ts
export type { Notification } from './notifications.js';
export { notificationsFor } from './notifications.js';
// options.ts
export type { CompiledIngesterOptions, IngesterOptions } from './options.js';
export { INGESTER_DEFAULTS, compileIngesterOptions, defaultAckMode } from './options.js';
// payload.ts
export type { IngestEvent, IngestedPayload } from './payload.js';
export { INGESTED_FIELDS, MAX_INDEXED_TEXT, logEventPayloadSchema, safeText, toIngestEvent } from './payload.js';
// batch-writer.ts
export type { BatchOutcome, StoreOptions } from './batch-writer.js';
export { PROGRESS_STATE_KEY, writeBatch } from './batch-writer.js';
// The SQLSTATE classification is @decnet/db's; re-exported here.
export { isDataError } from '@decnet/db';
// worker.ts
export type { IngesterCounters, IngesterHooks } from './worker.js';
export { runIngester } from './worker.js';

/** The worker's description in `decnet workers`. */
const DESCRIPTION = 'log.event.* → logs, credentials, bounty (one transaction per batch, idempotent on event id)';

/** An ingester with fixed option overrides and hooks (tests, embedding); {@link worker} reads the environment. */
export function createIngesterWorker(overrides: Partial<IngesterOptions> = {}, hooks: IngesterHooks = {}): WorkerSpec {
  return { name: 'ingester', needs: ['bus', 'db'], description: DESCRIPTION, run: (ctx) => runIngester(ctx, overrides, hooks) };
}

/** The ingester worker, configured from DECNET_INGESTER_* (see {@link IngesterOptions}). */
export const worker: WorkerSpec = createIngesterWorker();
