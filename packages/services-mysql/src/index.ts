/**
 * The MySQL honeypot service: a MySQL 8.0 handshake v10, the client's HandshakeResponse41 read
 * (switching the client to mysql_native_password when it chose another plugin), the login
 * captured as `auth` (secret_kind `mysql_native_password`, the 20-byte scramble in `secret_b64`,
 * the salt in `salt` so it can be cracked offline), then ERR 1045 Access denied.
 *
 * ```ts
 * import { service } from '@decnet/service-mysql';
 * import { startService } from '@decnet/decky-kit';
 * const mysql = await startService(service, { port: 13306, bind: '127.0.0.1' });
 * ```
 * @module
 */
import { defineService } from '@decnet/decky-kit';
import { MYSQL_FIELDS } from './options.js';
import { startMysql } from './server.js';

/** The MySQL service spec (slug `mysql`, port 3306). */
export const service = defineService({
  slug: 'mysql',
  description: 'MySQL server (8.0 look-alike) capturing every login as a crackable scramble',
  defaultPort: 3306,
  transport: 'tcp',
  fields: MYSQL_FIELDS,
  start: startMysql,
});

// options.ts
export type { MysqlOptions } from './options.js';
export { DEFAULT_MYSQL_VERSION, MYSQL_FIELDS } from './options.js';
// protocol.ts
export type { HandshakeResponse, MysqlEvent, MysqlMachineOptions } from './protocol.js';
export { DEFAULT_CONNECT_DEADLINE_MS, MAX_MYSQL_PACKET_BYTES, NATIVE_PLUGIN, createMysqlMachine, errPayload, handshakeV10, mysqlPacket, mysqlSalt, parseHandshakeResponse } from './protocol.js';
