// The webhook worker's run loop: load the enabled subscriptions, subscribe to the fewest bus
// patterns covering them, route each event to the lanes it matches, record every outcome (and
// trip breakers), and reload on `system.webhook.subscriptions_changed` and periodically.
import {
  EVENTS,
  everyNth,
  sleep,
  subscribeEvent,
  untilAborted,
  type Envelope,
  type Subscription,
  type WorkerContext,
} from '@decnet/core';
import { SchemaNotReadyError, getDatabase, isSchemaError } from '@decnet/db';
import { systemLookup, type DeliveryResult, type DeliverySettings } from './delivery.js';
import { Dispatcher, type AfterResult } from './dispatcher.js';
import type { DeliveryEvent } from './handlers/formats.js';
import { reducePatterns, responsiblePattern } from './handlers/patterns.js';
import type { Lookup } from './handlers/target.js';
import { compileWebhookOptions, type WebhookOptions } from './options.js';
import { listSubscriptions, recordFailure, recordSuccess, type SubscriptionRow } from './subscriptions.js';

/** A success is written at most this often per subscription while its streak is already 0. */
const SUCCESS_WRITE_INTERVAL_MS = 5_000;
/** First wait after a failed reload; doubles up to the max while the database is away. */
const RELOAD_RETRY_INITIAL_MS = 500;
const RELOAD_RETRY_MAX_MS = 30_000;
/** Health detail refresh period. */
const HEALTH_TICK_MS = 2_000;
/** Events queued on the in-memory bus per pattern before the oldest is dropped (routing is fast). */
const BUS_QUEUE_SIZE = 4_096;

/** Optional hooks for embedding and tests. */
export interface WebhookHooks {
  /** Replaces the system resolver (tests map names to loopback). */
  lookup?: Lookup;
  /** Replaces Math.random for the retry jitter. */
  random?: () => number;
  /** Called after each reload once its bus subscriptions are ready. */
  onReload?(subscriptions: readonly SubscriptionRow[], patterns: readonly string[]): void;
  /** Called after each recorded delivery outcome. */
  onResult?(sub: SubscriptionRow, event: DeliveryEvent, result: DeliveryResult): void;
}

function toDeliveryEvent(e: Envelope): DeliveryEvent {
  return { id: e.id, topic: e.topic, type: e.type, ts: e.ts, payload: e.payload };
}

/**
 * Runs the webhook worker until `ctx.signal` aborts. Options come from DECNET_WEBHOOK_* then `overrides`.
 * @throws SchemaNotReadyError when the table is missing.
 */
