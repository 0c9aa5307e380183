// Binds the Redis port through the kit and runs one pure Redis machine per connection, all of
// them sharing one bounded RedisStore.
import { randomBytes } from 'node:crypto';
import type { RunningService, ServiceRuntime } from '@decnet/decky-kit';
import type { RedisOptions } from './options.js';
import { createRedisMachine } from './protocol.js';
import { RedisStore } from './store.js';

/** Starts the Redis service on `options.port`. */
export async function startRedis(options: RedisOptions, runtime: ServiceRuntime<'redis'>): Promise<RunningService> {
  const store = new RedisStore();
  const startedAt = Date.now();
  const runId = randomBytes(20).toString('hex');
  // A plausible redis-server pid, fixed for the life of the service.
  const pid = 700 + (randomBytes(2).readUInt16BE(0) % 3000);
  let port = options.port;
  const listener = await runtime.listen({
    port: options.port,
    connectEvent: 'connect',
    disconnectEvent: 'disconnect',
    refusalReply: '-ERR max number of clients reached\r\n',
    onConnection: (connection) => {
      const machine = createRedisMachine({
        version: options.version,
        os: options.os,
        ...(options.requirePass !== undefined ? { requirePass: options.requirePass } : {}),
        store,
        uptimeS: () => (Date.now() - startedAt) / 1000 + 3_196_800,
        runId,
        pid,
        port,
      });
      runtime.drive(connection, machine);
    },
  });
  port = listener.port;
  return { port: listener.port, close: () => listener.close() };
}
