// `decnet db migrate`: apply the committed SQL migrations under an advisory lock.
import { createLogger } from '@decnet/core';
import { loadConfigOrExit } from '@decnet/host';
import { UsageError, parseCommandArgs, type CommandIO } from '../io.js';

export function help(): string {
  return 'Usage: decnet db migrate [--json]\n\nApplies pending migrations to DATABASE_URL, or to the embedded Postgres under\nDECNET_HOME when it is unset. Safe to run concurrently (advisory lock).\n';
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('db', args, { json: { type: 'boolean', default: false } });
  if (positionals[0] !== 'migrate' || positionals.length !== 1) throw new UsageError('expected "migrate"', 'db');
  const config = loadConfigOrExit(io.env);
  const log = createLogger({ level: config.logLevel, name: 'db' });
  const { openDatabase, migrate } = await import('@decnet/db');
  const database = await openDatabase(config, log);
  try {
    const result = await migrate(database.db, log);
    if (values.json) io.stdout(JSON.stringify({ database: database.url, ...result }) + '\n');
    else io.stdout(`migrated ${database.url}: ${JSON.stringify(result)}\n`);
  } finally {
    await database.close();
  }
  return 0;
}
