// `decnet up`: the whole fleet in this process on the embedded defaults.
import { parseCommandArgs, type CommandIO } from '../io.js';

export function help(): string {
  return [
    'Usage: decnet up [--workers a,b]',
    '',
    'Runs the fleet in one process: the in-memory bus, and Postgres from DATABASE_URL or,',
    'without it, an embedded Postgres whose data lives under DECNET_HOME (default ~/.decnet).',
    'Migrations are applied first. Ctrl-C (SIGINT) or SIGTERM stops everything within 15 s.',
    '"decnet worker status" in another terminal shows the fleet\'s health.',
    '',
  ].join('\n');
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs('up', args, { workers: { type: 'string' } }, false);
  const only = values.workers?.split(',').map((s) => s.trim()).filter(Boolean);
  const { runEmbedded, UnknownNameError } = await import('@decnet/supervise');
  try {
    return await runEmbedded(only);
  } catch (err) {
    if (err instanceof UnknownNameError) {
      io.stderr(`decnet up: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
