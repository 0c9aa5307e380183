// Database health check for heartbeats and `decnet db status`: a round trip plus how many
// migrations the database has recorded against how many this build knows; and the schema probe
// a worker runs at start so a missing table fails it with a clear error.
import { getTableName, type Table } from 'drizzle-orm';
import type { DecnetDb } from './connection.js';
import { SchemaNotReadyError, isSchemaError, sqlStateOf } from './errors.js';
import { MIGRATIONS_TABLE } from './migrate.js';
import { MIGRATIONS } from './migrations.generated.js';
import type { Queryable } from './transaction.js';

/** Result of {@link checkDatabase}. */
export type DatabaseHealth =
  | {
      readonly ok: true;
      /** Round-trip time of `SELECT 1`. */
      readonly latencyMs: number;
      /** Migrations recorded in the database (0 before the first migrate). */
      readonly appliedMigrations: number;
      /** Migrations this build knows; more than applied means `decnet db migrate` is due. */
      readonly knownMigrations: number;
    }
  | { readonly ok: false; readonly error: string };

/** Checks the database answers and reports its migration count. Never throws. */
export async function checkDatabase(db: DecnetDb): Promise<DatabaseHealth> {
  try {
    const started = performance.now();
    await db.$client.query('SELECT 1');
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    // Two statements: a missing table in an untaken CASE branch would still fail at parse time.
    const exists = await db.$client.query<{ t: string | null }>(`SELECT to_regclass('${MIGRATIONS_TABLE}') AS t`);
    let appliedMigrations = 0;
    if (exists.rows[0]?.t) {
      const { rows } = await db.$client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${MIGRATIONS_TABLE}`);
      appliedMigrations = rows[0]?.n ?? 0;
    }
    return { ok: true, latencyMs, appliedMigrations, knownMigrations: MIGRATIONS.length };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/**
 * Checks that every table of `tables` exists (a zero-row read of each).
 * @throws SchemaNotReadyError when one is missing (run `decnet db migrate`); the driver's error otherwise.
 */
export async function requireTables(db: Queryable, tables: readonly Table[]): Promise<void> {
  for (const table of tables) {
    try {
      await db.query(`SELECT 1 FROM "${getTableName(table)}" LIMIT 0`);
    } catch (err) {
      if (isSchemaError(err)) throw new SchemaNotReadyError(String(sqlStateOf(err)), { cause: err });
      throw err;
    }
  }
}

/** One round trip (`SELECT 1`): true when the server answered it. @throws the driver's error. */
export async function pingDatabase(db: Queryable): Promise<boolean> {
  const result = await db.query<{ ok: number }>('SELECT 1 AS ok');
  return result.rows[0]?.ok === 1;
}
