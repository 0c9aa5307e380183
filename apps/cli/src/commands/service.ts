// `decnet service run <slug>`: one honeypot service emulator in this process, its events as
// RFC 5424 lines on stdout (and to LOG_TARGET), diagnostics on stderr. Also `decnet service
// list`. The registry of emulators lives here; `decnet decky run` shares it.
import type { Logger } from '@decnet/core';
import type { AnyServiceSpec } from '@decnet/decky-kit';
import { UsageError, parseCommandArgs, renderJson, renderTable, type CommandIO } from '../io.js';

/** Emulators by slug, each loaded only when asked for (ssh2 is not loaded to run http). */
export const SERVICE_LOADERS: Readonly<Record<string, () => Promise<AnyServiceSpec>>> = {
  ftp: () => import('@decnet/service-ftp').then((m) => m.service as AnyServiceSpec),
  http: () => import('@decnet/service-http').then((m) => m.service as AnyServiceSpec),
  mysql: () => import('@decnet/service-mysql').then((m) => m.service as AnyServiceSpec),
  postgres: () => import('@decnet/service-postgres').then((m) => m.service as AnyServiceSpec),
  redis: () => import('@decnet/service-redis').then((m) => m.service as AnyServiceSpec),
  smtp: () => import('@decnet/service-smtp').then((m) => m.service as AnyServiceSpec),
  ssh: () => import('@decnet/service-ssh').then((m) => m.service as AnyServiceSpec),
  telnet: () => import('@decnet/service-telnet').then((m) => m.service as AnyServiceSpec),
};

/** Slugs with an emulator, sorted. */
export const SERVICE_SLUGS: readonly string[] = Object.keys(SERVICE_LOADERS).sort();

/** Loads the spec of `slug`. @throws UsageError naming the known slugs. */
export async function loadServiceSpec(slug: string, verb: string): Promise<AnyServiceSpec> {
  const load = SERVICE_LOADERS[slug];
  if (!load) throw new UsageError(`unknown service "${slug}"; emulators: ${SERVICE_SLUGS.join(', ')}`, verb);
  return load();
}

/** Reads a --port / --port-offset value. @throws UsageError when it is not 0..65535. */
export function parsePort(value: string, flag: string, verb: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new UsageError(`${flag} must be an integer from 0 to 65535`, verb);
  return Number(value);
}

/** A diagnostics logger writing JSON lines through the command's stderr. */
export async function commandLogger(io: CommandIO): Promise<Logger> {
  const { createStderrLogger } = await import('@decnet/decky-kit');
  const level = io.env['DECNET_LOG_LEVEL'];
  const known = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
  return createStderrLogger({ level: known.find((l) => l === level) ?? 'info', write: (line) => io.stderr(line) });
}

/** Prints a start-up failure; returns the exit status (2 for configuration, 1 otherwise). */
export async function reportStartFailure(err: unknown, verb: string, io: CommandIO): Promise<number> {
  const { ServiceConfigError, ServiceListenError } = await import('@decnet/decky-kit');
  if (err instanceof ServiceConfigError) {
    io.stderr(`decnet ${verb}: ${err.message}\n`);
    return 2;
  }
  if (err instanceof ServiceListenError) {
    io.stderr(`decnet ${verb}: ${err.message}\n`);
    return 1;
  }
  throw err;
}

/** Resolves when `signal` aborts. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Aborts on the first SIGINT/SIGTERM; a second one exits at once. Returns a disposer. */
function abortOnSignals(controller: AbortController): () => void {
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** A command's `run`: `serve` until the first SIGINT or SIGTERM (tests call `serve` with their own signal). */
export function runUntilSignal(serve: (args: string[], io: CommandIO, signal: AbortSignal) => Promise<number>): (args: string[], io: CommandIO) => Promise<number> {
  return async (args, io) => {
    const controller = new AbortController();
    const dispose = abortOnSignals(controller);
    try {
      return await serve(args, io, controller.signal);
    } finally {
      dispose();
    }
  };
}

export function help(): string {
  return [
    'Usage: decnet service run <slug> [--port N] [--bind ADDR] [--name NAME]',
    '       decnet service list [--json]',
    '',
    'Runs one honeypot service emulator in this process, as a decky container would: every',
    'event is written to stdout as an RFC 5424 line (and to LOG_TARGET=host:port when set);',
    'diagnostics go to stderr. The service reads its settings from the environment (see',
    '"decnet service list" and "decnet services"); --port, --bind (default 0.0.0.0) and --name',
    '(the decky name, NODE_NAME) override them. Ctrl-C or SIGTERM stops it.',
    '',
    `Emulators: ${SERVICE_SLUGS.join(', ')}`,
    '',
  ].join('\n');
}

/**
 * Runs the command until `signal` aborts (tests pass their own signal; `run` wires SIGINT and
 * SIGTERM). Returns the exit status.
 */
export async function serve(args: string[], io: CommandIO, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandArgs('service', args, {
    port: { type: 'string' },
    bind: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const [sub, slug, extra] = positionals;
  if (sub === 'list') {
    const specs = await Promise.all(SERVICE_SLUGS.map((s) => loadServiceSpec(s, 'service')));
    const rows = specs.map((s) => ({
      slug: s.slug,
      port: s.defaultPort,
      transport: s.transport,
      description: s.description,
      env: Object.values(s.fields).map((f) => f.env),
    }));
    io.stdout(values.json ? renderJson(rows) : renderTable(['service', 'port', 'transport', 'env', 'description'], rows.map((r) => [r.slug, r.port, r.transport, r.env.join(','), r.description])));
    return 0;
  }
  if (sub !== 'run' || !slug || extra !== undefined) throw new UsageError('expected "run <slug>" or "list"', 'service');
  const spec = await loadServiceSpec(slug, 'service');
  const port = values.port === undefined ? undefined : parsePort(values.port, '--port', 'service');
  const { startService } = await import('@decnet/decky-kit');
  const log = await commandLogger(io);
  let started;
  try {
    started = await startService(spec, {
      env: io.env,
      stdout: (t) => io.stdout(t),
      log,
      ...(port !== undefined ? { port } : {}),
      ...(values.bind !== undefined ? { bind: values.bind } : {}),
      ...(values.name !== undefined ? { decky: values.name } : {}),
    });
  } catch (err) {
    return reportStartFailure(err, 'service', io);
  }
  await untilAborted(signal);
  await started.close();
  return 0;
}

export const run = runUntilSignal(serve);
