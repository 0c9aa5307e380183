// The verb table: names, one-line summaries and lazy loaders. Nothing here imports a command
// module eagerly, so `decnet --help` loads none of kafkajs, drizzle-orm or pg.
import type { CommandModule } from './io.js';

/** One top-level verb of `decnet`. */
export interface Verb {
  readonly name: string;
  readonly summary: string;
  /** Usage line shown in `decnet --help`. */
  readonly usage: string;
  readonly load: () => Promise<CommandModule>;
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
    name: 'workers',
    summary: 'list workers, or read their heartbeats (workers status)',
    usage: 'decnet workers [status] [--json]',
    load: () => import('./commands/workers.js'),
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
    name: 'worker',
    summary: 'send stop|start|restart to one worker over the bus',
    usage: 'decnet worker <stop|start|restart> <name>',
    load: () => import('./commands/worker-control.js'),
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
    name: 'services',
    summary: 'list the honeypot services a decky can run',
    usage: 'decnet services [--json]',
    load: () => import('./commands/catalog.js').then((m) => m.services),
  },
  {
    name: 'archetypes',
    summary: 'list the machine roles usable with deploy --archetype',
    usage: 'decnet archetypes [--json]',
    load: () => import('./commands/catalog.js').then((m) => m.archetypes),
  },
  {
    name: 'distros',
    summary: 'list the base distributions usable with deploy --distro',
    usage: 'decnet distros [--json]',
    load: () => import('./commands/catalog.js').then((m) => m.distros),
  },
  {
    name: 'topology',
    summary: 'MazeNET topologies: create|list|show|validate|render|deploy|teardown|delete (Postgres)',
    usage: 'decnet topology <create|list|show|validate|render|deploy|teardown|delete> [options]',
    load: () => import('./commands/topology.js'),
  },
  {
    name: 'logs',
    summary: 'list stored events, newest first, with upstream\'s search syntax',
    usage: 'decnet logs [--json] [--limit N] [--search Q]',
    load: () => import('./commands/logs.js'),
  },
  {
    name: 'service',
    summary: 'run one honeypot service emulator here, events as RFC 5424 lines on stdout',
    usage: 'decnet service run <slug> [--port N] [--bind ADDR] [--name NAME] | decnet service list',
    load: () => import('./commands/service.js'),
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
    name: 'attackers',
    summary: 'list the attackers the profiler built, most recently seen first',
    usage: 'decnet attackers [--json] [--limit N]',
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
