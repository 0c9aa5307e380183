// Test support for packages that use the database (`@decnet/db/testing`): a scratch database of
// the test server with the decnet schema applied, and a pool on it. Never imported by shipped code.
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { openDatabase, type Database } from './connection.js';
import { migrate } from './migrate.js';

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
