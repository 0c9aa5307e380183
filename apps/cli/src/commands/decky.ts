// `decnet decky run --services a,b`: a decky's honeypot services in one process, sharing one
// event stream (stdout, plus LOG_TARGET); one service failing to bind leaves the others running.
import { untilAborted } from '@decnet/core';
import { SERVICE_SLUGS, commandLogger, loadServiceSpec, parsePort, reportStartFailure } from '../emulators.js';
import { UsageError, parseCommandArgs, type CommandIO } from '../io.js';
import { runUntilSignal } from '../signals.js';

export function help(): string {
  return [
    'Usage: decnet decky run --services a,b [--bind ADDR] [--name NAME] [--port-offset N]',
    '',
    "Runs a decky's honeypot services in this process: every event of every service is written",
    'to stdout as an RFC 5424 line (and to LOG_TARGET=host:port when set). Each service reads',
    'its settings from the environment (SSH_PORT, FAKE_APP, ...); --port-offset N adds N to each',
    "service's port (e.g. 10000: ssh on 10022, http on 10080) so no root is needed. A service",
    'that cannot bind is reported and the others keep running. Ctrl-C or SIGTERM stops them.',
    '',
    `Emulators: ${SERVICE_SLUGS.join(', ')}`,
    '',
  ].join('\n');
}

/** Runs until `signal` aborts; returns the exit status. */
export async function serve(args: string[], io: CommandIO, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandArgs('decky', args, {
    services: { type: 'string' },
    bind: { type: 'string' },
    name: { type: 'string' },
    'port-offset': { type: 'string' },
  });
  if (positionals[0] !== 'run' || positionals.length !== 1) throw new UsageError('expected "run"', 'decky');
  const slugs = [...new Set((values.services ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (slugs.length === 0) throw new UsageError(`--services is required (from ${SERVICE_SLUGS.join(', ')})`, 'decky');
  const specs = await Promise.all(slugs.map((s) => loadServiceSpec(s, 'decky')));
  const offset = values['port-offset'] === undefined ? undefined : parsePort(values['port-offset'], '--port-offset', 'decky');
  const ports: Record<string, number> = {};
  if (offset !== undefined) {
    for (const spec of specs) {
      const port = spec.defaultPort + offset;
      if (port > 65535) throw new UsageError(`--port-offset ${offset} puts ${spec.slug} beyond port 65535`, 'decky');
      ports[spec.slug] = port;
    }
  }
  const { startDecky } = await import('@decnet/decky-kit');
  const log = await commandLogger(io);
  let decky;
  try {
    decky = await startDecky(specs, {
      env: io.env,
      stdout: (t) => io.stdout(t),
      log,
      ports,
      ...(values.bind !== undefined ? { bind: values.bind } : {}),
      ...(values.name !== undefined ? { decky: values.name } : {}),
    });
  } catch (err) {
    return reportStartFailure(err, 'decky', io);
  }
  for (const f of decky.failures) io.stderr(`decnet decky: ${f.slug} did not start: ${f.error.message}\n`);
  if (decky.services.length === 0) return 1;
  await untilAborted(signal);
  await decky.close();
  return 0;
}

export const run = runUntilSignal(serve);
