// Hosts a set of workers in this process: one bus handle and one restart loop per worker,
// failures attributed to the worker that raised them, and a bounded shutdown.
import type { BusTransport, DecnetConfig, Logger, WorkerSpec } from '@decnet/core';
import { runShutdownHooks } from './shutdown.js';
import { WorkerRunner, currentWorkerRunner, type BackoffPolicy } from './worker-runner.js';

/** How long shutdown waits for all workers before abandoning the stragglers. */
export const DEFAULT_SHUTDOWN_DEADLINE_MS = 15_000;

/** Options for {@link FleetHost}. */
export interface FleetHostOptions {
  readonly transport: BusTransport;
  readonly config: DecnetConfig;
  readonly log: Logger;
  readonly backoff?: Partial<BackoffPolicy>;
  /** Per-worker time to return after its signal aborts. @default 10000 */
  readonly stopDeadlineMs?: number;
}

/** Outcome of {@link FleetHost.stop}. */
export interface StopReport {
  /** True when every worker returned before the deadline. */
  readonly clean: boolean;
  readonly elapsedMs: number;
}

/**
 * A group of hosted workers. Each has its own bus handle (client name = worker name), heartbeat,
 * control listener and restart loop; one worker's failure never stops its siblings.
 */
export class FleetHost {
  readonly runners: ReadonlyMap<string, WorkerRunner>;
  private stopping: Promise<StopReport> | undefined;

  constructor(
    specs: readonly WorkerSpec[],
    private readonly options: FleetHostOptions,
  ) {
    const runners = new Map<string, WorkerRunner>();
    for (const spec of specs) {
      if (runners.has(spec.name)) throw new Error(`worker ${spec.name} listed twice`);
      const log = options.log.child({ worker: spec.name });
      runners.set(
        spec.name,
        new WorkerRunner({
          spec,
          bus: options.transport.connect(spec.name, log),
          config: options.config,
          log: options.log,
          ...(options.backoff ? { backoff: options.backoff } : {}),
          ...(options.stopDeadlineMs ? { stopDeadlineMs: options.stopDeadlineMs } : {}),
        }),
      );
    }
    this.runners = runners;
  }

  /** Starts every worker. */
  start(): void {
    for (const runner of this.runners.values()) runner.start();
  }

  /** Resolves when every control listener is live. */
  async ready(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.ready()));
  }

  /**
   * Routes an uncaught exception or unhandled rejection to the worker whose code raised it.
   * @returns false when no hosted worker owns it (the caller should treat it as fatal).
   */
  attributeFailure(err: unknown): boolean {
    const runner = currentWorkerRunner();
    if (!runner || this.runners.get(runner.name) !== runner) return false;
    runner.reportCrash(err);
    return true;
  }

  /**
   * Stops every worker (in parallel), closes the bus and runs process shutdown hooks, within
   * `deadlineMs`. Idempotent: later calls get the first call's report.
   */
  stop(deadlineMs = DEFAULT_SHUTDOWN_DEADLINE_MS): Promise<StopReport> {
    this.stopping ??= this.doStop(deadlineMs);
    return this.stopping;
  }

  private async doStop(deadlineMs: number): Promise<StopReport> {
    const started = Date.now();
    const work = (async () => {
      await Promise.allSettled([...this.runners.values()].map((r) => r.close()));
      await this.options.transport.close();
      await runShutdownHooks(this.options.log);
    })();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      work.then(() => 'done' as const),
      new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), deadlineMs);
      }),
    ]);
    clearTimeout(timer);
    const elapsedMs = Date.now() - started;
    if (outcome === 'late') this.options.log.warn('shutdown deadline passed; exiting anyway', { deadlineMs });
    return { clean: outcome === 'done', elapsedMs };
  }
}
