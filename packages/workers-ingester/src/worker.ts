// The ingester's run loop: subscribe to log.event.>, validate each payload at the edge, batch,
// write each batch in one transaction (retrying while the database is away, isolating an event
// the database refuses), acknowledge per the ack mode, then publish the notifications.
import {
  EVENTS,
  everyNth,
  sleep,
  subscribeEvent,
  untilAborted,
  type SubscribeOptions,
  type WorkerContext,
} from '@decnet/core';
import { SchemaNotReadyError, getDatabase, isDataError, isSchemaError } from '@decnet/db';
import { Batcher } from './batcher.js';
import { FlushAbandonedError } from './errors.js';
import { notificationsFor, type Notification } from './notifications.js';
import { compileIngesterOptions, type IngesterOptions } from './options.js';
import { INGESTED_FIELDS, toIngestEvent, type IngestEvent } from './payload.js';
import { InsertTurns, writeBatch, type BatchOutcome } from './batch-writer.js';

/** Every parsed log line, whatever its service. */
const LOG_EVENT_PATTERN = EVENTS.logEvent.pattern;
/** First wait after a failed transaction; doubles up to the max while the database is away. */
const RETRY_INITIAL_MS = 250;
const RETRY_MAX_MS = 10_000;
/** Health detail refresh period. */
const HEALTH_TICK_MS = 1_000;
/** Notifications awaiting the bus before the next batch waits for them. */
const MAX_PENDING_NOTIFICATIONS = 10_000;
/** `receive` mode holds at most this many batches' worth of events. */
const RECEIVE_BUFFER_BATCHES = 8;

/** Counters reported in health. */
export interface IngesterCounters {
  batches: number;
  /** Log rows inserted. */
  inserted: number;
  /** Events already stored (redeliveries). */
  duplicates: number;
  credentials: number;
  credentialsRejected: number;
  bounties: number;
  /** Payloads that failed validation (skipped). */
  malformed: number;
  /** Events the database refused even alone (skipped, logged by id). */
  quarantined: number;
  /** Transactions retried after a failure. */
  retries: number;
  notified: number;
  notifyFailed: number;
}

/** Optional callbacks for embedding and tests. */
export interface IngesterHooks {
  /** Called once the subscription receives events (a Kafka group join takes seconds). */
  onReady?(): void;
}

/**
 * Runs the ingester until `ctx.signal` aborts. Options come from DECNET_INGESTER_* then `overrides`.
 * @throws SchemaNotReadyError when the tables are missing (migrations not applied).
 */
