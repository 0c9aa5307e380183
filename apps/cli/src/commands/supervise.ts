// `decnet supervise <group>`: host a group of workers in one process.
import { UsageError, parseCommandArgs, renderTable, type CommandIO } from '../io.js';

export function help(): string {
  return 'Usage: decnet supervise <group>\n\nHosts every worker of a group in one process, each with its own restart loop\n(backoff 1 s doubling to 30 s, reset after 60 s healthy). SIGTERM stops all within 15 s.\nRun "decnet supervise --list" to see the groups.\n';
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('supervise', args, { list: { type: 'boolean', default: false } });
  const { GROUPS, groupMembers, superviseGroup, UnknownNameError } = await import('@decnet/supervise');
  if (values.list) {
    io.stdout(renderTable(['group', 'workers', 'purpose'], Object.entries(GROUPS).map(([g, why]) => [g, groupMembers(g).join(',') || '(none yet)', why])));
    return 0;
  }
  const [group, extra] = positionals;
  if (!group || extra) throw new UsageError('expected exactly one group name (see "decnet supervise --list")', 'supervise');
  try {
    return await superviseGroup(group);
  } catch (err) {
    if (err instanceof UnknownNameError) {
      io.stderr(`decnet supervise: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
