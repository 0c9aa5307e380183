/**
 * Hosting for workers: picks the bus implementation from configuration, runs each worker
 * under its own restart loop with heartbeat and control, attributes uncaught failures to the
 * worker that raised them, and owns process signals. Used by the generated standalone entry
 * of every worker, by `decnet supervise <group>` and by `decnet up`.
 *
 * ```ts
 * import { runStandaloneMain } from '@decnet/host';
 * import { worker } from '@decnet/worker-webhook';
 * await runStandaloneMain(worker); // SIGTERM stops it within 15 s and exits 0
 * ```
 * @module
 */

// fleet-host.ts
export type { FleetHostOptions, StopReport } from './fleet-host.js';
export { DEFAULT_SHUTDOWN_DEADLINE_MS, FleetHost } from './fleet-host.js';
// main.ts
export type { HostMainOptions } from './main.js';
export { hostMain, loadConfigOrExit, runStandaloneMain } from './main.js';
// shutdown.ts
export { runShutdownHooks } from './shutdown.js';
// transport.ts
export { openBusTransport } from './transport.js';
// worker-runner.ts
export type { BackoffPolicy, WorkerRunnerOptions } from './worker-runner.js';
export { DEFAULT_BACKOFF, DEFAULT_STOP_DEADLINE_MS, WorkerRunner, currentWorkerRunner } from './worker-runner.js';
