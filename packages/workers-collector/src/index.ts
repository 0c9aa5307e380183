/**
 * The `collector` worker: takes decky service output on this host — RFC 5424 syslog over UDP
 * and TCP (octet-counted or newline-framed, detected per frame) on 127.0.0.1:5514 by default,
 * and log files it tails with checkpoints — drops upstream's noise apps, rate-limits
 * connection-lifecycle repeats, gives every event a stable id and publishes it as
 * `log.event.<service>` (key: attacker address). Also publishes `attacker.session.ended`.
 *
 * ```ts
 * import { worker } from '@decnet/worker-collector';
 * // DECNET_COLLECTOR_FILES=/var/log/decnet/decnet.log node dist/workers/collector/main.js
 * // logger --rfc5424 -n 127.0.0.1 -P 5514 -T --octet-count '...'  → log.event.<app-name>
 * ```
 * @module
 */
import type { WorkerSpec } from '@decnet/core';
import type { CollectorOptions } from './options.js';
import { runCollector, type CollectorHooks } from './worker.js';

// checkpoint-store.ts
export type { FileCheckpoint } from './checkpoint-store.js';
export { CheckpointStore } from './checkpoint-store.js';
// connection.ts
export type { FeedResult } from './connection.js';
export { ConnectionSession } from './connection.js';
// errors.ts
export { ListenError } from './errors.js';
// file-tailer.ts
export type { TailCounters, TailerDeps } from './file-tailer.js';
export { FileTailer, HEAD_MAX_BYTES, fileGeneration, fileHead } from './file-tailer.js';
// filter.ts
export type { FilterableRecord } from './filter.js';
export { ConnectRateLimiter, NoiseFilter, RATE_LIMIT_GC_THRESHOLD, RATE_LIMIT_GC_WINDOWS, RATE_LIMIT_MAX_KEYS } from './filter.js';
// line-processor.ts
export type { LineCounters, LineOutcome, LineTransport, ProcessorClocks, PublishItem } from './line-processor.js';
export { LineProcessor } from './line-processor.js';
// network.ts
export type { BoundPorts, NetworkCounters, NetworkDeps } from './network.js';
export { SyslogListeners } from './network.js';
// options.ts
export type { CollectorOptions, CollectorTransport, CompiledCollectorOptions } from './options.js';
export {
  COLLECTOR_DEFAULTS,
  COLLECTOR_TRANSPORTS,
  DEFAULT_DROP_APPS,
  DEFAULT_RL_EVENT_TYPES,
  compileCollectorOptions,
  defaultStateFile,
} from './options.js';
// publisher.ts
export type { PublisherCounters } from './publisher.js';
export { RetryingPublisher } from './publisher.js';
// session-aggregator.ts
export type { SessionCommand, SessionEndedPayload } from './session-aggregator.js';
export { MAX_COMMANDS_PER_IP, MAX_TRACKED_IPS, SessionAggregator } from './session-aggregator.js';
// worker.ts
export type { CollectorHooks } from './worker.js';
export { runCollector } from './worker.js';

/** The worker's description in `decnet workers`. */
const DESCRIPTION = 'syslog (UDP/TCP) and tailed log files on this host → filtered, stably-identified log.event.* on the bus';

/**
 * A collector worker with fixed option overrides and hooks (tests, embedding); the plain
 * {@link worker} reads everything from the environment.
 */
export function createCollectorWorker(overrides: Partial<CollectorOptions> = {}, hooks: CollectorHooks = {}): WorkerSpec {
  return {
    name: 'collector',
    needs: ['bus'],
    description: DESCRIPTION,
    run: (ctx) => runCollector(ctx, overrides, hooks),
  };
}

/** The collector worker, configured from DECNET_COLLECTOR_* (see {@link CollectorOptions}). */
export const worker: WorkerSpec = createCollectorWorker();
