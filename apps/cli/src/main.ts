// Entry of the `decnet` command: finds the verb and imports only its module.
import { processIO, UsageError, type CommandIO } from './io.js';
import { VERB_ALIASES, VERBS, resolveVerb } from './verbs.js';

const VERSION = '0.1.0';

/** Text of `decnet --help`. */
export function helpText(): string {
  const width = Math.max(...VERBS.map((v) => v.name.length));
  const lines = [
    'decnet: honeypot deception network',
    '',
    'Usage: decnet <verb> [options]      decnet <verb> --help for details',
    '',
    'Verbs:',
    ...VERBS.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    '',
    'Configuration comes from the environment (DECNET_*, KAFKA_BROKERS, DATABASE_URL) and the',
    'optional file named by DECNET_CONFIG. See README.md.',
    '',
  ];
  return lines.join('\n');
}

/**
 * A usage error's verb as the user spelled it: `decnet workers --bogus` answers "decnet workers: ...".
 * Commands name themselves by their canonical verb (or, for some, an older spelling of it).
 */
function respell(errorVerb: string, canonical: string, typed: string): string {
  const spellings = [canonical, ...VERB_ALIASES.filter((a) => a.verb === canonical).map((a) => a.name)];
  const [head, ...tail] = errorVerb.split(' ');
  return head !== undefined && spellings.includes(head) ? [typed, ...tail].join(' ') : errorVerb;
}

/** Runs `decnet` with `argv` (without node and script); returns the exit status. */
export async function main(argv: string[], io: CommandIO = processIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    io.stdout(helpText());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-V') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const resolved = resolveVerb(first, rest);
  if (!resolved) {
    io.stderr(`decnet: unknown verb "${first}"; run "decnet --help" for the list\n`);
    return 2;
  }
  const { verb, args, spelling } = resolved;
  if (args.includes('--help') || args.includes('-h')) {
    const mod = await verb.load();
    if ('help' in mod && typeof mod.help === 'function') io.stdout((mod.help as () => string)());
    else io.stdout(`Usage: ${verb.usage}\n\n${verb.summary}\n`);
    return 0;
  }
  try {
    const mod = await verb.load();
    return await mod.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      const shown = respell(err.verb, verb.name, spelling);
      io.stderr(`decnet ${shown}: ${err.message}\nRun "decnet ${shown} --help" for usage.\n`);
      return 2;
    }
    throw err;
  }
}
