// Runs one worker under a restart loop: exponential backoff on failure, reset after a healthy
// spell, heartbeat and control per worker, and failures attributed to the worker that caused
// them (AsyncLocalStorage) so one worker's crash never touches its siblings.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  IllegalStateError,
  listenForControl,
  sleep,
  startHeartbeat,
  type Bus,
  type BusStats,
  type ControlAction,
  type DecnetConfig,
  type EventHandler,
  type Logger,
  type Payload,
  type PublishOptions,
  type SubscribeOptions,
  type Subscription,
  type WorkerContext,
  type WorkerSpec,
  type WorkerState,
} from '@decnet/core';

/** Restart policy. Defaults: 1 s doubling to 30 s, reset after 60 s of healthy running. */
export interface BackoffPolicy {
  /** @default 1000 */
  initialMs: number;
  /** @default 30000 */
  maxMs: number;
  /** A run that lasted this long resets the backoff to `initialMs`. @default 60000 */
  resetAfterMs: number;
}

/** Default restart policy. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

/** How long a worker gets to return after its signal aborts before it is abandoned. */
export const DEFAULT_STOP_DEADLINE_MS = 10_000;

/** Options for {@link WorkerRunner}. */
export interface WorkerRunnerOptions {
  readonly spec: WorkerSpec;
  /** The worker's own bus handle (its client name is the worker name). */
  readonly bus: Bus;
  readonly config: DecnetConfig;
  readonly log: Logger;
  readonly backoff?: Partial<BackoffPolicy>;
  /** @default 10000 */
  readonly stopDeadlineMs?: number;
  /** Listen on `system.<name>.control`. @default true */
  readonly control?: boolean;
  /** Publish `system.<name>.health`. @default true */
  readonly heartbeat?: boolean;
}

const storage = new AsyncLocalStorage<WorkerRunner>();

/**
 * The runner whose worker code is executing now, if any. Hosts call this from
 * `uncaughtException`/`unhandledRejection` handlers to attribute a failure to one worker.
 */
export function currentWorkerRunner(): WorkerRunner | undefined {
  return storage.getStore();
}

/** A Bus view that remembers its subscriptions so a run's leftovers can be removed. */
class ScopedBus implements Bus {
  private readonly subs = new Set<Subscription>();
  constructor(private readonly inner: Bus) {}
  get clientName(): string {
    return this.inner.clientName;
  }
  publish(subject: string, payload: Payload, options?: PublishOptions): Promise<void> {
    return this.inner.publish(subject, payload, options);
  }
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription {
    const sub = this.inner.subscribe(pattern, handler, options);
    this.subs.add(sub);
    return {
      pattern: sub.pattern,
      group: sub.group,
      ready: sub.ready,
      unsubscribe: async () => {
        this.subs.delete(sub);
        await sub.unsubscribe();
      },
    };
  }
  async close(): Promise<void> {
    const subs = [...this.subs];
    this.subs.clear();
    await Promise.allSettled(subs.map((s) => s.unsubscribe()));
  }
  stats(): BusStats {
    return this.inner.stats();
  }
}

/**
 * Lifecycle of one hosted worker.
 * - `stopped`: not running (initial, after `stop`, or after the worker returned on its own).
 * - `starting`: about to call `run`.
 * - `running`: `run` is in progress.
 * - `backoff`: `run` failed; waiting before the next attempt.
 * - `stopping`: the signal aborted; waiting for `run` to return.
 * - `failed`: reserved for a worker that cannot be restarted.
 */
export class WorkerRunner {
  private currentState: WorkerState = 'stopped';
  private readonly policy: BackoffPolicy;
  private readonly stopDeadlineMs: number;
  private readonly log: Logger;
  private attempt: AbortController | undefined;
  private crash: ((err: unknown) => void) | undefined;
  private loop: Promise<void> | undefined;
  private wantStop = false;
  private wake: AbortController | undefined;
  private progressTs: number | null = null;
  private handledCount = 0;
  private restartCount = 0;
  private detail: Record<string, unknown> | undefined;
  private stopHeartbeat: (() => void) | undefined;
  private control: Subscription | undefined;
  private closed = false;
  private readonly createdTs = Date.now() / 1000;

  constructor(private readonly options: WorkerRunnerOptions) {
    this.policy = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.stopDeadlineMs = options.stopDeadlineMs ?? DEFAULT_STOP_DEADLINE_MS;
    this.log = options.log.child({ worker: options.spec.name });
  }

  get name(): string {
    return this.options.spec.name;
  }

  get state(): WorkerState {
    return this.currentState;
  }

  /** Times the worker was started again after a failure. */
  get restarts(): number {
    return this.restartCount;
  }

  private setState(next: WorkerState): void {
    if (next === this.currentState) return;
    this.log.info('worker state', { from: this.currentState, to: next });
    this.currentState = next;
  }

