// Migrations: the embedded copy matches the committed SQL and the schema, migrate() builds an
// empty database, is idempotent, serialises concurrent callers, and rolls back a failure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { GENERATED_FILE, MIGRATIONS_DIR, renderEmbeddedMigrations } from '../scripts/embed-migrations.js';
import { openDatabase, type Database } from './connection.js';
import { MigrationError } from './errors.js';
import { MIGRATIONS_TABLE, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.generated.js';
import * as schema from './schema/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scratch(): Promise<ScratchDatabase> {
  const database = await createScratchDatabase();
  cleanups.push(() => database.drop());
  return database;
}

async function open(url: string): Promise<Database> {
  const database = await openDatabase(testConfig({ DATABASE_URL: url }), silentLogger);
  cleanups.push(() => database.close());
  return database;
}

async function publicTableCount(database: Database): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`,
  );
  return rows[0]!.n;
}

async function recordedHashes(database: Database): Promise<string[]> {
  const { rows } = await database.pool.query<{ hash: string }>(`SELECT hash FROM ${MIGRATIONS_TABLE} ORDER BY id`);
  return rows.map((r) => r.hash);
}

describe('the embedded migrations are the committed ones', () => {
  it('matches what scripts/embed-migrations.ts renders from migrations/', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(renderEmbeddedMigrations());
  });

  it("agrees with drizzle's own reader on hashes, timestamps and statements", () => {
    const drizzles = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR });
    expect(MIGRATIONS.map((m) => m.hash)).toEqual(drizzles.map((m) => m.hash));
    expect(MIGRATIONS.map((m) => m.when)).toEqual(drizzles.map((m) => m.folderMillis));
    expect(MIGRATIONS.map((m) => m.statements)).toEqual(
      drizzles.map((m) => m.sql.map((s) => s.trim()).filter((s) => s.length > 0)),
    );
  });

  it('has no schema change left without a migration (drizzle-kit diff is empty)', async () => {
    const last = MIGRATIONS.at(-1)!.tag.split('_')[0]!;
    const snapshot = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', `${last}_snapshot.json`), 'utf8'));
    const current = generateDrizzleJson(schema, snapshot.id);
    expect(await generateMigration(snapshot, current)).toEqual([]);
    // The check can fail: a snapshot missing a table yields its CREATE TABLE.
    const older = { ...snapshot, tables: { ...(snapshot.tables as Record<string, unknown>) } };
    delete older.tables['public.state'];
    expect((await generateMigration(older, current)).join('\n')).toContain('CREATE TABLE "state"');
  });

  it('names nothing longer than the 63 bytes Postgres keeps', () => {
    const identifiers = MIGRATIONS.flatMap((m) => m.statements.join('\n').match(/"[^"]+"/g) ?? []);
    expect(identifiers.length).toBeGreaterThan(100);
    expect(identifiers.filter((id) => Buffer.byteLength(id.slice(1, -1)) > 63)).toEqual([]);
  });
});

describe('migrate() builds and keeps the schema', () => {
  it('applies every migration to an empty database and records each once', async () => {
    const database = await open((await scratch()).url);
    expect(await publicTableCount(database)).toBe(0);
    const report = await migrate(database.db, silentLogger);
    expect(report).toEqual({
      applied: MIGRATIONS.map((m) => m.tag),
      recorded: MIGRATIONS.length,
      known: MIGRATIONS.length,
    });
    expect(await publicTableCount(database)).toBe(39);
    expect(await recordedHashes(database)).toEqual(MIGRATIONS.map((m) => m.hash));
  });

  it('is idempotent: a second run applies nothing and changes nothing', async () => {
    const database = await open((await scratch()).url);
    await migrate(database.db, silentLogger);
    const again = await migrate(database.db, silentLogger);
    expect(again.applied).toEqual([]);
    expect(again.recorded).toBe(MIGRATIONS.length);
    expect(await recordedHashes(database)).toEqual(MIGRATIONS.map((m) => m.hash));
  });

  it('lets two concurrent callers on separate pools both succeed, applying each migration once', async () => {
    const { url } = await scratch();
    const [a, b] = await Promise.all([open(url), open(url)]);
    const [ra, rb] = await Promise.all([migrate(a.db, silentLogger), migrate(b.db, silentLogger)]);
    expect([...ra.applied, ...rb.applied].sort()).toEqual(MIGRATIONS.map((m) => m.tag).sort());
    expect(await recordedHashes(a)).toEqual(MIGRATIONS.map((m) => m.hash));
    expect(await publicTableCount(b)).toBe(39);
  });

  it('rolls back a failing migration, names it, and releases the lock', async () => {
    const database = await open((await scratch()).url);
    await migrate(database.db, silentLogger);
    const broken = {
      tag: '9999_broken',
      when: MIGRATIONS.at(-1)!.when + 1,
      hash: 'f'.repeat(64),
      statements: ['CREATE TABLE half_done (id int)', 'SELECT * FROM no_such_table'],
    };
    const error = await migrate(database.db, silentLogger, [...MIGRATIONS, broken]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).tag).toBe('9999_broken');
    const { rows } = await database.pool.query(`SELECT to_regclass('public.half_done') AS t`);
    expect(rows[0].t).toBeNull();
    expect(await recordedHashes(database)).toEqual(MIGRATIONS.map((m) => m.hash));
    const locks = await database.pool.query(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(locks.rowCount).toBe(0);
  });
});
