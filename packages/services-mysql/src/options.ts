// The MySQL service's environment: port and the server version the greeting announces.
// Defaults are written once, here.
import { envField, type OptionsOf } from '@decnet/decky-kit';

/** Ubuntu 22.04's packaged MySQL: what a stock server announces. */
export const DEFAULT_MYSQL_VERSION = '8.0.36-0ubuntu0.22.04.1';

/** Environment variables of the MySQL service. */
export const MYSQL_FIELDS = {
  /** @default 3306 */
  port: envField.port('MYSQL_PORT', 'listening port', 3306),
  /** @default '8.0.36-0ubuntu0.22.04.1' */
  version: envField.string('MYSQL_VERSION', 'server version in the handshake', DEFAULT_MYSQL_VERSION, { maxLength: 60, pattern: /^[0-9][-_~.+\w]*$/ }),
  /** @default 10 (MySQL's connect_timeout) */
  connectTimeoutS: envField.int('MYSQL_CONNECT_TIMEOUT_S', 'seconds from connect to the end of the handshake (wall clock), then a silent close', 10, 1, 600),
};

/** The MySQL service's options, read. */
export type MysqlOptions = OptionsOf<typeof MYSQL_FIELDS>;
