// Heartbeats: every worker publishes `system.<name>.health` on a fixed period with enough
// to tell "alive but stuck" from "working": last progress time, events handled, loop lag.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { hostname } from 'node:os';
import type { Bus } from './bus.js';
import { EVENTS } from './events/catalogue.js';
import { malformedEventCounts } from './events/subscribe.js';
import type { HealthPayload, WorkerState } from './events/system-events.js';
import type { Logger } from './logger.js';
import { everyNth } from './logger.js';

export { WORKER_STATES, type HealthPayload, type WorkerState } from './events/system-events.js';

/** Payload of `system.<name>.health`, validated (built with core; workers beat from the start). */
export const healthPayloadSchema = EVENTS.health.schema;

/** What the heartbeat samples on each beat. */
export interface HealthSource {
  readonly worker: string;
  readonly instance: string;
  state(): WorkerState;
  lastProgressTs(): number | null;
  eventsHandled(): number;
  restarts(): number;
  detail(): Record<string, unknown> | undefined;
}

// One loop-delay histogram per process: every worker in a group shares the event loop.
let loopDelay: ReturnType<typeof monitorEventLoopDelay> | undefined;
function loopLagMs(): number {
  if (!loopDelay) {
    loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();
  }
  const lag = loopDelay.max / 1e6;
  loopDelay.reset();
  return Number.isFinite(lag) ? Math.round(lag * 10) / 10 : 0;
}

const startedAt = Date.now();

/** Samples one heartbeat payload now. */
export function sampleHealth(source: HealthSource): HealthPayload {
  const mem = process.memoryUsage();
  // Payloads the worker's validating subscriptions dropped (malformed), per catalogue entry.
  const malformed = malformedEventCounts(source.worker);
  const detail = malformed ? { ...source.detail(), malformedEvents: malformed } : source.detail();
  return {
    worker: source.worker,
    instance: source.instance,
    host: hostname(),
    pid: process.pid,
    ts: Date.now() / 1000,
    state: source.state(),
    uptimeS: Math.round((Date.now() - startedAt) / 100) / 10,
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    eventLoopLagMs: loopLagMs(),
    lastProgressTs: source.lastProgressTs(),
    eventsHandled: source.eventsHandled(),
    restarts: source.restarts(),
    ...(detail ? { detail } : {}),
  };
}

/**
 * Publishes a heartbeat at once and then every `intervalMs` until the returned stop
 * function is called. A failed publish is logged (1st and every 100th) and never throws.
 */
export function startHeartbeat(bus: Bus, source: HealthSource, intervalMs: number, log: Logger): () => void {
  const warn = everyNth(log, 'warn', 'heartbeat publish failed');
  const beat = (): void => {
    bus
      .publish(EVENTS.health.subject(source.worker), sampleHealth(source), { type: 'health', key: source.worker })
      .catch((err: unknown) => warn({ err: (err as Error).message }));
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
