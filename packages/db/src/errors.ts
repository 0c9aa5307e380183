// Errors of the database package: each names one failure a caller can act on, with context in
// readonly fields; messages never carry a password. Also the SQLSTATE classifications every
// worker writing to the database makes the same way.
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

/** Thrown when the database schema is missing or outdated (run `decnet db migrate`); the host restarts the worker with backoff. */
export class SchemaNotReadyError extends DecnetError {
  constructor(
    readonly sqlState: string,
    options?: { cause?: unknown },
  ) {
    super(`database schema is not ready (SQLSTATE ${sqlState}); run "decnet db migrate"`, options);
  }
}

/** The SQLSTATE of a driver error (`err.code`), or undefined when `err` carries none. */
export function sqlStateOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** SQLSTATEs that mean the schema is missing or wrong (undefined table, column or object): fail the worker, do not retry. */
export function isSchemaError(err: unknown): boolean {
  const code = sqlStateOf(err);
  return code === '42P01' || code === '42703' || code === '42704';
}

/**
 * Whether the connection a query failed on may be unusable: any failure without a SQLSTATE
 * (socket, timeout), a connection exception (08xxx) or an operator intervention (57xxx). Pass
 * the error to `client.release(err)` then, so the pool discards the connection.
 */
export function isConnectionError(err: unknown): boolean {
  const code = sqlStateOf(err);
  return code === undefined || code.startsWith('08') || code.startsWith('57');
}

/**
 * SQLSTATEs that mean "this data can never be stored" (retrying cannot help; isolate the row):
 * data exceptions (22xxx), NOT NULL, foreign key and CHECK violations, and a row too large.
 */
export function isDataError(err: unknown): boolean {
  const code = sqlStateOf(err);
  if (code === undefined) return false;
  return code.startsWith('22') || ['23502', '23503', '23514', '54000'].includes(code);
}

/** Data exceptions (22xxx) and every integrity constraint violation (23xxx): retrying the same rows cannot help. */
export function isDataOrConstraintError(err: unknown): boolean {
  const code = sqlStateOf(err);
  return code !== undefined && (code.startsWith('22') || code.startsWith('23'));
}

/** A foreign key violation (23503): a referenced row is gone. */
export function isForeignKeyError(err: unknown): boolean {
  return sqlStateOf(err) === '23503';
}

/** A unique violation (23505): a row with the same key exists. */
export function isUniqueViolation(err: unknown): boolean {
  return sqlStateOf(err) === '23505';
}

/** An undefined table (42P01): the schema was never migrated (`decnet db migrate`). */
export function isMissingTableError(err: unknown): boolean {
  return sqlStateOf(err) === '42P01';
}
