/**
 * The forwarder worker: tails one local log file across rotations and truncations and ships
 * each complete line to the listener over mutual TLS (RFC 5425 octet-counted frames with the
 * `decnet-syslog-ack/1` acknowledgement extension). Its persisted position advances only when
 * the listener reports the lines durable on the bus; unacknowledged lines are resent after any
 * reconnect or restart with the same stream and offset, so the listener gives them the same
 * event ids and the pipeline stores each line once.
 *
 * ```ts
 * import { worker } from '@decnet/worker-forwarder';
 * // DECNET_FORWARDER_FILE=/var/log/decnet/agent.log DECNET_FORWARDER_TARGET=master:6514 decnet run forwarder
 * ```
 * @module
 */
import type { WorkerSpec } from '@decnet/core';
import { runForwarder, type ForwarderSource } from './worker.js';

/** Builds the forwarder's spec; `source` overrides where options come from (tests, embedding). */
export function createForwarderWorker(source: ForwarderSource = {}): WorkerSpec {
  return {
    name: 'forwarder',
    needs: ['bus'],
    description: 'ships a local log file to a listener over mutual TLS, acknowledged',
    run: (ctx) => runForwarder(ctx, source),
  };
}

/** The forwarder worker, configured from the environment (DECNET_FORWARDER_*). */
export const worker: WorkerSpec = createForwarderWorker();

// errors.ts
export { ForwarderTlsError, LinkProtocolError } from './errors.js';
// options.ts
export type { CompiledForwarderOptions, ForwarderOptions, ForwarderTarget } from './options.js';
export { FORWARDER_CERT_NAME, FORWARDER_DEFAULTS, compileForwarderOptions, defaultStateFile, parseTarget } from './options.js';
// shipper.ts
export type { ForwarderTlsMaterial, LineSource, ShipperCounters, ShipperOptions, ShipperState } from './shipper.js';
export { Shipper } from './shipper.js';
// state.ts
export type { AckedPosition, GenerationIdentity, LoadedState, SavedGeneration } from './state.js';
export { loadState, saveState } from './state.js';
// tailer.ts
export type { TailLine, TailerCounters, TailerNotice, TailerOptions } from './tailer.js';
export { HEAD_BYTES, ROTATE_GRACE_MS, Tailer, streamId } from './tailer.js';
// worker.ts
export type { ForwarderSource } from './worker.js';
export { composeState, runForwarder } from './worker.js';
