// Test support for packages that use the database (`@decnet/db/testing`): a scratch database of
// the test server with the decnet schema applied, and small typed helpers that set up and read
// rows, so tests outside this package write no SQL. Never imported by shipped code.
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { and, count, eq, getTableColumns, getTableName, isNull, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { openDatabase, type Database } from './connection.js';
import { migrate } from './migrate.js';
import type { Queryable } from './transaction.js';

/** A migrated scratch database: `database.close()` then `scratch.drop()` when done (e.g. in `afterAll`). */
export interface MigratedScratchDatabase {
  readonly scratch: ScratchDatabase;
  readonly database: Database;
}

/** A fresh database with the decnet schema, and a pool of at most `poolMax` connections on it (no connect retry). */
export async function migratedScratchDatabase(poolMax = 4): Promise<MigratedScratchDatabase> {
  const scratch = await createScratchDatabase();
  try {
    const database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax });
    try {
      await migrate(database.db, silentLogger);
    } catch (err) {
      await database.close();
      throw err;
    }
    return { scratch, database };
  } catch (err) {
    await scratch.drop();
    throw err;
  }
}

/** A column of a table, as `orderBy` takes it (e.g. `logs.id`). */
export type TableColumn = PgColumn;

/** The database a helper works on: an open {@link Database}, or just what it needs of one. */
type TestDatabase = Pick<Database, 'db' | 'pool'>;

/** Column values compared for equality (`null` matches SQL NULL). */
type Match<T extends PgTable> = Partial<T['$inferSelect']>;

const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function whereOf<T extends PgTable>(table: T, match: Match<T> | undefined): SQL | undefined {
  if (!match) return undefined;
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const conditions = Object.entries(match).map(([key, value]) => {
    const column = columns[key];
    if (!column) throw new RangeError(`${getTableName(table)} has no column ${key}`);
    return value === null ? isNull(column) : eq(column, value);
  });
  return and(...conditions);
}

/** Empties `tables` (TRUNCATE … RESTART IDENTITY CASCADE: ids start again, referencing rows go too). */
export async function truncateTables(database: TestDatabase, tables: readonly PgTable[]): Promise<void> {
  await database.pool.query(`TRUNCATE ${tables.map((t) => quoted(getTableName(t))).join(', ')} RESTART IDENTITY CASCADE`);
}

/** Refreshes the planner statistics of `tables` (ANALYZE), as after a bulk load in a benchmark. */
export async function analyzeTables(database: TestDatabase, tables: readonly PgTable[]): Promise<void> {
  for (const table of tables) await database.pool.query(`ANALYZE ${quoted(getTableName(table))}`);
}

/**
 * Inserts `rows`, writing only the columns each row names (the others take their defaults), so
 * it also works on a database migrated only part of the way. JSON columns take JS values.
 */
export async function insertRows<T extends PgTable>(database: TestDatabase, table: T, rows: readonly Partial<T['$inferInsert']>[]): Promise<void> {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  for (const row of rows) {
    const entries = Object.entries(row);
    const names = entries.map(([key]) => {
      const column = columns[key];
      if (!column) throw new RangeError(`${getTableName(table)} has no column ${key}`);
      return column;
    });
    const values = entries.map(([, value], i) => (names[i]?.dataType === 'json' && value !== null ? JSON.stringify(value) : value));
    await database.pool.query(
      `INSERT INTO ${quoted(getTableName(table))} (${names.map((c) => quoted(c.name)).join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`,
      values,
    );
  }
}

/** Every row of `table` (those equal to `match`, when given), in `orderBy` order. */
export async function tableRows<T extends PgTable>(
  database: TestDatabase,
  table: T,
  options: { match?: Match<T>; orderBy?: readonly PgColumn[] } = {},
): Promise<T['$inferSelect'][]> {
  const query = database.db
    .select()
    .from(table as PgTable)
    .where(whereOf(table, options.match))
    .orderBy(...(options.orderBy ?? []));
  return (await query) as T['$inferSelect'][];
}

/** How many rows `table` holds (equal to `match`, when given). */
export async function countRows<T extends PgTable>(database: TestDatabase, table: T, match?: Match<T>): Promise<number> {
  const [row] = await database.db
    .select({ n: count() })
    .from(table as PgTable)
    .where(whereOf(table, match));
  return row?.n ?? 0;
}

