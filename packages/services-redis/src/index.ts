/**
 * The Redis honeypot service: RESP requests (multibulk and inline, bounded), every command
 * logged as `command` and every AUTH captured as `auth`; INFO, CONFIG GET/SET, PING, SELECT,
 * KEYS, GET/SET and friends answered from a small bounded keyspace shared by the service's
 * connections; FLUSHALL, SLAVEOF/REPLICAOF and MODULE LOAD are logged and answered as Redis does.
 *
 * ```ts
 * import { service } from '@decnet/service-redis';
 * import { startService } from '@decnet/decky-kit';
 * const redis = await startService(service, { port: 16379, bind: '127.0.0.1' });
 * ```
 * @module
 */
import { defineService } from '@decnet/decky-kit';
import { REDIS_FIELDS } from './options.js';
import { startRedis } from './server.js';

/** The Redis service spec (slug `redis`, port 6379). */
export const service = defineService({
  slug: 'redis',
  description: 'Redis server (7.x look-alike) logging every command and AUTH',
  defaultPort: 6379,
  transport: 'tcp',
  fields: REDIS_FIELDS,
  start: startRedis,
});

// options.ts
export type { RedisOptions } from './options.js';
export { DEFAULT_REDIS_OS, DEFAULT_REDIS_VERSION, REDIS_FIELDS } from './options.js';
// protocol.ts
export type { RedisEvent, RedisMachineOptions } from './protocol.js';
export { MAX_LOGGED_ARGS_CHARS, createRedisMachine } from './protocol.js';
// resp.ts
export type { RespCommand, RespParser, RespPushResult } from './resp.js';
export { MAX_BULK_BYTES, MAX_INLINE_BYTES, MAX_PENDING_BYTES, MAX_RESP_ARGS, createRespParser, splitInline } from './resp.js';
// store.ts
export { MAX_CONFIG_ENTRIES, MAX_STORE_BYTES, MAX_STORE_KEYS, RedisStore, globMatch } from './store.js';
