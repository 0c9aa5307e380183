// The verb table: names, one-line summaries and lazy loaders. Nothing here imports a command
// module eagerly, so `decnet --help` loads none of kafkajs, drizzle-orm or pg. Nouns are singular
// (`decnet worker status`, `decnet service run`, like `docker container ls`); the plural
// spellings stay as hidden aliases that still work.
import type { CommandModule } from './io.js';

/** One top-level verb of `decnet`. */
export interface Verb {
  readonly name: string;
  readonly summary: string;
  /** Usage line shown in `decnet --help`. */
  readonly usage: string;
  readonly load: () => Promise<CommandModule>;
}

/** Another spelling of a verb: works everywhere, listed nowhere. */
export interface VerbAlias {
  readonly name: string;
  /** The verb it stands for. */
  readonly verb: string;
  /** Arguments it puts before the user's (`services` is `service catalog`). */
  readonly args?: readonly string[];
}

/** Every verb, in the order `decnet --help` lists them. */
export const VERBS: readonly Verb[] = [
  {
    name: 'up',
    summary: 'run the whole fleet in this process (in-memory bus, embedded Postgres)',
    usage: 'decnet up [--workers a,b]',
    load: () => import('./commands/up.js'),
  },
  {
    name: 'worker',
    summary: 'list workers, read their heartbeats (status), or stop|start|restart one over the bus',
    usage: 'decnet worker [list|status|stop|start|restart <name>] [--json]',
    load: () => import('./commands/worker.js'),
  },
  {
    name: 'run',
    summary: 'run one worker in this process (Kafka + Postgres from env)',
    usage: 'decnet run <worker>',
    load: () => import('./commands/run.js'),
  },
  {
    name: 'supervise',
    summary: 'run a group of workers in one process with per-worker restart loops',
    usage: 'decnet supervise <group>',
    load: () => import('./commands/supervise.js'),
  },
  {
    name: 'db',
    summary: 'database administration (migrate)',
    usage: 'decnet db migrate',
    load: () => import('./commands/db.js'),
  },
  {
    name: 'deploy',
    summary: 'render the fleet compose file (validated) and start it; --dry-run only writes it',
    usage: 'decnet deploy --deckies N (--services a,b | --archetype A | --randomize-services) [--dry-run]',
    load: () => import('./commands/deploy.js'),
  },
  {
    name: 'service',
    summary: 'honeypot services: the catalog a decky can run, the emulators, or run one here',
    usage: 'decnet service <catalog|list|run <slug>> [--json] [--port N] [--bind ADDR] [--name NAME]',
    load: () => import('./commands/service.js'),
  },
  {
    name: 'archetype',
    summary: 'list the machine roles usable with deploy --archetype',
    usage: 'decnet archetype [--json]',
    load: () => import('./commands/catalog.js').then((m) => m.archetypes),
  },
  {
    name: 'distro',
    summary: 'list the base distributions usable with deploy --distro',
    usage: 'decnet distro [--json]',
    load: () => import('./commands/catalog.js').then((m) => m.distros),
  },
  {
    name: 'topology',
    summary: 'MazeNET topologies: create|list|show|validate|render|deploy|teardown|delete (Postgres)',
    usage: 'decnet topology <create|list|show|validate|render|deploy|teardown|delete> [options]',
    load: () => import('./commands/topology.js'),
  },
  {
    name: 'log',
    summary: "list stored events, newest first, with upstream's search syntax",
    usage: 'decnet log [--json] [--limit N] [--search Q]',
    load: () => import('./commands/logs.js'),
  },
  {
    name: 'decky',
    summary: "run a decky's honeypot services in this process",
    usage: 'decnet decky run --services a,b [--bind ADDR] [--name NAME] [--port-offset N]',
    load: () => import('./commands/decky.js'),
  },
  {
    name: 'pki',
    summary: 'the private CA for listener/forwarder mutual TLS: init, issue <name>, list',
    usage: 'decnet pki <init|issue <name> [--server|--client] [--san S]|list> [--dir D]',
    load: () => import('./commands/pki.js'),
  },
  {
    name: 'attacker',
    summary: 'list the attackers the profiler built, most recently seen first',
    usage: 'decnet attacker [--json] [--limit N]',
    load: () => import('./commands/attackers.js'),
  },
  {
    name: 'webhook',
    summary: 'manage signed webhook subscriptions: add|list|remove|test|enable|disable',
    usage: 'decnet webhook <add <name> <url> --pattern P|list|remove <name>|test <name>|enable <name>|disable <name>> [--json]',
    load: () => import('./commands/webhook.js'),
  },
  {
    name: 'ttp',
    summary: 'ATT&CK tagging: eval a corpus, check rules, list tags, export STIX, verify ATT&CK data',
    usage: 'decnet ttp <eval <corpus.jsonl>|rules|tags|export --stix|attack verify <bundle.json>> [--json]',
    load: () => import('./commands/ttp.js'),
  },
];

/** The plural spellings of earlier releases. */
export const VERB_ALIASES: readonly VerbAlias[] = [
  { name: 'workers', verb: 'worker' },
  { name: 'services', verb: 'service', args: ['catalog'] },
  { name: 'archetypes', verb: 'archetype' },
  { name: 'distros', verb: 'distro' },
  { name: 'logs', verb: 'log' },
  { name: 'attackers', verb: 'attacker' },
];

/** What the user typed, resolved: the verb, its arguments, and the spelling to answer with. */
export interface ResolvedVerb {
  readonly verb: Verb;
  readonly args: string[];
  /** The word the user typed, so messages repeat their spelling. */
  readonly spelling: string;
}

/** Resolves `word` (a verb or an alias) and the arguments after it; undefined for an unknown word. */
export function resolveVerb(word: string, rest: readonly string[]): ResolvedVerb | undefined {
  const direct = VERBS.find((v) => v.name === word);
  if (direct) return { verb: direct, args: [...rest], spelling: word };
  const alias = VERB_ALIASES.find((a) => a.name === word);
  const verb = alias && VERBS.find((v) => v.name === alias.verb);
  if (!alias || !verb) return undefined;
  return { verb, args: [...(alias.args ?? []), ...rest], spelling: word };
}
