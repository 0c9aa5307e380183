// Errors of the database package: each names one failure a caller can act on, with context in
// readonly fields; messages never carry a password.
import { DecnetError } from '@decnet/core';

/**
 * Thrown when the database cannot be used: the server refused the credentials or the database
 * does not exist, it stayed unreachable and the caller aborted (or asked for no retry), or the
 * caller aborted while waiting. `address` is the URL with its password redacted.
 */
export class DatabaseUnavailableError extends DecnetError {
  constructor(
    readonly address: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`database unavailable at ${address}: ${reason}`, options);
  }
}

/** Thrown when a migration fails; its transaction was rolled back and later migrations were not run. */
export class MigrationError extends DecnetError {
  constructor(
    readonly tag: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`migration ${tag} failed: ${reason}`, options);
  }
}

/**
 * Thrown when the embedded Postgres cannot be initialised or started. `dataDir` is its data
 * directory; `output` holds the server's last lines of output, when there were any.
 */
export class EmbeddedPostgresError extends DecnetError {
  constructor(
    readonly dataDir: string,
    readonly reason: string,
    readonly output: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(`embedded Postgres in ${dataDir}: ${reason}`, options);
  }
}
