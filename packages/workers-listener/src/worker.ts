// The listener's run loop: wait for the PKI files (so `decnet up` on a host without a CA idles
// instead of crash-looping), serve until stopped, report counters in health, drain on stop.
import { existsSync } from 'node:fs';
import { sleep, untilAborted, type WorkerContext } from '@decnet/core';
import { PkiFormatError, readPemFile } from '@decnet/pki';
import { ListenerTlsError } from './errors.js';
import { compileListenerOptions, type CompiledListenerOptions, type ListenerOptions } from './options.js';
import { durablePublisher } from './publish.js';
import { ListenerServer, type ListenerTlsMaterial } from './server.js';

/** How often the counters are copied into the heartbeat's detail. */
const HEALTH_DETAIL_MS = 1_000;
/** On stop, how long connections get to finish their outstanding publishes and be acknowledged. */
const DRAIN_MS = 3_000;

/** Where the listener gets its options: the environment, plus overrides for tests and embedding. */
export interface ListenerSource {
  readonly env?: Record<string, string | undefined>;
  readonly overrides?: Partial<ListenerOptions>;
}

/** Reads the TLS files, or returns the missing paths. */
function readTlsMaterial(options: CompiledListenerOptions): ListenerTlsMaterial | { missing: string[] } {
  const files = [options.certFile, options.keyFile, options.caFile];
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) return { missing };
  try {
    return { cert: readPemFile(options.certFile), key: readPemFile(options.keyFile), ca: readPemFile(options.caFile) };
  } catch (err) {
    if (err instanceof PkiFormatError) throw new ListenerTlsError(options.certFile, err.message, { cause: err });
    throw err;
  }
}

/**
 * Runs the listener until `ctx.signal` aborts.
 * @throws ConfigValidationError on bad options; ListenerTlsError when the TLS files are unusable;
 *   ListenError when the address cannot be bound (the host restarts the worker with backoff).
 */
export async function runListener(ctx: WorkerContext, source: ListenerSource = {}): Promise<void> {
  const options = compileListenerOptions(source.env ?? process.env, ctx.config.home, source.overrides);
  let material = readTlsMaterial(options);
  let warned = false;
  while ('missing' in material) {
    ctx.setHealthDetail({ state: 'waiting_for_pki', missing: material.missing });
    if (!warned) {
      ctx.log.warn('listener idle: TLS files missing (create them with decnet pki init; decnet pki issue listener --server)', {
        missing: material.missing,
      });
      warned = true;
    }
    if (!(await sleep(options.pkiRetryMs, ctx.signal))) return;
    material = readTlsMaterial(options);
  }

  const server = new ListenerServer({
    ...options,
    tls: material,
    publish: durablePublisher(ctx.bus, ctx.signal, ctx.log),
    log: ctx.log,
    onPublished: () => ctx.handled(),
  });
  const address = await server.listen();
  ctx.log.info('listener ready', { address: address.address, port: address.port, maxFrameBytes: options.maxFrameBytes });
  const report = (): void => ctx.setHealthDetail({ state: 'listening', address: address.address, port: address.port, ...server.counters });
  report();
  const timer = setInterval(report, HEALTH_DETAIL_MS);
  timer.unref();
  try {
    await untilAborted(ctx.signal);
  } finally {
    clearInterval(timer);
    await server.close(DRAIN_MS);
    report();
  }
}
