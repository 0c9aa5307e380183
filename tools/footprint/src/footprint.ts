// `npm run footprint [-- --json] [--layouts standalone,group:fixtures,embedded] [--settle-ms N]`
// Starts each hosting layout for the workers this build ships, waits until every worker has
// sent a heartbeat, lets it settle, reads PSS and RSS from /proc, stops it, and reports.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EVENTS, loadConfig, silentLogger, subscribeEvent, type HealthPayload } from '@decnet/core';
import { openBusTransport } from '@decnet/host';
import { CATALOG, populatedGroups, groupMembers, upStatePaths } from '@decnet/supervise';
import { readProcessMemory } from './proc.js';

const ROOT = resolve(import.meta.dirname, '../../..');
/** Time a layout gets to send every first heartbeat (embedded Postgres may need initdb). */
const HEARTBEAT_TIMEOUT_MS = 120_000;

/** One measured process. */
export interface MeasuredProcess {
  name: string;
  pid: number;
  pssMB: number;
  rssMB: number;
  /** Node flags the process ran with. */
  nodeFlags?: string[];
}

/** One measured layout. */
export interface LayoutReport {
  processes: MeasuredProcess[];
  totalPssMB: number;
  workers: string[];
  fixture: boolean;
  note?: string;
}

interface Launch {
  name: string;
  args: string[];
  workers: string[];
}

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    layouts: { type: 'string' },
    'settle-ms': { type: 'string', default: '3000' },
  },
});
const settleMs = Number(values['settle-ms']);
const say = (line: string): void => void process.stderr.write(`[footprint] ${line}\n`);

