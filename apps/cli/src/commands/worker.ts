// `decnet worker [list]`, `decnet worker status`, `decnet worker stop|start|restart <name>`: the
// catalog, the fleet's heartbeats, and control of one worker over the bus. @decnet/supervise
// reads and sends; this file parses and prints.
import { CONTROL_ACTIONS, type ControlAction } from '@decnet/core';
import { loadConfigOrExit } from '@decnet/host';
import { parseCommandArgs, renderJson, renderTable, UsageError, type CommandIO } from '../io.js';

/** Default listening window: longer than one 10 s heartbeat period. */
const DEFAULT_STATUS_SECONDS = 12;

export function help(): string {
  return [
    'Usage: decnet worker [list] [--json]',
    '       decnet worker status [--seconds N] [--json]',
    '       decnet worker <stop|start|restart> <name> [--instance ID]',
    '',
    '"list" (the default) lists every worker: name, what it needs, its default group.',
    `"status" listens for heartbeats for N seconds (default ${DEFAULT_STATUS_SECONDS}) and prints each`,
    'worker instance heard: state, memory, event-loop lag, last progress, events handled.',
    'While "decnet up" runs, status reads the embedded fleet\'s health file instead.',
    'stop, start and restart publish system.<name>.control; the named worker acts on it alone',
    '(its siblings in a group are untouched). They need the Kafka bus (DECNET_BUS=kafka, KAFKA_BROKERS).',
    '',
  ].join('\n');
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('worker', args, {
    json: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    instance: { type: 'string' },
  });
  const [sub, name, extra] = positionals;
  if (sub === undefined || sub === 'list') {
    if (name !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(name)}`, 'worker');
    return list(values.json, io);
  }
  if (sub === 'status') {
    if (name !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(name)}`, 'worker');
    const seconds = values.seconds === undefined ? DEFAULT_STATUS_SECONDS : Number(values.seconds);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
      throw new UsageError(`--seconds must be a number between 0 and 600, got "${values.seconds}"`, 'worker');
    }
    return status(seconds, values.json, io);
  }
  if ((CONTROL_ACTIONS as readonly string[]).includes(sub)) {
    if (!name || extra) throw new UsageError(`expected ${sub} <name>`, 'worker');
    return control(sub as ControlAction, name, values.instance, io);
  }
  throw new UsageError(`unknown subcommand "${sub}"; expected list, status or ${CONTROL_ACTIONS.join('|')}`, 'worker');
}

async function list(json: boolean, io: CommandIO): Promise<number> {
  const { CATALOG } = await import('@decnet/supervise');
  const rows = CATALOG.map((w) => ({ name: w.name, needs: [...w.needs], group: w.group, fixture: w.fixture, description: w.description }));
  if (json) io.stdout(renderJson(rows));
  else io.stdout(renderTable(['name', 'needs', 'group', 'description'], rows.map((r) => [r.name, r.needs.join(','), r.group, r.description])));
  return 0;
}

async function status(seconds: number, json: boolean, io: CommandIO): Promise<number> {
  const config = loadConfigOrExit(io.env);
  const { listenForHeartbeats, readEmbeddedHealth, summariseHealth } = await import('@decnet/supervise');
  let beats = readEmbeddedHealth(config.home);
  if (!beats) {
    if (config.bus === 'memory' || config.bus === 'none') {
      io.stderr(`decnet worker status: no "decnet up" is running under ${config.home} and DECNET_BUS=${config.bus} has no other processes to hear\n`);
      return 1;
    }
    io.stderr(`listening for heartbeats on ${config.kafkaBrokers.join(',')} for ${seconds} s...\n`);
    beats = await listenForHeartbeats(config, seconds);
  }
  const { workers, silent } = summariseHealth(beats, config.healthIntervalMs);
  if (json) {
    io.stdout(renderJson({ workers, silent }));
  } else {
    io.stdout(
      renderTable(
        ['worker', 'instance', 'pid', 'state', 'health', 'rss MB', 'lag ms', 'progress', 'handled', 'restarts', 'note'],
        workers.map((r) => [r.worker, r.instance, r.pid, r.state, r.health, r.rssMB, r.loopLagMs, r.lastProgressAgoS === null ? 'never' : `${r.lastProgressAgoS}s ago`, r.eventsHandled, r.restarts, r.note ?? '']),
      ),
    );
    if (silent.length > 0) io.stdout(`not heard: ${silent.join(', ')}\n`);
  }
  return 0;
}

async function control(action: ControlAction, name: string, instance: string | undefined, io: CommandIO): Promise<number> {
  const { findWorker, CATALOG, sendWorkerControl } = await import('@decnet/supervise');
  if (!findWorker(name)) {
    io.stderr(`decnet worker: unknown worker "${name}"; known: ${CATALOG.map((w) => w.name).join(', ')}\n`);
    return 2;
  }
  const config = loadConfigOrExit(io.env);
  if (config.bus !== 'kafka') {
    io.stderr(`decnet worker: DECNET_BUS=${config.bus} reaches no other process; control needs the Kafka bus\n`);
    return 1;
  }
  await sendWorkerControl(config, name, action, io.env['USER'] ?? 'cli', instance);
  io.stdout(`sent ${action} to ${name}${instance ? ` (instance ${instance})` : ''}\n`);
  return 0;
}
