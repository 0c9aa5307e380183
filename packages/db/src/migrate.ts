// Applies the embedded migrations under a Postgres advisory lock, so any number of processes
// may call migrate() at once: one applies, the others wait and then find nothing to do.
// Applied migrations are recorded in drizzle's own table, so drizzle-kit agrees with us.
import type { Logger } from '@decnet/core';
import type pg from 'pg';
import type { DecnetDb } from './connection.js';
import { MigrationError } from './errors.js';
import { MIGRATIONS, type EmbeddedMigration } from './migrations.generated.js';

/** Advisory-lock key held while migrating: "decnet" in ASCII, unlikely to collide with anything else. */
export const MIGRATION_LOCK_KEY = '110386300831092';
/** Drizzle's bookkeeping schema and table (what `drizzle-kit migrate` uses). */
export const MIGRATIONS_TABLE = 'drizzle.__drizzle_migrations';

/** What {@link migrate} did. */
export interface MigrationReport {
  /** Tags applied by this call, oldest first. */
  readonly applied: readonly string[];
  /** Migrations recorded in the database after this call. */
  readonly recorded: number;
  /** Migrations this build knows. */
  readonly known: number;
}

interface RecordedRow {
  hash: string;
  created_at: string | null;
}

/**
 * Brings the schema up to date: applies every embedded migration newer than the newest one
 * recorded, each in its own transaction, while holding `pg_advisory_lock(MIGRATION_LOCK_KEY)` on a
 * dedicated connection (released in `finally`). Idempotent; safe to call concurrently from many
 * processes.
 * @throws MigrationError naming the failing migration (its transaction is rolled back).
 * @throws the driver's error when the database cannot be reached.
 */
export async function migrate(
  db: DecnetDb,
  log: Logger,
  migrations: readonly EmbeddedMigration[] = MIGRATIONS,
): Promise<MigrationReport> {
  const client = await db.$client.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      return await applyPending(client, log, migrations);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch((err: Error) => {
        broken = err;
      });
    }
  } catch (err) {
    broken ??= err as Error;
    throw err;
  } finally {
    // A connection whose unlock failed may still hold the lock: destroy it rather than pool it.
    client.release(broken);
  }
}

async function applyPending(
  client: pg.PoolClient,
  log: Logger,
  migrations: readonly EmbeddedMigration[],
): Promise<MigrationReport> {
  await client.query('CREATE SCHEMA IF NOT EXISTS drizzle');
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
  );
  const { rows } = await client.query<RecordedRow>(`SELECT hash, created_at FROM ${MIGRATIONS_TABLE}`);
  const recordedHashes = new Set(rows.map((r) => r.hash));
  const newest = rows.reduce((max, r) => Math.max(max, Number(r.created_at ?? 0)), 0);
  const newestKnown = migrations.reduce((max, m) => Math.max(max, m.when), 0);
  if (newest > newestKnown) {
    log.warn('database schema is newer than this build; applying nothing', { newest, newestKnown });
  }

  const applied: string[] = [];
  for (const migration of migrations) {
    // drizzle's rule: a migration is pending when it is newer than the newest recorded one.
    if (migration.when <= newest) {
      if (!recordedHashes.has(migration.hash)) {
        log.warn('migration was edited after it was applied', { tag: migration.tag });
      }
      continue;
    }
    const started = Date.now();
    try {
      await client.query('BEGIN');
      for (const statement of migration.statements) await client.query(statement);
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (hash, created_at) VALUES ($1, $2)`, [
        migration.hash,
        migration.when,
      ]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new MigrationError(migration.tag, (err as Error).message, { cause: err });
    }
    applied.push(migration.tag);
    log.info('migration applied', {
      tag: migration.tag,
      statements: migration.statements.length,
      ms: Date.now() - started,
    });
  }
  if (applied.length === 0) log.debug('schema up to date', { recorded: rows.length });
  return { applied, recorded: rows.length + applied.length, known: migrations.length };
}
