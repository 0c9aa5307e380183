// `decnet service catalog|list|run`: the services a decky can run (the deployable catalog), the
// emulators this build runs in-process, and one emulator run here with its events as RFC 5424
// lines on stdout (and to LOG_TARGET), diagnostics on stderr.
import { untilAborted } from '@decnet/core';
import { SERVICE_SLUGS, commandLogger, loadServiceSpec, parsePort, reportStartFailure } from '../emulators.js';
import { UsageError, parseCommandArgs, renderJson, renderTable, type CommandIO } from '../io.js';
import { runUntilSignal } from '../signals.js';

export function help(): string {
  return [
    'Usage: decnet service catalog [--json]',
    '       decnet service list [--json]',
    '       decnet service run <slug> [--port N] [--bind ADDR] [--name NAME]',
    '',
    '"catalog" lists every honeypot service a decky can run: TCP/UDP ports, added capabilities and',
    'the config fields each accepts (set them in a fleet INI [decky.service] section).',
    '"list" lists the emulators this build runs in-process, with their environment variables.',
    '"run" runs one emulator in this process, as a decky container would: every event is written',
    'to stdout as an RFC 5424 line (and to LOG_TARGET=host:port when set); diagnostics go to',
    'stderr. The service reads its settings from the environment (see "decnet service list");',
    '--port, --bind (default 0.0.0.0) and --name (the decky name, NODE_NAME) override them.',
    'Ctrl-C or SIGTERM stops it.',
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
  if (sub === 'catalog') {
    if (slug !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(slug)}`, 'service');
    // The catalog pulls in @decnet/topology; `service run` inside a decky does not need it.
    const { serviceCatalog } = await import('../catalog-views.js');
    io.stdout(values.json ? renderJson(serviceCatalog.json()) : serviceCatalog.table());
    return 0;
  }
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
  if (sub !== 'run' || !slug || extra !== undefined) throw new UsageError('expected "catalog", "list" or "run <slug>"', 'service');
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
