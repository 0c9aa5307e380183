// vitest globalSetup for suites that need Postgres: unless DECNET_TEST_DATABASE_URL is already
// set (CI, `npm test`), creates a fresh `decnet_test_<random>` database on the local server,
// exports its URL to the test workers (env and `inject('databaseUrl')`), and drops it
// (WITH (FORCE)) after the run.
import { createDatabase } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the suite's Postgres database. */
    databaseUrl: string;
  }
}

/** The slice of vitest's TestProject this setup uses. */
interface ProvidingProject {
  provide(key: 'databaseUrl', value: string): void;
}

export default async function setup(project?: ProvidingProject): Promise<(() => Promise<void>) | undefined> {
  const existing = process.env.DECNET_TEST_DATABASE_URL;
  if (existing) {
    project?.provide('databaseUrl', existing);
    return undefined;
  }
  const database = await createDatabase('decnet_test');
  process.env.DECNET_TEST_DATABASE_URL = database.url;
  project?.provide('databaseUrl', database.url);
  return async () => {
    await database.drop();
    if (process.env.DECNET_TEST_DATABASE_URL === database.url) delete process.env.DECNET_TEST_DATABASE_URL;
  };
}
