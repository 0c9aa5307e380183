// The PostgreSQL service's environment: the port. Defaults are written once, here.
import { envField, type OptionsOf } from '@decnet/decky-kit';

/** Environment variables of the PostgreSQL service. */
export const POSTGRES_FIELDS = {
  /** @default 5432 */
  port: envField.port('POSTGRES_PORT', 'listening port', 5432),
};

/** The PostgreSQL service's options, read. */
export type PostgresOptions = OptionsOf<typeof POSTGRES_FIELDS>;