export async function runIngester(
  ctx: WorkerContext,
  overrides: Partial<IngesterOptions> = {},
  hooks: IngesterHooks = {},
): Promise<void> {
  const options = compileIngesterOptions(process.env, ctx.config.bus, overrides);
  const database = await getDatabase(ctx.config, ctx.log, { signal: ctx.signal }).catch((err: unknown) => {
    if (ctx.signal.aborted) return undefined;
    throw err;
  });
  if (!database || ctx.signal.aborted) return;

  const counters: IngesterCounters = {
    batches: 0,
    inserted: 0,
    duplicates: 0,
    credentials: 0,
    credentialsRejected: 0,
    bounties: 0,
    malformed: 0,
    quarantined: 0,
    retries: 0,
    notified: 0,
    notifyFailed: 0,
  };
  const warnMalformed = everyNth(ctx.log, 'warn', 'malformed log event skipped');
  const warnRetry = everyNth(ctx.log, 'warn', 'batch transaction failed; retrying');
  const warnNotify = everyNth(ctx.log, 'warn', 'notification could not be published');
  let lastBatch = { size: 0, ms: 0 };
  let fatal: ((err: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (fatal = reject));
  failed.catch(() => undefined);

  let pendingNotifications = 0;
  const notify = (items: Notification[]): void => {
    for (const n of items) {
      pendingNotifications++;
      ctx.bus
        .publish(n.subject, n.payload, { id: n.id, key: n.key, type: n.type })
        .then(
          () => counters.notified++,
          (err: unknown) => {
            counters.notifyFailed++;
            warnNotify({ subject: n.subject, reason: (err as Error).message });
          },
        )
        .finally(() => pendingNotifications--);
    }
  };

  const record = (outcome: BatchOutcome, size: number, ms: number): void => {
    counters.batches++;
    counters.inserted += outcome.inserted.length;
    counters.duplicates += outcome.duplicates;
    counters.credentials += outcome.credentials.length;
    counters.credentialsRejected += outcome.credentialsRejected;
    counters.bounties += outcome.bountiesInserted;
    lastBatch = { size, ms };
    ctx.handled(size);
  };

  const turns = new InsertTurns();
  /** Writes `events` durably, splitting around an event the database refuses. */
  const commit = async (events: IngestEvent[]): Promise<void> => {
    let delay = RETRY_INITIAL_MS;
    for (;;) {
      const started = performance.now();
      try {
        const outcome = await writeBatch(database.pool, events, { trustedProxies: options.trustedProxies }, turns.take());
        record(outcome, events.length, performance.now() - started);
        notify(notificationsFor(outcome));
        return;
      } catch (err) {
        if (isSchemaError(err)) {
          const error = new SchemaNotReadyError(String((err as { code?: unknown }).code), { cause: err });
          fatal?.(error);
          throw error;
        }
        if (isDataError(err)) {
          if (events.length === 1) {
            counters.quarantined++;
            ctx.log.error('database refused an event; skipped', {
              eventId: events[0]?.eventId,
              sqlState: (err as { code?: string }).code,
              reason: (err as Error).message,
            });
            return;
          }
          const mid = Math.ceil(events.length / 2);
          await commit(events.slice(0, mid));
          await commit(events.slice(mid));
          return;
        }
        counters.retries++;
        warnRetry({ reason: (err as Error).message, retryInMs: delay, events: events.length });
        if (!(await sleep(delay, ctx.signal))) throw new FlushAbandonedError(events.length);
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  };

  const batcher = new Batcher<IngestEvent>(
    {
      maxSize: options.batchSize,
      maxWaitMs: options.batchMaxWaitMs,
      idleMs: options.idleFlushMs,
      ack: options.ack,
      maxBuffered: options.batchSize * RECEIVE_BUFFER_BATCHES,
      maxConcurrent: options.concurrency,
    },
    async (items) => {
      while (pendingNotifications > MAX_PENDING_NOTIFICATIONS && !ctx.signal.aborted) await sleep(5);
      // A redelivery can put one event in a batch twice; the first copy stands for both.
      const unique = new Map<string, IngestEvent>();
      for (const item of items) if (!unique.has(item.eventId)) unique.set(item.eventId, item);
      await commit([...unique.values()]);
    },
  );

  // A bus that supports `concurrency` hands out up to that many events at once (commit mode then
  // fills whole batches); others ignore it.
  const subscribeOptions: SubscribeOptions = {
    fromBeginning: true,
    queueSize: options.queueSize,
    concurrency: options.batchSize * (options.concurrency + 1),
  };
  // Validated at the edge against the catalogue, only the fields the ingester reads (as before).
  const subscription = subscribeEvent(
    ctx.bus,
    EVENTS.logEvent,
    (event) => batcher.add(toIngestEvent(event.id, event.payload, event.ts)),
    {
      ...subscribeOptions,
      log: ctx.log,
      pattern: LOG_EVENT_PATTERN,
      fields: INGESTED_FIELDS,
      onMalformed: (event, reason) => {
        counters.malformed++;
        warnMalformed({ id: event.id, topic: event.topic, issue: reason });
      },
    },
  );
  void subscription.ready.then(() => {
    if (!ctx.signal.aborted) hooks.onReady?.();
  });

  const report = (): void => {
    ctx.setHealthDetail({ ack: options.ack, held: batcher.held, lastBatch, ...counters });
    if (batcher.held === 0) ctx.progress();
  };
  report();
  const timer = setInterval(report, HEALTH_TICK_MS);
  ctx.log.info('ingester started', { pattern: LOG_EVENT_PATTERN, ack: options.ack, batchSize: options.batchSize, database: database.url });
  try {
    await Promise.race([untilAborted(ctx.signal), failed]);
  } finally {
    clearInterval(timer);
    // Leave the group first (its in-flight handler completes as its batch flushes), then write
    // what is still buffered; a write that cannot happen now is abandoned and redelivered later.
    await subscription.unsubscribe();
    await batcher.drain();
    report();
    ctx.log.info('ingester stopped', { inserted: counters.inserted, duplicates: counters.duplicates });
  }
}
