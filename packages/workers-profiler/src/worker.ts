// The profiler's run loop: fold batches until caught up, then sleep until the ingester says a
// batch committed (`system.log` `batch_committed`) or the fallback poll fires. After each
// committed batch, publish `attacker.observed` (rows that now exist) and `attacker.scored`.
import { EVENTS, derivedEventId, everyNth, sleep, subscribeEvent, type WorkerContext } from '@decnet/core';
import { SchemaNotReadyError, getDatabase, isSchemaError } from '@decnet/db';
import { CursorCorruptError } from './errors.js';
import { compileProfilerOptions, type ProfilerOptions } from './options.js';
import { backlogOf, runBatch, type BatchResult } from './profile-batch.js';

/** First wait after a failed batch; doubles up to the max while the database is away. */
const RETRY_INITIAL_MS = 500;
const RETRY_MAX_MS = 30_000;
/** Wake notifications queued before the bus drops the oldest: one is enough to wake us. */
const WAKE_QUEUE_SIZE = 16;
/** Notices published at once after a batch. */
const PUBLISH_CONCURRENCY = 64;
/** While publishing keeps failing, log the 1st failure and every Nth. */
const PUBLISH_LOG_EVERY = 100;

/** Counters reported in health. */
export interface ProfilerCounters {
  batches: number;
  rows: number;
  events: number;
  skipped: number;
  attackersInserted: number;
  attackersUpdated: number;
  rebuilt: number;
  approximated: number;
  abandonedIds: number;
  observed: number;
  scored: number;
  publishFailed: number;
  failures: number;
  wakes: number;
  /** Wake notices whose payload did not fit the catalogue (dropped, logged). */
  malformed: number;
}

/** Optional callbacks for embedding and tests. */
export interface ProfilerHooks {
  /** Called once the wake subscription is ready and the first catch-up started. */
  onReady?(): void;
  /** Called after each committed batch, before its notices are published. */
  onBatch?(result: BatchResult): void | Promise<void>;
}

/** A coalescing wake-up: any number of `fire()` calls wake one `wait()`. */
class Wake {
  private pending = false;
  private resolve: (() => void) | undefined;
  fire(): void {
    this.pending = true;
    this.resolve?.();
  }
  /** Resolves on a fire (including one that came before the call), after `ms`, or on abort. */
  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) {
      this.pending = false;
      return;
    }
    const woken = new Promise<void>((r) => (this.resolve = r));
    await Promise.race([woken, sleep(ms, signal)]);
    this.resolve = undefined;
    this.pending = false;
  }
}

async function publishNotices(ctx: WorkerContext, result: BatchResult, counters: ProfilerCounters, logFailure: (meta?: Record<string, unknown>) => number): Promise<void> {
  const jobs: (() => Promise<void>)[] = [];
  for (const n of result.observed) {
    jobs.push(() =>
      ctx.bus.publish(EVENTS.attackerObserved.subject, n.payload, {
        id: derivedEventId(n.attackerUuid, EVENTS.attackerObserved.subject),
        key: n.payload.attacker_ip,
        type: 'observed',
      }),
    );
  }
  for (const n of result.scored) {
    jobs.push(() =>
      ctx.bus.publish(EVENTS.attackerScored.subject, n.payload, {
        id: derivedEventId(n.attackerUuid, `${EVENTS.attackerScored.subject}/${JSON.stringify(n.payload)}`),
        key: n.payload.attacker_ip,
        type: 'scored',
      }),
    );
  }
  // observed before scored for each attacker: all observed notices go out first.
  const observedJobs = jobs.slice(0, result.observed.length);
  const scoredJobs = jobs.slice(result.observed.length);
  for (const group of [observedJobs, scoredJobs]) {
    for (let i = 0; i < group.length; i += PUBLISH_CONCURRENCY) {
      const outcomes = await Promise.allSettled(group.slice(i, i + PUBLISH_CONCURRENCY).map((job) => job()));
      for (const o of outcomes) {
        if (o.status === 'fulfilled') continue;
        counters.publishFailed++;
        logFailure({ error: (o.reason as Error)?.message ?? String(o.reason) });
      }
    }
  }
  counters.observed += result.observed.length;
  counters.scored += result.scored.length;
}

