/**
 * The listener worker: receives RFC 5425 syslog (octet-counted frames) over mutual TLS from
 * remote forwarders and plain RFC 5425 senders, identifies each sender by its client
 * certificate's CN (never the syslog HOSTNAME), and publishes every line as `log.event.<service>`
 * exactly as the collector does, with `source: 'tls'` and `source_worker: <CN>`. Forwarders that
 * negotiate the `decnet-syslog-ack/1` ALPN protocol are acknowledged once their lines are durable
 * on the bus, and their lines carry stable ids, so restarts lose and duplicate nothing.
 *
 * ```ts
 * import { worker } from '@decnet/worker-listener';
 * // decnet run listener   (DECNET_LISTENER_BIND=0.0.0.0 to accept remote forwarders)
 * ```
 * @module
 */
import type { WorkerSpec } from '@decnet/core';
import { runListener, type ListenerSource } from './worker.js';

/** Builds the listener's spec; `source` overrides where options come from (tests, embedding). */
export function createListenerWorker(source: ListenerSource = {}): WorkerSpec {
  return {
    name: 'listener',
    needs: ['bus'],
    description: 'RFC 5425 syslog over mutual TLS from remote forwarders onto the bus',
    run: (ctx) => runListener(ctx, source),
  };
}

/** The listener worker, configured from the environment (DECNET_LISTENER_*). */
export const worker: WorkerSpec = createListenerWorker();

// errors.ts
export { ListenError, ListenerTlsError } from './errors.js';
// event-id.ts
export { eventId, forwardedSource, plainSource } from './event-id.js';
// options.ts
export type { CompiledListenerOptions, ListenerOptions } from './options.js';
export { LISTENER_CERT_NAME, LISTENER_DEFAULTS, compileListenerOptions, defaultListenerPaths } from './options.js';
// publish.ts
export { durablePublisher } from './publish.js';
// record.ts
export type { LineOutcome, PublishItem, TlsLogEventPayload } from './record.js';
export { processLine } from './record.js';
// server.ts
export type { ListenerServerOptions, ListenerTlsMaterial, ServerCounters } from './server.js';
export { ListenerServer } from './server.js';
// session.ts
export type { CloseReason, ListenerCounters, PublishResult, SessionIo, SessionOptions } from './session.js';
export { LinkSession, emptyCounters } from './session.js';
// worker.ts
export type { ListenerSource } from './worker.js';
export { runListener } from './worker.js';
