// The lint rule that keeps SQL in @decnet/db (eslint.config.mjs, SQL_BOUNDARY), through ESLint's
// Node API on the repository's own config: planted SQL fails as a worker's, a CLI command's or a
// test's source, and the same code passes as a repository of this package.
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const RULE = 'decnet-sql/no-sql-outside-db';

/** One line per way of writing SQL by hand. */
const PLANTED = [
  "import pg from 'pg';",
  "import { sql } from 'drizzle-orm';",
  'export const probe = sql`SELECT 1 FROM ttp_tag LIMIT 0`;',
  'export async function work(database: { pool: pg.Pool; db: { select(): unknown } }, pool: pg.Pool): Promise<void> {',
  "  await database.pool.query('SELECT count(*) FROM logs');",
  '  await pool.query(QUERY);',
  '  database.db.select();',
  '  const client = await database.pool.connect();',
  '  client.release();',
  '}',
  "const QUERY = 'DELETE FROM logs';",
].join('\n');

/** The lines of PLANTED the rule must flag. */
const EXPECTED_LINES = [1, 2, 3, 5, 6, 7, 8];

/** Repository calls: what code outside packages/db writes instead. */
const CLEAN = [
  "import { insertLogRows, withTransaction, type NewLogRow, type Pool } from '@decnet/db';",
  'export async function store(pool: Pool, rows: NewLogRow[]): Promise<void> {',
  '  await withTransaction(pool, (tx) => insertLogRows(tx, rows));',
  '}',
].join('\n');

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: ROOT,
    // The planted files do not exist, so only the SQL rule runs, and without type information.
    ruleFilter: ({ ruleId }) => ruleId === RULE,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  });
});

async function flaggedLines(code: string, filePath: string): Promise<number[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(ROOT, filePath) });
  const messages = result?.messages ?? [];
  expect(messages.filter((m) => m.fatal)).toEqual([]);
  expect(messages.every((m) => m.ruleId === RULE)).toBe(true);
  return [...new Set(messages.map((m) => m.line))].sort((a, b) => a - b);
}

describe('SQL outside packages/db fails lint', () => {
  it.each(['packages/workers-x/src/x.ts', 'apps/cli/src/commands/x.ts', 'packages/workers-x/src/x.test.ts', 'tools/e2e/src/x.e2e.test.ts'])(
    'flags every planted statement in %s',
    async (filePath) => {
      expect(await flaggedLines(PLANTED, filePath)).toEqual(EXPECTED_LINES);
    },
    30_000,
  );

  it('leaves repository calls alone', async () => {
    expect(await flaggedLines(CLEAN, 'packages/workers-x/src/x.ts')).toEqual([]);
  });
});

describe('SQL inside packages/db passes lint', () => {
  it.each(['packages/db/src/repositories/x.ts', 'packages/db/src/x.test.ts'])(
    'accepts the same code in %s',
    async (filePath) => {
      expect(await flaggedLines(PLANTED, filePath)).toEqual([]);
    },
    30_000,
  );
});
