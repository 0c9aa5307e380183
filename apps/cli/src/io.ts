// What every CLI command shares: output streams, usage errors (exit 2), argument parsing on
// node:util, and the two output shapes users expect: a table for people, JSON for scripts.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Streams and environment a command runs with; tests pass their own. */
export interface CommandIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Record<string, string | undefined>;
}

/** A command module: `run` returns the process exit status. */
export interface CommandModule {
  run(args: string[], io: CommandIO): Promise<number>;
}

/** Thrown for bad arguments: printed as one line plus a help hint, exit status 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly verb: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The process's real streams. */
export const processIO: CommandIO = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
};

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `args` strictly; unknown flags and missing values become a {@link UsageError}.
 */
export function parseCommandArgs<O extends Options>(
  verb: string,
  args: string[],
  options: O,
  allowPositionals = true,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''), verb);
  }
}

/**
 * Reads a `--limit` value: `fallback` when absent, else an integer from 1 to `max`.
 * @throws UsageError otherwise.
 */
export function parseLimit(verb: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`--limit must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`, verb);
  }
  return Number(value);
}

/** Renders rows as an aligned text table with a header line. */
export function renderTable(headers: readonly string[], rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

/** Serialises `value` as pretty JSON with a trailing newline. */
export function renderJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
