// Binds the SMTP port through the kit and runs one pure SMTP machine per connection.
import { randomBytes } from 'node:crypto';
import type { RunningService, ServiceRuntime } from '@decnet/decky-kit';
import type { SmtpOptions } from './options.js';
import { createSmtpMachine } from './protocol.js';

/** A Postfix-style queue id: 10 upper-case hex digits. */
function queueId(): string {
  return randomBytes(5).toString('hex').toUpperCase();
}

/** Starts the SMTP service on `options.port`. */
export async function startSmtp(options: SmtpOptions, runtime: ServiceRuntime<'smtp'>): Promise<RunningService> {
  const listener = await runtime.listen({
    port: options.port,
    connectEvent: 'connect',
    disconnectEvent: 'disconnect',
    refusalReply: '421 4.7.0 Error: too many connections\r\n',
    onConnection: (connection) => {
      const machine = createSmtpMachine({
        hostname: runtime.hostname,
        ...(options.banner !== undefined ? { banner: options.banner } : {}),
        accept: options.accept,
        maxLineBytes: runtime.common.maxLineBytes,
        maxMessageBytes: options.maxMessageBytes,
        queueId,
        commandDeadlineMs: options.commandTimeoutS * 1000,
        dataDeadlineMs: options.dataTimeoutS * 1000,
      });
      runtime.drive(connection, machine);
    },
  });
  return { port: listener.port, close: () => listener.close() };
}
