// The state key/value helpers and the health check, on the suite's migrated database.
import { randomUUID } from 'node:crypto';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, testDatabaseUrl } from '@decnet/testing/postgres';
import { openDatabase, type Database } from './connection.js';
import { checkDatabase } from './health.js';
import { migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.generated.js';
import { getState, setState } from './state.js';

let database: Database;

beforeAll(async () => {
  database = await openDatabase(testConfig({ DATABASE_URL: testDatabaseUrl() }), silentLogger);
  await migrate(database.db, silentLogger);
});

afterAll(async () => {
  await database?.close();
});

describe('state round-trips JSON values by key', () => {
  it('reads back what was written, for every JSON shape', async () => {
    const values = [
      { config: { deckies: ['decky-01'] }, compose_path: '/tmp/x.yml' },
      [1, 'two', { three: 3 }],
      'a string',
      42.5,
      true,
      null,
    ];
    for (const value of values) {
      const key = `test-${randomUUID()}`;
      await setState(database.db, key, value);
      expect(await getState(database.db, key)).toEqual(value);
    }
  });

  it('returns undefined for a key never written', async () => {
    expect(await getState(database.db, `missing-${randomUUID()}`)).toBeUndefined();
  });

  it('replaces the value on a second write (upsert)', async () => {
    const key = `cursor-${randomUUID()}`;
    await setState(database.db, key, { last_log_id: 1 });
    await setState(database.db, key, { last_log_id: 2 });
    expect(await getState(database.db, key)).toEqual({ last_log_id: 2 });
    const { rows } = await database.pool.query('SELECT count(*)::int AS n FROM state WHERE key = $1', [key]);
    expect(rows[0].n).toBe(1);
  });
});

describe('checkDatabase reports reachability and migrations', () => {
  it('reports ok with every migration applied on the migrated database', async () => {
    const health = await checkDatabase(database.db);
    expect(health).toMatchObject({
      ok: true,
      appliedMigrations: MIGRATIONS.length,
      knownMigrations: MIGRATIONS.length,
    });
  });

  it('reports zero applied migrations on a database never migrated', async () => {
    const scratch = await createScratchDatabase();
    const fresh = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger);
    try {
      expect(await checkDatabase(fresh.db)).toMatchObject({ ok: true, appliedMigrations: 0 });
    } finally {
      await fresh.close();
      await scratch.drop();
    }
  });

  it('reports not ok, without throwing, once the pool is closed', async () => {
    const other = await openDatabase(testConfig({ DATABASE_URL: testDatabaseUrl() }), silentLogger);
    await other.close();
    const health = await checkDatabase(other.db);
    expect(health.ok).toBe(false);
  });
});
