// Throwaway Postgres databases for tests: the suite's shared database (see postgres-setup.ts)
// and scratch databases a test owns outright (e.g. to migrate an empty schema concurrently).
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where tests find a server when DECNET_TEST_DATABASE_URL is unset: the local trust-auth Postgres. */
export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database created for a test; `drop()` removes it (idempotent, forcing out connections). */
export interface ScratchDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** The maintenance database of the server tests use: the suite's server, else {@link DEFAULT_ADMIN_URL}. */
export function adminUrl(): string {
  const suite = process.env.DECNET_TEST_DATABASE_URL;
  if (!suite) return DEFAULT_ADMIN_URL;
  const url = new URL(suite);
  url.pathname = '/postgres';
  return url.toString();
}

/** The suite's shared database URL; throws when the globalSetup did not run. */
export function testDatabaseUrl(): string {
  const url = process.env.DECNET_TEST_DATABASE_URL;
  if (!url) throw new Error('DECNET_TEST_DATABASE_URL is unset: add tools/testing/postgres-setup.ts to globalSetup');
  return url;
}

async function withAdmin<T>(admin: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: admin, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `tests need Postgres at ${new URL(admin).host} (trust auth), or DECNET_TEST_DATABASE_URL: ${(err as Error).message}`,
      { cause: err },
    );
  }
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database named `<prefix>_<random>` on the test server. */
export async function createDatabase(prefix: string, admin: string = adminUrl()): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop: () =>
      (dropped ??= withAdmin(admin, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      })),
  };
}

/** A fresh, empty database of the test server for one test; drop it in `afterAll`/`finally`. */
export function createScratchDatabase(): Promise<ScratchDatabase> {
  return createDatabase('decnet_scratch');
}
