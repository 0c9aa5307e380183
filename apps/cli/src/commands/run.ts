// `decnet run <worker>`: host one worker in this process on the configured bus.
import { UsageError, parseCommandArgs, type CommandIO } from '../io.js';

export function help(): string {
  return 'Usage: decnet run <worker>\n\nRuns one worker standalone: bus and database from the environment\n(DECNET_BUS, KAFKA_BROKERS, DATABASE_URL). SIGTERM stops it within 15 s. See "decnet worker".\n';
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const { positionals } = parseCommandArgs('run', args, {});
  const [name, extra] = positionals;
  if (!name || extra) throw new UsageError('expected exactly one worker name (see "decnet worker")', 'run');
  const { runOne, UnknownNameError } = await import('@decnet/supervise');
  try {
    return await runOne(name);
  } catch (err) {
    if (err instanceof UnknownNameError) {
      io.stderr(`decnet run: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
