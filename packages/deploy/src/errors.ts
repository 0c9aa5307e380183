// The deploy package's errors: a docker command that failed, and fleet input that cannot be used
// (an unreadable INI file, an interface whose LAN cannot be read).
import { DecnetError } from '@decnet/core';

/** Captured stderr kept per docker command for error messages (the tail, where docker says why). */
export const MAX_STDERR_CHARS = 16 * 1024;

/** Thrown when a docker command cannot be started or exits non-zero; `stderr` is its tail. */
export class DockerCommandError extends DecnetError {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(`docker ${args.slice(0, 3).join(' ')}${args.length > 3 ? ' ...' : ''} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${summarise(args, stderr)}`, options);
  }
}

function summarise(args: readonly string[], stderr: string): string {
  // Without the Compose plugin the docker CLI reads `compose -p` as its own (unknown) flag.
  if (args[0] === 'compose' && /unknown (command|shorthand flag)/.test(stderr)) return 'the docker compose plugin is not installed';
  // `docker network rm` ends with a bare "exit status 1" after the line that says why.
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^exit status \d+$/.test(l));
  return (lines.at(-1) ?? 'no error output').slice(0, 300);
}

/** Thrown when fleet input cannot be used: an unreadable INI file, an interface whose LAN is unknown. */
export class FleetInputError extends DecnetError {}