export async function runWebhook(ctx: WorkerContext, overrides: Partial<WebhookOptions> = {}, hooks: WebhookHooks = {}): Promise<void> {
  const options = compileWebhookOptions(process.env, overrides);
  const database = await getDatabase(ctx.config, ctx.log, { signal: ctx.signal }).catch((err: unknown) => {
    if (ctx.signal.aborted) return undefined;
    throw err;
  });
  if (!database || ctx.signal.aborted) return;
  const pool = database.pool;

  const settings: DeliverySettings = {
    timeoutMs: options.timeoutMs,
    retryScheduleMs: options.retryScheduleMs,
    allow: options.allowCidrs,
    lookup: hooks.lookup ?? systemLookup,
    ...(hooks.random ? { random: hooks.random } : {}),
  };
  const counters = { reloads: 0, reloadFailures: 0, routed: 0, unmatched: 0, tripped: 0, recordFailures: 0, malformed: 0 };
  const lastSuccessWrite = new Map<string, number>();
  const streak = new Map<string, number>();
  const logDeliveryFailure = everyNth(ctx.log, 'warn', 'webhook delivery failed', 100);
  const logRecordFailure = everyNth(ctx.log, 'warn', 'webhook outcome not recorded', 100);
  let wake: (() => void) | undefined;
  let reloadRequested = false;
  const requestReload = (): void => {
    reloadRequested = true;
    wake?.();
  };

  const record = async (sub: SubscriptionRow, event: DeliveryEvent, result: DeliveryResult): Promise<AfterResult> => {
    let next: AfterResult = 'continue';
    try {
      if (result.ok) {
        const now = Date.now();
        if ((streak.get(sub.uuid) ?? sub.consecutiveFailures) > 0 || now - (lastSuccessWrite.get(sub.uuid) ?? 0) >= SUCCESS_WRITE_INTERVAL_MS) {
          await recordSuccess(pool, sub.uuid);
          lastSuccessWrite.set(sub.uuid, now);
        }
        streak.set(sub.uuid, 0);
      } else if (!result.aborted) {
        logDeliveryFailure({ subscription: sub.uuid, status: result.status, attempts: result.attempts, error: result.error });
        const r = await recordFailure(pool, sub.uuid, result.error ?? 'failed', options.circuitThreshold);
        if (r === undefined || !r.enabled) {
          next = 'stop';
          if (r?.tripped) {
            counters.tripped++;
            ctx.log.warn('webhook subscription disabled by its circuit breaker', { subscription: sub.uuid, failures: r.failures });
            // Tell every instance (and ourselves) to drop it.
            await ctx.bus.publish(EVENTS.webhookSubscriptionsChanged.subject, {}, { type: 'changed' }).catch(() => undefined);
          }
        } else {
          streak.set(sub.uuid, r.failures);
        }
      }
    } catch (err) {
      counters.recordFailures++;
      logRecordFailure({ subscription: sub.uuid, error: (err as Error).message });
    }
    hooks.onResult?.(sub, event, result);
    return next;
  };

  const dispatcher = new Dispatcher(options.queueSize, settings, record, ctx.log, ctx.signal);
  const busSubs = new Map<string, Subscription>();
  let reduced: string[] = [];

  const onEvent = (pattern: string, envelope: Envelope): void => {
    // Overlapping bus patterns both receive an event; only the first matching one routes it.
    if (responsiblePattern(reduced, envelope.topic) !== pattern) return;
    const matched = dispatcher.route(toDeliveryEvent(envelope));
    if (matched > 0) counters.routed++;
    else counters.unmatched++;
    ctx.handled();
  };

  const syncBus = async (next: string[]): Promise<void> => {
    reduced = next;
    const wanted = new Set(next);
    for (const [pattern, sub] of busSubs) {
      if (wanted.has(pattern)) continue;
      busSubs.delete(pattern);
      await sub.unsubscribe().catch(() => undefined);
    }
    const fresh: Subscription[] = [];
    for (const pattern of next) {
      if (busSubs.has(pattern)) continue;
      // A relay: the payload is the receiver's business, so these subscriptions are not validated.
      const sub = ctx.bus.subscribe(pattern, (e) => onEvent(pattern, e), { queueSize: BUS_QUEUE_SIZE });
      busSubs.set(pattern, sub);
      fresh.push(sub);
    }
    await Promise.all(fresh.map((s) => s.ready));
  };

  const reload = async (): Promise<void> => {
    const subs = await listSubscriptions(pool, { enabledOnly: true });
    dispatcher.apply(subs);
    for (const s of subs) if (!streak.has(s.uuid)) streak.set(s.uuid, s.consecutiveFailures);
    await syncBus(reducePatterns(dispatcher.patterns()));
    counters.reloads++;
    hooks.onReload?.(subs, reduced);
  };

  const report = (): void => {
    const { lanes, totals } = dispatcher.stats();
    ctx.setHealthDetail({ ...counters, ...totals, subscriptions: lanes.length, busPatterns: reduced, lanes });
  };

  const logMalformed = everyNth(ctx.log, 'warn', 'malformed reload signal dropped', 100);
  const changes = subscribeEvent(ctx.bus, EVENTS.webhookSubscriptionsChanged, () => requestReload(), {
    log: ctx.log,
    broadcast: true,
    queueSize: 16,
    onMalformed: (event, reason) => {
      counters.malformed++;
      logMalformed({ id: event.id, reason });
    },
  });
  const healthTimer = setInterval(report, HEALTH_TICK_MS);
  healthTimer.unref();
  let retry = RELOAD_RETRY_INITIAL_MS;
  try {
    await Promise.race([changes.ready, untilAborted(ctx.signal)]);
    while (!ctx.signal.aborted) {
      reloadRequested = false;
      let waitMs = options.reloadMs;
      try {
        await reload();
        retry = RELOAD_RETRY_INITIAL_MS;
        ctx.progress();
      } catch (err) {
        if (ctx.signal.aborted) break;
        if (isSchemaError(err)) throw new SchemaNotReadyError(String((err as { code?: unknown }).code), { cause: err });
        counters.reloadFailures++;
        ctx.log.warn('webhook subscriptions not loaded; retrying', { error: (err as Error).message, retryInMs: retry });
        waitMs = retry;
        retry = Math.min(RELOAD_RETRY_MAX_MS, retry * 2);
      }
      report();
      if (reloadRequested) continue;
      await Promise.race([sleep(waitMs, ctx.signal), new Promise<void>((r) => (wake = r))]);
      wake = undefined;
    }
  } finally {
    clearInterval(healthTimer);
    await dispatcher.stop();
    await Promise.all([changes, ...busSubs.values()].map((s) => s.unsubscribe().catch(() => undefined)));
  }
}
