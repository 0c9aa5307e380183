// `decnet worker stop|start|restart <name> [--instance ID]`: publish a control message.
import { CONTROL_ACTIONS, EVENTS, controlMessage, silentLogger, type ControlAction } from '@decnet/core';
import { loadConfigOrExit, openBusTransport } from '@decnet/host';
import { UsageError, parseCommandArgs, type CommandIO } from '../io.js';

/** How long to keep trying to reach the bus before giving up. */
const CONNECT_TIMEOUT_MS = 15_000;

export function help(): string {
  return 'Usage: decnet worker <stop|start|restart> <name> [--instance ID]\n\nPublishes system.<name>.control; the named worker acts on it alone (its siblings in a\ngroup are untouched). Needs the Kafka bus (DECNET_BUS=kafka, KAFKA_BROKERS).\n';
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('worker', args, { instance: { type: 'string' } });
  const [action, name, extra] = positionals;
  if (!action || !(CONTROL_ACTIONS as readonly string[]).includes(action) || !name || extra) {
    throw new UsageError(`expected <${CONTROL_ACTIONS.join('|')}> <name>`, 'worker');
  }
  const { findWorker, CATALOG } = await import('@decnet/supervise');
  if (!findWorker(name)) {
    io.stderr(`decnet worker: unknown worker "${name}"; known: ${CATALOG.map((w) => w.name).join(', ')}\n`);
    return 2;
  }
  const config = loadConfigOrExit(io.env);
  if (config.bus !== 'kafka') {
    io.stderr(`decnet worker: DECNET_BUS=${config.bus} reaches no other process; control needs the Kafka bus\n`);
    return 1;
  }
  const transport = await openBusTransport(config, silentLogger, AbortSignal.timeout(CONNECT_TIMEOUT_MS));
  try {
    const user = io.env.USER ?? 'cli';
    await transport
      .connect('cli')
      .publish(EVENTS.control.subject(name), controlMessage(action as ControlAction, user, values.instance), { key: name });
  } finally {
    await transport.close();
  }
  io.stdout(`sent ${action} to ${name}${values.instance ? ` (instance ${values.instance})` : ''}\n`);
  return 0;
}
