// The Redis service's environment: port, the version and OS INFO reports, and an optional
// password. Defaults are written once, here.
import { envField, type OptionsOf } from '@decnet/decky-kit';

/** Ubuntu 24.04's packaged Redis: what a stock server reports. */
export const DEFAULT_REDIS_VERSION = '7.0.15';
/** `os` in INFO of that server. */
export const DEFAULT_REDIS_OS = 'Linux 5.15.0-105-generic x86_64';

/** Environment variables of the Redis service. */
export const REDIS_FIELDS = {
  /** @default 6379 */
  port: envField.port('REDIS_PORT', 'listening port', 6379),
  /** @default '7.0.15' */
  version: envField.string('REDIS_VERSION', 'redis_version reported by INFO', DEFAULT_REDIS_VERSION, { maxLength: 32, pattern: /^[0-9A-Za-z.+-]+$/ }),
  /** @default 'Linux 5.15.0-105-generic x86_64' */
  os: envField.string('REDIS_OS', 'os reported by INFO', DEFAULT_REDIS_OS, { maxLength: 128, pattern: /^[^\r\n]*$/ }),
  /** @default unset: no password, every command is answered (an open Redis, the usual bait) */
  requirePass: envField.optionalString('REDIS_PASSWORD', 'requirepass: commands need AUTH with this password first', { maxLength: 256, secret: true }),
};

/** The Redis service's options, read. */
export type RedisOptions = OptionsOf<typeof REDIS_FIELDS>;
