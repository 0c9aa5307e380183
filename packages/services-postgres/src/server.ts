// Binds the PostgreSQL port through the kit and runs one pure PostgreSQL machine per connection,
// each with a fresh MD5 salt.
import { randomBytes } from 'node:crypto';
import type { RunningService, ServiceRuntime } from '@decnet/decky-kit';
import type { PostgresOptions } from './options.js';
import { createPostgresMachine } from './protocol.js';

/** Starts the PostgreSQL service on `options.port`. */
export async function startPostgres(options: PostgresOptions, runtime: ServiceRuntime<'postgres'>): Promise<RunningService> {
  const listener = await runtime.listen({
    port: options.port,
    connectEvent: 'connect',
    disconnectEvent: 'disconnect',
    onConnection: (connection) => {
      const machine = createPostgresMachine({ salt: randomBytes(4), authDeadlineMs: options.authTimeoutS * 1000 });
      runtime.drive(connection, machine);
    },
  });
  return { port: listener.port, close: () => listener.close() };
}