/** Sets `values` on the rows of `table` equal to `match`. @returns rows changed. */
export async function updateRows<T extends PgTable>(
  database: TestDatabase,
  table: T,
  values: Partial<T['$inferInsert']>,
  match: Match<T>,
): Promise<number> {
  const r = await database.db
    .update(table as PgTable)
    .set(values as Record<string, unknown>)
    .where(whereOf(table, match));
  return r.rowCount ?? 0;
}

/** Deletes the rows of `table` equal to `match`. @returns rows deleted. */
export async function deleteRows<T extends PgTable>(database: TestDatabase, table: T, match: Match<T>): Promise<number> {
  const r = await database.db.delete(table as PgTable).where(whereOf(table, match));
  return r.rowCount ?? 0;
}

/** What {@link refuseInserts} refuses: rows whose `column` (or its JSON `key`) equals `equals`. */
export interface Refusal {
  readonly column: string;
  /** A key of a JSON column: the row is refused when `column->>key` equals the value. */
  readonly key?: string;
  readonly equals: string;
  /** The SQLSTATE raised. @default '22023' (invalid parameter value: a data error) */
  readonly sqlState?: string;
}

/**
 * Installs a trigger that makes Postgres refuse inserts into `table` matching `refusal`, as a
 * server refuses poisonous data. @returns a function removing it again.
 */
export async function refuseInserts(database: TestDatabase, table: PgTable, refusal: Refusal): Promise<() => Promise<void>> {
  const name = getTableName(table);
  const column = (getTableColumns(table) as Record<string, PgColumn>)[refusal.column];
  if (!column) throw new RangeError(`${name} has no column ${refusal.column}`);
  const literal = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  const value = refusal.key === undefined ? `NEW.${quoted(column.name)}` : `NEW.${quoted(column.name)}->>${literal(refusal.key)}`;
  const sqlState = refusal.sqlState ?? '22023';
  if (!/^[0-9A-Z]{5}$/.test(sqlState)) throw new RangeError(`not a SQLSTATE: ${sqlState}`);
  const fn = `decnet_test_refuse_${name}`;
  await database.pool.query(`
    CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger AS $$
    BEGIN
      IF ${value} = ${literal(refusal.equals)} THEN RAISE EXCEPTION 'refused by test' USING ERRCODE = '${sqlState}'; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql;
    DROP TRIGGER IF EXISTS ${fn} ON ${quoted(name)};
    CREATE TRIGGER ${fn} BEFORE INSERT ON ${quoted(name)} FOR EACH ROW EXECUTE FUNCTION ${fn}();`);
  return async () => {
    await database.pool.query(`DROP TRIGGER IF EXISTS ${fn} ON ${quoted(name)}`);
  };
}

/** A transaction held open by a test (say, to reserve ids that commit late). */
export interface OpenTransaction {
  /** Run repository functions inside the transaction with this. */
  readonly tx: Queryable;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** Begins a transaction on its own connection; `commit` or `rollback` ends it and returns the connection. */
export async function beginTransaction(database: TestDatabase): Promise<OpenTransaction> {
  const client = await database.pool.connect();
  // Checked out, the connection has no listener of the pool's; a dropped one must not crash the test run.
  let dropped: Error | undefined;
  const onDropped = (err: Error): void => {
    dropped = err;
  };
  client.on('error', onDropped);
  try {
    await client.query('BEGIN');
  } catch (err) {
    client.removeListener('error', onDropped);
    client.release(err as Error);
    throw err;
  }
  let ended = false;
  const end = async (statement: string): Promise<void> => {
    if (ended) return;
    ended = true;
    try {
      await client.query(statement);
    } finally {
      client.removeListener('error', onDropped);
      client.release(dropped);
    }
  };
  return { tx: client, commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
}

/** The definition of the constraint `name` as Postgres prints it (`pg_get_constraintdef`), if it exists. */
export async function constraintDefinition(database: TestDatabase, name: string): Promise<string | undefined> {
  const { rows } = await database.pool.query<{ def: string }>('SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = $1', [name]);
  return rows[0]?.def;
}
