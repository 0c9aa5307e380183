// Binds the telnet port through the kit and runs one pure telnet machine per connection, plus
// the one timer the machine cannot own: showing the login prompt to a client that never answers
// the opening negotiation.
import type { RunningService, ServiceRuntime, TcpConnection } from '@decnet/decky-kit';
import type { TelnetOptions } from './options.js';
import { createTelnetMachine } from './protocol.js';

/**
 * How long the server waits for the client's answer to the opening negotiation before showing
 * the login prompt anyway. Longer than nmap's 6 s banner wait, so scanners see exactly what
 * Linux telnetd sends.
 */
export const NEGOTIATION_WAIT_MS = 8_000;

function serveConnection(connection: TcpConnection<'telnet'>, options: TelnetOptions, runtime: ServiceRuntime<'telnet'>): void {
  const identity = connection.session.identity;
  const machine = createTelnetMachine({
    hostname: options.hostname ?? runtime.hostname,
    banner: options.banner,
    accept: [
      { username: 'root', password: options.rootPassword },
      { username: options.user, password: options.userPassword },
      ...options.accept,
    ],
    clientIp: identity.srcIp,
    serverIp: identity.dstIp,
    loginDeadlineMs: options.loginTimeoutS * 1000,
  });
  const driver = runtime.drive(connection, machine);
  const timer = setTimeout(() => driver.inject(() => machine.nudge()), NEGOTIATION_WAIT_MS);
  timer.unref();
  connection.onClose(() => clearTimeout(timer));
}

/** Starts the telnet service on `options.port`. */
export async function startTelnet(options: TelnetOptions, runtime: ServiceRuntime<'telnet'>): Promise<RunningService> {
  const listener = await runtime.listen({
    port: options.port,
    connectEvent: 'connect',
    disconnectEvent: 'disconnect',
    onConnection: (connection) => serveConnection(connection, options, runtime),
  });
  return { port: listener.port, close: () => listener.close() };
}
