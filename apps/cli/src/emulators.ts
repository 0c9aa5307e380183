// The honeypot service emulators this CLI can run in-process, by slug, each loaded only when
// asked for (ssh2 is not loaded to run http), and what `decnet service run` and `decnet decky run`
// share around them: port flags, the diagnostics logger, start-up failures as exit statuses.
import type { Logger } from '@decnet/core';
import type { AnyServiceSpec } from '@decnet/decky-kit';
import { UsageError, type CommandIO } from './io.js';

/** Emulators by slug. */
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
