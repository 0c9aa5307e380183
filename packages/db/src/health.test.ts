// The start-up probes against real Postgres: a round trip, and the check that a worker's tables
// exist (a missing one is SchemaNotReadyError, not a crash later in the first batch).
import type { ScratchDatabase } from '@decnet/testing/postgres';
import { createScratchDatabase } from '@decnet/testing/postgres';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './connection.js';
import { SchemaNotReadyError } from './errors.js';
import { pingDatabase, requireTables } from './health.js';
import { migrate } from './migrate.js';
import { logs } from './schema/logs.js';
import { ttp_tag } from './schema/ttp.js';

let scratch: ScratchDatabase;
let database: Database;

beforeAll(async () => {
  scratch = await createScratchDatabase();
  database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 2 });
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});

describe('start-up probes', () => {
  it('answers a ping on any database', async () => {
    expect(await pingDatabase(database.pool)).toBe(true);
  });

  it('refuses an unmigrated database with SchemaNotReadyError naming the SQLSTATE, then accepts it migrated', async () => {
    const err = await requireTables(database.pool, [ttp_tag]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaNotReadyError);
    expect(err).toMatchObject({ sqlState: '42P01' });
    await migrate(database.db, silentLogger);
    await expect(requireTables(database.pool, [ttp_tag, logs])).resolves.toBeUndefined();
  });
});
