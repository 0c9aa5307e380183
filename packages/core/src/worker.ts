// The worker contract: a worker is a named `run(ctx)` that returns when its signal aborts.
// Hosting (standalone, group, embedded) is decided elsewhere; the worker never knows.
import type { Bus } from './bus.js';
import type { DecnetConfig } from './config.js';
import type { Logger } from './logger.js';

/** What a worker touches; `db` decides whether its bundle may contain the database layer. */
export type WorkerNeed = 'bus' | 'db';

/** Everything a worker receives from its host. */
export interface WorkerContext {
  readonly name: string;
  /** Distinguishes replicas; stable for the process. */
  readonly instanceId: string;
  readonly bus: Bus;
  readonly config: DecnetConfig;
  /** Child logger bound to the worker name. */
  readonly log: Logger;
  /** Aborts on stop, restart and shutdown; `run` must return soon after. */
  readonly signal: AbortSignal;
  /** Marks forward progress; the heartbeat reports the last time, so a stuck worker shows. */
  progress(): void;
  /** Counts handled events (and marks progress). */
  handled(count?: number): void;
  /** Merges worker-specific fields into the next heartbeats (queue depths, cursors). */
  setHealthDetail(detail: Record<string, unknown>): void;
}

/** A worker, as exported by every worker package's `index.ts`. */
export interface WorkerSpec {
  /** One name everywhere: Nx project `worker-<name>`, `decnet run <name>`, `system.<name>.health`. */
  readonly name: string;
  readonly needs: readonly WorkerNeed[];
  /** One line for `decnet workers`. */
  readonly description: string;
  /** Resolves when `ctx.signal` aborts; rejects only on a real failure (the host restarts it). */
  run(ctx: WorkerContext): Promise<void>;
}

/**
 * Resolves when `signal` aborts (immediately if it already has). Lets a worker park until stop.
 */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Sleeps `ms`, returning early (without throwing) when `signal` aborts.
 * @returns true if the full time elapsed, false if aborted.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
