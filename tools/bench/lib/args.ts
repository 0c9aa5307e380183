// What every benchmark script reads from its command line: the workspace root, `--json`, and
// `--name value` options. One copy instead of one per script.
import { resolve } from 'node:path';

/** The repository root (benchmarks run bundles and tools relative to it). */
export const WORKSPACE_ROOT = resolve(import.meta.dirname, '../../..');

/** The script's arguments after `node script.ts`. */
export const args: readonly string[] = process.argv.slice(2);

/** True when `--json` was given: print JSON only, for scripts. */
export const asJson: boolean = args.includes('--json');

/** The value after `--name`, or undefined when the option is absent. */
export function argValue(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
