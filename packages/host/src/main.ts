// Process entry helpers for hosts: load config (exit 2 on a bad value), open the bus, host the
// workers, and own the process: SIGTERM/SIGINT stop everything within a deadline and exit 0;
// an uncaught failure restarts only the worker that raised it.
import {
  ConfigValidationError,
  createLogger,
  loadConfig,
  type BusTransport,
  type DecnetConfig,
  type Logger,
  type WorkerSpec,
} from '@decnet/core';
import { DEFAULT_SHUTDOWN_DEADLINE_MS, FleetHost } from './fleet-host.js';
import { openBusTransport } from './transport.js';

/**
 * Loads the configuration, or prints one line per invalid key and exits with status 2.
 */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env, overrides: Record<string, string> = {}): DecnetConfig {
  try {
    return loadConfig(env, overrides);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      for (const e of err.errors) process.stderr.write(`decnet: invalid configuration: ${e.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** Options for {@link hostMain}. */
export interface HostMainOptions {
  /** Label for logs: the worker name standalone, the group name under supervise. */
  readonly label: string;
  readonly config?: DecnetConfig;
  readonly log?: Logger;
  /** Runs after the bus is open and before the workers start (e.g. migrations). */
  readonly beforeStart?: (config: DecnetConfig, log: Logger) => Promise<void>;
  /** Runs once every worker has started (e.g. a health recorder on its own bus handle). */
  readonly afterStart?: (host: FleetHost, transport: BusTransport, log: Logger) => void | Promise<void>;
  /** @default 15000 */
  readonly shutdownDeadlineMs?: number;
}

/**
 * Hosts `specs` in this process until SIGTERM or SIGINT, then exits 0. Never returns.
 */
export async function hostMain(specs: readonly WorkerSpec[], options: HostMainOptions): Promise<never> {
  const config = options.config ?? loadConfigOrExit();
  const log = options.log ?? createLogger({ level: config.logLevel, name: options.label });
  const shutdown = new AbortController();
  // Assigned once the bus is open; failures before that are fatal.
  const hosted: { host?: FleetHost } = {};

  const onSignal = (signal: NodeJS.Signals): void => {
    if (shutdown.signal.aborted) {
      log.warn('second signal; exiting now', { signal });
      process.exit(1);
    }
    log.info('shutting down', { signal });
    shutdown.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const onFailure = (kind: string) => (err: unknown) => {
    if (hosted.host?.attributeFailure(err)) return;
    log.error('fatal failure outside any worker', { kind, err: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  };
  process.on('uncaughtException', onFailure('uncaughtException'));
  process.on('unhandledRejection', onFailure('unhandledRejection'));

  const transport = await openBusTransport(config, log, shutdown.signal).catch((err: unknown) => {
    if (shutdown.signal.aborted) process.exit(0);
    log.error('bus could not be opened', { err: (err as Error).message });
    process.exit(1);
  });
  if (shutdown.signal.aborted) {
    await transport.close();
    process.exit(0);
  }
  if (options.beforeStart) {
    try {
      await options.beforeStart(config, log);
    } catch (err) {
      // A failed start-up step (database unreachable, migration refused) is one clear line.
      process.stderr.write(`decnet ${options.label}: ${err instanceof Error ? err.message : String(err)}\n`);
      await transport.close().catch(() => undefined);
      process.exit(1);
    }
  }
  const host = new FleetHost(specs, { transport, config, log });
  hosted.host = host;
  host.start();
  if (options.afterStart) await options.afterStart(host, transport, log);
  log.info('hosting workers', { workers: specs.map((s) => s.name), bus: config.bus, instance: config.instanceId });

  // Workers on the in-memory bus may hold no handle of their own; the host keeps the process up.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  await new Promise<void>((resolve) => shutdown.signal.addEventListener('abort', () => resolve(), { once: true }));
  clearInterval(keepAlive);
  const report = await host.stop(options.shutdownDeadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS);
  log.info('stopped', { clean: report.clean, elapsedMs: report.elapsedMs });
  process.exit(0);
}

/** Standalone entry of one worker (the generated `dist/workers/<name>/main.js` calls this). */
export function runStandaloneMain(spec: WorkerSpec): Promise<never> {
  return hostMain([spec], { label: spec.name });
}
