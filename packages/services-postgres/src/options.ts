// The PostgreSQL service's environment: the port and the authentication deadline. Defaults are
// written once, here.
import { envField, type OptionsOf } from '@decnet/decky-kit';

/** Environment variables of the PostgreSQL service. */
export const POSTGRES_FIELDS = {
  /** @default 5432 */
  port: envField.port('POSTGRES_PORT', 'listening port', 5432),
  /** @default 60 (PostgreSQL's authentication_timeout) */
  authTimeoutS: envField.int('POSTGRES_AUTH_TIMEOUT_S', 'seconds from connect to the end of authentication (wall clock), then FATAL 57014', 60, 1, 600),
};

/** The PostgreSQL service's options, read. */
export type PostgresOptions = OptionsOf<typeof POSTGRES_FIELDS>;
