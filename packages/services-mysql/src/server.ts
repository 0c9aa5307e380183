// Binds the MySQL port through the kit and runs one pure MySQL machine per connection, each with
// a fresh salt and the next connection id.
import { randomBytes } from 'node:crypto';
import type { RunningService, ServiceRuntime } from '@decnet/decky-kit';
import type { MysqlOptions } from './options.js';
import { createMysqlMachine, mysqlSalt } from './protocol.js';

/** Starts the MySQL service on `options.port`. */
export async function startMysql(options: MysqlOptions, runtime: ServiceRuntime<'mysql'>): Promise<RunningService> {
  // A server that has been up a while: ids start somewhere in the thousands and count up.
  let nextId = 1000 + (randomBytes(2).readUInt16BE(0) % 50_000);
  const listener = await runtime.listen({
    port: options.port,
    connectEvent: null,
    disconnectEvent: 'disconnect',
    onConnection: (connection) => {
      nextId = nextId >= 0xfffff0 ? 1 : nextId + 1;
      const machine = createMysqlMachine({
        version: options.version,
        connectionId: nextId,
        salt: mysqlSalt(randomBytes(20)),
        clientHost: connection.session.identity.srcIp,
        connectDeadlineMs: options.connectTimeoutS * 1000,
      });
      runtime.drive(connection, machine);
    },
  });
  return { port: listener.port, close: () => listener.close() };
}