/**
 * Runs the profiler until `ctx.signal` aborts. Options come from DECNET_PROFILER_* then `overrides`.
 * @throws SchemaNotReadyError when the tables are missing; CursorCorruptError when the stored cursor is unusable.
 */
export async function runProfiler(ctx: WorkerContext, overrides: Partial<ProfilerOptions> = {}, hooks: ProfilerHooks = {}): Promise<void> {
  const options = compileProfilerOptions(process.env, overrides);
  const database = await getDatabase(ctx.config, ctx.log, { signal: ctx.signal }).catch((err: unknown) => {
    if (ctx.signal.aborted) return undefined;
    throw err;
  });
  if (!database || ctx.signal.aborted) return;

  const counters: ProfilerCounters = {
    batches: 0,
    rows: 0,
    events: 0,
    skipped: 0,
    attackersInserted: 0,
    attackersUpdated: 0,
    rebuilt: 0,
    approximated: 0,
    abandonedIds: 0,
    observed: 0,
    scored: 0,
    publishFailed: 0,
    failures: 0,
    wakes: 0,
    malformed: 0,
  };
  const wake = new Wake();
  // The ingester announces each committed batch; any system.log event is a cheap nudge.
  const warnMalformed = everyNth(ctx.log, 'warn', 'malformed wake notice dropped');
  const sub = subscribeEvent(
    ctx.bus,
    EVENTS.systemLog,
    () => {
      counters.wakes++;
      wake.fire();
    },
    {
      log: ctx.log,
      queueSize: WAKE_QUEUE_SIZE,
      lossy: true,
      onMalformed: (event, reason) => {
        counters.malformed++;
        warnMalformed({ id: event.id, reason });
      },
    },
  );
  const ready = await Promise.race([sub.ready.then(() => true), sleep(60_000, ctx.signal).then(() => false)]);
  if (!ready && !ctx.signal.aborted) ctx.log.warn('wake subscription not ready; relying on the poll', { subject: EVENTS.systemLog.subject });
  hooks.onReady?.();

  const logBatchFailure = everyNth(ctx.log, 'warn', 'profiler batch failed; retrying', 10);
  const logPublishFailure = everyNth(ctx.log, 'warn', 'attacker notice not published', PUBLISH_LOG_EVERY);
  let delay = RETRY_INITIAL_MS;
  let backlog = 0;
  let lastCursor = { lastLogId: 0, gaps: [] as { lo: number; hi: number; sinceMs: number }[] };
  const report = (): void =>
    ctx.setHealthDetail({
      ...counters,
      cursor: lastCursor.lastLogId,
      holes: lastCursor.gaps.length,
      backlog,
      subscription: EVENTS.systemLog.subject,
    });

  while (!ctx.signal.aborted) {
    let result: BatchResult;
    try {
      result = await runBatch(database.pool, options.batchSize, options.gapGraceMs, Date.now());
    } catch (err) {
      if (ctx.signal.aborted) break;
      if (isSchemaError(err)) throw new SchemaNotReadyError(String((err as { code?: unknown }).code), { cause: err });
      if (err instanceof CursorCorruptError) throw err;
      counters.failures++;
      logBatchFailure({ error: (err as Error).message, code: (err as { code?: unknown }).code, retryInMs: delay });
      report();
      await sleep(delay, ctx.signal);
      delay = Math.min(RETRY_MAX_MS, delay * 2);
      continue;
    }
    delay = RETRY_INITIAL_MS;
    lastCursor = result.cursor;
    counters.batches++;
    counters.rows += result.rows;
    counters.events += result.events;
    counters.skipped += Object.values(result.skipped).reduce((a, b) => a + (b ?? 0), 0);
    counters.attackersInserted += result.attackersInserted;
    counters.attackersUpdated += result.attackersUpdated;
    counters.rebuilt += result.rebuilt;
    counters.approximated += result.approximated;
    counters.abandonedIds += result.abandonedIds;
    if (result.rows > 0) ctx.handled(result.rows);
    else ctx.progress();
    await hooks.onBatch?.(result);
    await publishNotices(ctx, result, counters, logPublishFailure);
    if (result.newRows >= options.batchSize) {
      report();
      continue;
    }
    backlog = await backlogOf(database.pool, result.cursor).catch(() => backlog);
    report();
    await wake.wait(options.pollMs, ctx.signal);
  }
  await sub.unsubscribe().catch(() => undefined);
}
