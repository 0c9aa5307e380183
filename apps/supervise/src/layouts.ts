// The three hosting layouts as functions the CLI and the supervise bundle call: one worker,
// one group, or the whole fleet embedded (in-memory bus, embedded Postgres).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostMain, loadConfigOrExit } from '@decnet/host';
import { EVENTS, silentLogger, subscribeEvent, type Bus, type DecnetConfig, type HealthPayload, type Logger, type WorkerSpec } from '@decnet/core';
import { CATALOG, findWorker, groupMembers, populatedGroups, type CatalogEntry } from './catalog.js';

/** Thrown for a worker or group name that does not exist; the CLI maps it to exit status 2. */
export class UnknownNameError extends Error {
  constructor(
    readonly kind: 'worker' | 'group',
    readonly value: string,
    readonly known: readonly string[],
  ) {
    super(`unknown ${kind} "${value}"; known: ${known.join(', ') || '(none)'}`);
    this.name = 'UnknownNameError';
  }
}

async function loadAll(entries: readonly CatalogEntry[]): Promise<WorkerSpec[]> {
  return Promise.all(entries.map((e) => e.load()));
}

async function migrateFirst(config: DecnetConfig, log: Logger): Promise<void> {
  const { getDatabase, migrate } = await import('@decnet/db');
  const database = await getDatabase(config, log);
  await migrate(database.db, log);
}

/**
 * Hosts one worker standalone (Kafka + Postgres from config) until SIGTERM.
 * @throws UnknownNameError
 */
export async function runOne(name: string): Promise<never> {
  const entry = findWorker(name);
  if (!entry) throw new UnknownNameError('worker', name, CATALOG.map((w) => w.name));
  return hostMain([await entry.load()], { label: entry.name });
}

/**
 * Hosts every worker of `group` in this process until SIGTERM.
 * @throws UnknownNameError for an unknown or empty group.
 */
export async function superviseGroup(group: string): Promise<never> {
  const populated = populatedGroups();
  if (!populated.includes(group)) throw new UnknownNameError('group', group, populated);
  const entries = groupMembers(group).map((m) => findWorker(m) as CatalogEntry);
  return hostMain(await loadAll(entries), { label: `supervise-${group}` });
}

/** Where `decnet up` announces itself so read commands can find it. */
export function upStatePaths(home: string): { dir: string; pidFile: string; healthFile: string } {
  const dir = join(home, 'run');
  return { dir, pidFile: join(dir, 'up.json'), healthFile: join(dir, 'health.json') };
}

/**
 * Runs the fleet in this process on the in-memory bus and (without DATABASE_URL) the embedded
 * Postgres under DECNET_HOME, applying migrations first. `only` narrows the workers.
 * @throws UnknownNameError
 */
export async function runEmbedded(only?: readonly string[]): Promise<never> {
  const config = loadConfigOrExit(process.env, { DECNET_BUS: 'memory' });
  let entries = CATALOG.filter((w) => !w.fixture && w.embedded !== false);
  if (only && only.length > 0) {
    entries = only.map((n) => {
      const e = findWorker(n);
      if (!e) throw new UnknownNameError('worker', n, CATALOG.map((w) => w.name));
      return e;
    });
  } else if (entries.length === 0) {
    // Until product workers land, the fleet is the fixtures, labelled as such in every listing.
    entries = CATALOG.filter((w) => w.fixture);
  }
  const specs = await loadAll(entries);
  const paths = upStatePaths(config.home);
  return hostMain(specs, {
    label: 'up',
    config,
    beforeStart: async (cfg, log) => {
      await migrateFirst(cfg, log);
      mkdirSync(paths.dir, { recursive: true });
      writeFileSync(
        paths.pidFile,
        JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), workers: specs.map((s) => s.name) }) + '\n',
      );
      process.once('exit', () => rmSync(paths.pidFile, { force: true }));
    },
    afterStart: (_host, transport) => {
      recordHealth(transport.connect('up-registry'), paths.healthFile);
    },
  });
}

/** Least time between two rewrites of `decnet up`'s health file. */
const HEALTH_FILE_MIN_INTERVAL_MS = 250;

/**
 * Keeps the latest heartbeat of each worker in `file`, so another process can read the health
 * of an embedded fleet whose bus lives only in this process's memory. The file follows the
 * beats (at most every 250 ms), so a reader judges staleness as it would on the bus.
 */
function recordHealth(bus: Bus, file: string): void {
  const latest = new Map<string, HealthPayload>();
  let lastWrite = 0;
  let pending: NodeJS.Timeout | undefined;
  const write = (): void => {
    pending = undefined;
    lastWrite = Date.now();
    writeFileSync(file, JSON.stringify([...latest.values()]) + '\n');
  };
  // A malformed beat is counted and skipped; it never reaches the file.
  subscribeEvent(
    bus,
    EVENTS.health,
    (event) => {
      latest.set(`${event.payload.worker}/${event.payload.instance}`, event.payload);
      if (pending) return;
      const wait = Math.max(0, lastWrite + HEALTH_FILE_MIN_INTERVAL_MS - Date.now());
      pending = setTimeout(write, wait);
      pending.unref();
    },
    { log: silentLogger },
  );
  process.once('exit', () => rmSync(file, { force: true }));
}
