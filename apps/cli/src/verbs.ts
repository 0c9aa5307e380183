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
];