function spawnNode(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  });
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) say(`process ${args.join(' ')} exited ${code}: ${tail.split('\n').slice(-5).join(' | ')}`);
  });
  return child;
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done();
          const timer = setTimeout(() => c.kill('SIGKILL'), 20_000);
          c.once('exit', () => {
            clearTimeout(timer);
            done();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}

function measure(name: string, pid: number): MeasuredProcess {
  return { name, pid, ...readProcessMemory(pid) };
}

function total(ps: MeasuredProcess[]): number {
  return Math.round(ps.reduce((n, p) => n + p.pssMB, 0) * 10) / 10;
}

async function withHeartbeats(
  env: NodeJS.ProcessEnv,
  expected: Set<string>,
  body: (waitAll: () => Promise<Map<string, HealthPayload>>) => Promise<LayoutReport>,
): Promise<LayoutReport> {
  const config = loadConfig({ ...env, DECNET_INSTANCE_ID: 'footprint' });
  const transport = await openBusTransport(config, silentLogger);
  const bus = transport.connect('footprint');
  const heard = new Map<string, HealthPayload>();
  const sub = subscribeEvent(
    bus,
    EVENTS.health,
    (event) => {
      if (event.payload.instance.startsWith('fp-')) heard.set(event.payload.worker, event.payload);
    },
    { log: silentLogger, broadcast: true },
  );
  await sub.ready;
  try {
    return await body(async () => {
      const end = Date.now() + HEARTBEAT_TIMEOUT_MS;
      while ([...expected].some((w) => !heard.has(w))) {
        if (Date.now() > end) throw new Error(`no heartbeat from ${[...expected].filter((w) => !heard.has(w)).join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return heard;
    });
  } finally {
    await transport.close();
  }
}

async function measureKafkaLayout(launches: Launch[], env: NodeJS.ProcessEnv): Promise<LayoutReport> {
  const expected = new Set(launches.flatMap((l) => l.workers));
  return withHeartbeats(env, expected, async (waitAll) => {
    const children = launches.map((l, i) =>
      spawnNode(l.args, { ...env, DECNET_INSTANCE_ID: `fp-${i}-${l.name.replace(/[^A-Za-z0-9_-]/g, '-')}` }),
    );
    try {
      await waitAll();
      await new Promise((r) => setTimeout(r, settleMs));
      const processes = launches.map((l, i) => {
        const flags = l.args.filter((a) => a.startsWith('--'));
        return { ...measure(l.name, children[i]?.pid as number), ...(flags.length > 0 ? { nodeFlags: flags } : {}) };
      });
      return { processes, totalPssMB: total(processes), workers: [...expected], fixture: isFixture([...expected]) };
    } finally {
      await stopAll(children);
    }
  });
}

async function measureEmbedded(env: NodeJS.ProcessEnv): Promise<LayoutReport> {
  const home = mkdtempSync(join(tmpdir(), 'decnet-footprint-'));
  chmodSync(home, 0o755); // as root, the embedded Postgres runs as the postgres user
  const childEnv: NodeJS.ProcessEnv = { ...env, DECNET_HOME: home, DECNET_INSTANCE_ID: 'fp-embedded' };
  delete childEnv.DATABASE_URL;
  const child = spawnNode(['apps/cli/bin/decnet.js', 'up'], childEnv);
  try {
    const { healthFile } = upStatePaths(home);
    const end = Date.now() + HEARTBEAT_TIMEOUT_MS;
    let beats: HealthPayload[] = [];
    for (;;) {
      if (child.exitCode !== null) throw new Error('decnet up exited before its first heartbeats');
      if (existsSync(healthFile)) {
        beats = (JSON.parse(readFileSync(healthFile, 'utf8')) as unknown[]).flatMap((r) => {
          const p = EVENTS.health.schema.safeParse(r);
          return p.success ? [p.data] : [];
        });
        const expected = embeddedWorkers();
        if (expected.every((w) => beats.some((b) => b.worker === w))) break;
      }
      if (Date.now() > end) throw new Error('decnet up sent no heartbeat in time');
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, settleMs));
    const workers = [...new Set(beats.map((b) => b.worker))];
    const processes = [measure('decnet up', child.pid as number)];
    return {
      processes,
      totalPssMB: total(processes),
      workers,
      fixture: isFixture(workers),
      note: 'the embedded Postgres server processes are not counted (the other layouts use an external server)',
    };
  } finally {
    await stopAll([child]);
    rmSync(home, { recursive: true, force: true });
  }
}

/** Node flags a worker's bundle asks for (written beside it by tools/bundle from package.json). */
function nodeFlagsOf(worker: string): string[] {
  const manifest = join(ROOT, 'dist/workers', worker, 'package.json');
  if (!existsSync(manifest)) return [];
  const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { decnet?: { nodeFlags?: string[] } };
  return parsed.decnet?.nodeFlags ?? [];
}

/** Flags every member of a group asks for: a shared process can only honour the common ones. */
function commonFlags(workers: string[]): string[] {
  const [first, ...rest] = workers.map(nodeFlagsOf);
  return (first ?? []).filter((f) => rest.every((r) => r.includes(f)));
}

/** The workers `decnet up` hosts: every product worker that runs embedded, else the fixtures. */
function embeddedWorkers(): string[] {
  const product = CATALOG.filter((w) => !w.fixture && w.embedded !== false).map((w) => w.name);
  return product.length > 0 ? product : CATALOG.filter((w) => w.fixture).map((w) => w.name);
}

function isFixture(workers: string[]): boolean {
  return workers.every((w) => CATALOG.find((c) => c.name === w)?.fixture === true);
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) throw new Error('bundles missing: run `npm run build` first');
  const env: NodeJS.ProcessEnv = { ...process.env, DECNET_BUS: 'kafka', DECNET_LOG_LEVEL: 'warn' };
  const stops: (() => Promise<void>)[] = [];
  try {
    if (!env.KAFKA_BROKERS) {
      say('starting Kafka (tools/kafka)');
      const { startKafka } = (await import(join(ROOT, 'tools/kafka/kafka.mjs'))) as {
        startKafka: (o: object) => Promise<{ brokers: string[]; stop: () => Promise<void> }>;
      };
      const kafka = await startKafka({});
      env.KAFKA_BROKERS = kafka.brokers.join(',');
      stops.push(kafka.stop);
    }
    if (!env.DATABASE_URL) {
      const { createScratchDatabase } = (await import(join(ROOT, 'tools/testing/postgres.ts'))) as {
        createScratchDatabase: () => Promise<{ url: string; drop: () => Promise<void> }>;
      };
      const scratch = await createScratchDatabase();
      env.DATABASE_URL = scratch.url;
      stops.push(scratch.drop);
      const migrate = spawnNode(['apps/cli/bin/decnet.js', 'db', 'migrate'], env);
      await new Promise((r) => migrate.once('exit', r));
    }
    const all: Record<string, () => Promise<LayoutReport>> = {
      standalone: () =>
        measureKafkaLayout(
          CATALOG.map((w) => ({ name: w.name, args: [...nodeFlagsOf(w.name), `dist/workers/${w.name}/main.js`], workers: [w.name] })),
          env,
        ),
      ...Object.fromEntries(
        populatedGroups().map((g) => [
          `group:${g}`,
          () =>
            measureKafkaLayout(
              [{ name: `supervise ${g}`, args: [...commonFlags(groupMembers(g)), 'dist/supervise/main.js', g], workers: groupMembers(g) }],
              env,
            ),
        ]),
      ),
      embedded: () => measureEmbedded(env),
    };
    const chosen = values.layouts ? values.layouts.split(',') : Object.keys(all);
    const layouts: Record<string, LayoutReport> = {};
    for (const name of chosen) {
      const fn = all[name];
      if (!fn) throw new Error(`unknown layout "${name}"; known: ${Object.keys(all).join(', ')}`);
      say(`measuring ${name}`);
      layouts[name] = await fn();
    }
    const report = { measuredAt: new Date().toISOString(), node: process.version, settleMs, layouts };
    if (values.json) {
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    } else {
      for (const [name, l] of Object.entries(layouts)) {
        process.stdout.write(`\n${name}${l.fixture ? '  (FIXTURE workers: the runtime floor, not product workers)' : ''}\n`);
        for (const p of l.processes) {
          const flags = p.nodeFlags ? `  ${p.nodeFlags.join(' ')}` : '';
          process.stdout.write(`  ${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} PSS ${p.pssMB.toFixed(1).padStart(6)} MB  RSS ${p.rssMB.toFixed(1).padStart(6)} MB${flags}\n`);
        }
        process.stdout.write(`  ${'total PSS'.padEnd(24)} ${''.padEnd(12)} ${l.totalPssMB.toFixed(1).padStart(6)} MB\n`);
        if (l.note) process.stdout.write(`  note: ${l.note}\n`);
      }
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`footprint: ${(err as Error).message}\n`);
  process.exit(1);
});
