// Entry of the supervise bundle (dist/supervise/main.js): `node dist/supervise/main.js <group>`
// hosts one group; it is what a `decnet-supervise-<group>` unit or container runs.
import { superviseGroup, UnknownNameError } from './layouts.js';

const group = process.argv[2];
if (!group || group === '--help' || group === '-h') {
  process.stdout.write('Usage: node dist/supervise/main.js <group>\n');
  process.exit(group ? 0 : 2);
}
superviseGroup(group).catch((err: unknown) => {
  process.stderr.write(`supervise: ${(err as Error).message}\n`);
  process.exit(err instanceof UnknownNameError ? 2 : 1);
});