  /**
   * Begins hosting: heartbeat, control listener, and the first run. Idempotent while running.
   * @throws IllegalStateError after `close()`.
   */
  start(): void {
    if (this.closed) throw new IllegalStateError('start', 'closed');
    const { bus, config, spec } = this.options;
    if (this.options.heartbeat !== false && !this.stopHeartbeat) {
      this.stopHeartbeat = startHeartbeat(
        bus,
        {
          worker: spec.name,
          instance: config.instanceId,
          state: () => this.currentState,
          lastProgressTs: () => this.progressTs,
          eventsHandled: () => this.handledCount,
          restarts: () => this.restartCount,
          detail: () => this.detail,
        },
        config.healthIntervalMs,
        this.log,
      );
    }
    if (this.options.control !== false && !this.control) {
      this.control = listenForControl(bus, spec.name, config.instanceId, this.createdTs, this.log, (action) =>
        this.onControl(action),
      );
    }
    if (this.loop) return;
    this.wantStop = false;
    this.loop = this.runLoop().finally(() => {
      this.loop = undefined;
    });
  }

  /** Resolves when the control subscription is live (Kafka joins take seconds). */
  async ready(): Promise<void> {
    await this.control?.ready;
  }

  private async onControl(action: ControlAction): Promise<void> {
    this.log.info('control action', { action });
    if (action === 'stop') await this.stop();
    else if (action === 'start') this.start();
    else await this.restart();
  }

  /**
   * Attributes a failure (an uncaught exception or unhandled rejection raised inside this
   * worker's code) to the current run: the run is aborted and restarted with backoff.
   */
  reportCrash(err: unknown): void {
    if (this.crash) this.crash(err);
    else this.log.error('failure attributed to worker outside a run', { err: describe(err) });
  }

  /** Aborts the current run and does not restart it. Resolves when `run` has returned or was abandoned. */
  async stop(): Promise<void> {
    this.wantStop = true;
    this.wake?.abort();
    this.attempt?.abort();
    await this.loop;
  }

  /** Stops the current run and starts a fresh one with the backoff reset. */
  async restart(): Promise<void> {
    await this.stop();
    if (!this.closed) this.start();
  }

  /** Stops the worker, its heartbeat and control listener. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stop();
    this.stopHeartbeat?.();
    await this.control?.unsubscribe();
  }

  private async runLoop(): Promise<void> {
    let backoff = this.policy.initialMs;
    let first = true;
    while (!this.wantStop) {
      if (!first) this.restartCount++;
      first = false;
      this.setState('starting');
      const attempt = new AbortController();
      this.attempt = attempt;
      const scoped = new ScopedBus(this.options.bus);
      const ctx = this.makeContext(attempt.signal, scoped);
      const crashed = new Promise<never>((_, reject) => {
        this.crash = reject;
      });
      const startedAt = Date.now();
      this.setState('running');
      const run = storage.run(this, () => Promise.resolve().then(() => this.options.spec.run(ctx)));
      let failure: unknown;
      let failed = false;
      const aborted = new Promise<void>((resolve) =>
        attempt.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      try {
        // Ends on return, failure, crash report, or stop (then `settle` applies the deadline).
        await Promise.race([run, crashed, aborted]);
      } catch (err) {
        failed = true;
        failure = err;
      }
      this.crash = undefined;
      if (!attempt.signal.aborted) attempt.abort();
      if (failed) run.catch(() => undefined);
      this.setState('stopping');
      await this.settle(run);
      await scoped.close();
      this.attempt = undefined;
      if (!failed || this.wantStop) {
        if (!failed && !this.wantStop) this.log.info('worker returned; not restarting');
        break;
      }
      if (Date.now() - startedAt >= this.policy.resetAfterMs) backoff = this.policy.initialMs;
      this.log.error('worker failed; restarting', { err: describe(failure), backoffMs: backoff });
      this.setState('backoff');
      this.wake = new AbortController();
      await sleep(backoff, this.wake.signal);
      this.wake = undefined;
      backoff = Math.min(backoff * 2, this.policy.maxMs);
    }
    this.setState('stopped');
  }

  private async settle(run: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.stopDeadlineMs);
    });
    const outcome = await Promise.race([run.then(() => 'done', () => 'done'), deadline]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.log.warn('worker did not return before the stop deadline; abandoned', { deadlineMs: this.stopDeadlineMs });
    }
  }

  private makeContext(signal: AbortSignal, bus: Bus): WorkerContext {
    const { config, spec } = this.options;
    return {
      name: spec.name,
      instanceId: config.instanceId,
      bus,
      config,
      log: this.log,
      signal,
      progress: () => {
        this.progressTs = Date.now() / 1000;
      },
      handled: (count = 1) => {
        this.handledCount += count;
        this.progressTs = Date.now() / 1000;
      },
      setHealthDetail: (detail) => {
        this.detail = { ...this.detail, ...detail };
      },
    };
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
