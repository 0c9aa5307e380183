// Operator control of one worker: publishes `system.<name>.control` on the bus; the named worker
// (every instance, or one) acts on it alone through its runner, never by a process signal.
import { EVENTS, controlMessage, silentLogger, type ControlAction, type DecnetConfig } from '@decnet/core';
import { openBusTransport } from '@decnet/host';

/** How long to keep trying to reach the bus before giving up. */
const CONNECT_TIMEOUT_MS = 15_000;

/**
 * Publishes `action` for worker `name`, keyed by the name so instances see actions in order.
 * @throws when the bus cannot be reached within 15 s.
 */
export async function sendWorkerControl(config: DecnetConfig, name: string, action: ControlAction, requestedBy: string, instance?: string): Promise<void> {
  const transport = await openBusTransport(config, silentLogger, AbortSignal.timeout(CONNECT_TIMEOUT_MS));
  try {
    await transport.connect('cli').publish(EVENTS.control.subject(name), controlMessage(action, requestedBy, instance), { key: name });
  } finally {
    await transport.close();
  }
}
