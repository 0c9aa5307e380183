// Benchmark of the ingestion pipeline with real parts: a fast syslog sender (TCP, octet counting)
// → collector bundle (standalone process) → Kafka → ingester bundle (standalone process) → rows
// in Postgres. Reports sustained events/s (first byte sent to last row committed) and the RSS/PSS
// of each worker under that load, per ingester acknowledgement mode.
// Starts a local Kafka (tools/kafka) unless KAFKA_BROKERS is set, and uses a scratch database on
// the local Postgres (DECNET_TEST_DATABASE_URL's server, else postgres@127.0.0.1:5432).
// Run: npx tsx --conditions=@decnet/source tools/bench/pipeline.ts [--json] [--lines N]
//        [--connections C] [--ack receive|commit|both] [--batch N]
//        [--node-flags "--cpu-prof --cpu-prof-dir=/tmp/prof"]   (flags for both worker processes)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { bounty, credentials, getState, logs, migrate, observed_attachments, openDatabase, state, type Database } from '@decnet/db';
import { countRows, truncateTables } from '@decnet/db/testing';
import { encodeOctetCounted } from '@decnet/syslog';
import { createScratchDatabase } from '@decnet/testing/postgres';
import type { KafkaBroker } from '@decnet/tool-kafka';
import { WORKSPACE_ROOT, argValue, asJson } from './lib/args.js';
import { cpuSeconds, cpuSecondsOfCommand, memoryOf, mib } from './lib/measure.js';
import { spawnWorker } from './lib/worker-process.js';

/** Target from issue 4: sustained events/s through the whole pipeline on this 2-core machine. */
const TARGET_EVENTS_PER_SECOND = 20_000;
/** Lines sent per mode: long enough for a steady state of tens of seconds. */
const DEFAULT_LINES = 300_000;
/** Concurrent sender connections (decky services each hold their own). */
const DEFAULT_CONNECTIONS = 4;
/** How often the row counter and worker memory are sampled. */
const SAMPLE_MS = 250;
/** Give up when no row was committed for this long. */
const STALL_MS = 60_000;

const ROOT = WORKSPACE_ROOT;
const LINES = Number(argValue('--lines') ?? DEFAULT_LINES);
const CONNECTIONS = Number(argValue('--connections') ?? DEFAULT_CONNECTIONS);
const BATCH = argValue('--batch');
const ACK = argValue('--ack') ?? 'both';
const NODE_FLAGS = (argValue('--node-flags') ?? '').split(' ').filter(Boolean);
if (!['both', 'receive', 'commit'].includes(ACK)) throw new Error(`--ack must be receive, commit or both, got ${ACK}`);
const MODES: readonly ('receive' | 'commit')[] = ACK === 'both' ? ['receive', 'commit'] : [ACK as 'receive' | 'commit'];

interface Memory {
  rssMaxMiB: number;
  rssAvgMiB: number;
  pssMaxMiB: number;
  /** CPU time (user + system) the process spent per event during the run: comparable across loads. */
  cpuUsPerEvent: number;
}

interface Result {
  ack: string;
  lines: number;
  connections: number;
  /** Lines over the time the sender took to hand them all to the collector's sockets. */
  sendPerSecond: number;
  /** Lines over first byte sent to last row committed: the pipeline's sustained rate. */
  endToEndPerSecond: number;
  /** Rows found in `logs` (must equal lines). */
  rows: number;
  seconds: number;
  collector: Memory;
  ingester: Memory;
  /** CPU µs per event of the rest of the pipeline: the Kafka broker (java) and all Postgres processes. */
  kafkaCpuUsPerEvent: number;
  postgresCpuUsPerEvent: number;
  /** CPU µs per event of this process: the syslog sender (a decky's job) shares the same cores. */
  senderCpuUsPerEvent: number;
}

const log = (text: string): void => {
  if (!asJson) process.stderr.write(`${text}\n`);
};

class MemorySampler {
  private samples: { rss: number; pss: number }[] = [];
  private cpuAtStart = 0;
  private cpuAtEnd = 0;
  constructor(private readonly pid: number) {}
  sample(): void {
    const m = memoryOf(this.pid);
    if (m.rss > 0) this.samples.push(m);
  }
  markStart(): void {
    this.cpuAtStart = cpuSeconds(this.pid);
  }
  markEnd(): void {
    this.cpuAtEnd = cpuSeconds(this.pid);
  }
  summary(events: number): Memory {
    const rss = this.samples.map((s) => s.rss);
    return {
      rssMaxMiB: mib(Math.max(0, ...rss)),
      rssAvgMiB: mib(rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length)),
      pssMaxMiB: mib(Math.max(0, ...this.samples.map((s) => s.pss))),
      cpuUsPerEvent: Math.round(((this.cpuAtEnd - this.cpuAtStart) * 1e6) / Math.max(1, events)),
    };
  }
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => done(p));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((done) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        done(true);
      });
      s.once('error', () => done(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`collector did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Octet-counted frames for lines [from, to): a realistic auth-attempt mix, distinct per line. */
function frames(from: number, to: number): Buffer {
  const parts: Uint8Array[] = [];
  for (let i = from; i < to; i++) {
    const ip = `198.51.${(i >> 8) & 255}.${i & 255}`;
    const line =
      i % 4 === 0
        ? `<134>1 2026-05-02T06:00:25.453826+00:00 decky-0${i % 8} ssh - auth_attempt [relay@55555 username="root" principal="root" secret_printable="pw${i % 500}" secret_b64="${Buffer.from(`pw${i % 500}`).toString('base64')}" src_ip="${ip}" seq="${i}"]`
        : `<134>1 2026-05-02T06:00:25.453826+00:00 decky-0${i % 8} http - request [relay@55555 method="GET" path="/wp-login.php?i=${i}" remote_addr="${ip}:40838" seq="${i}"]`;
    parts.push(encodeOctetCounted(Buffer.from(line)));
  }
  return Buffer.concat(parts);
}

/** Sends `lines` frames over `connections` sockets, honouring TCP backpressure. */
async function send(port: number, lines: number, connections: number): Promise<number> {
  const started = performance.now();
  const per = Math.ceil(lines / connections);
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      const socket: Socket = await new Promise((done, fail) => {
        const s = connect({ host: '127.0.0.1', port }, () => done(s));
        s.once('error', fail);
      });
      const from = c * per;
      const to = Math.min(lines, from + per);
      for (let i = from; i < to; i += 2_000) {
        if (!socket.write(frames(i, Math.min(to, i + 2_000)))) await new Promise((r) => socket.once('drain', r));
      }
      await new Promise<void>((done) => socket.end(() => done()));
    }),
  );
  return performance.now() - started;
}

async function progress(database: Database): Promise<number> {
  const position = (await getState(database.db, 'ingest_worker_position')) as { events?: number } | undefined;
  return Number(position?.events ?? 0);
}

async function runMode(ack: 'receive' | 'commit', lines: number, brokers: string, dbUrl: string, database: Database): Promise<Result> {
  await truncateTables(database, [logs, credentials, bounty, observed_attachments, state]);
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
  const env: Record<string, string> = {
    DECNET_BUS: 'kafka',
    KAFKA_BROKERS: brokers,
    DECNET_KAFKA_PREFIX: `bench-${ack}-${process.pid}-${Date.now().toString(36)}`,
    DATABASE_URL: dbUrl,
    DECNET_HOME: home,
    DECNET_LOG_LEVEL: 'warn',
    DECNET_COLLECTOR_PORT: String(port),
    DECNET_COLLECTOR_LISTEN: 'tcp',
    DECNET_INGESTER_ACK: ack,
    ...(BATCH ? { DECNET_INGESTER_BATCH_SIZE: BATCH } : {}),
  };
  const collector = spawnWorker('dist/workers/collector/main.js', { ...env, DECNET_INSTANCE_ID: 'bench-collector' }, NODE_FLAGS);
  const ingester = spawnWorker('dist/workers/ingester/main.js', { ...env, DECNET_INSTANCE_ID: 'bench-ingester' }, NODE_FLAGS);
  const memC = new MemorySampler(collector.pid as number);
  const memI = new MemorySampler(ingester.pid as number);
  try {
    await waitForPort(port, 30_000);
    // Let the ingester join its group so the measurement is not its start-up.
    await new Promise((r) => setTimeout(r, 3_000));
    log(`[${ack}] sending ${lines} lines over ${CONNECTIONS} connections...`);
    const sampler = setInterval(() => {
      memC.sample();
      memI.sample();
    }, SAMPLE_MS);
    memC.markStart();
    memI.markStart();
    const kafkaCpuAtStart = cpuSecondsOfCommand('java');
    const postgresCpuAtStart = cpuSecondsOfCommand('postgres');
    const senderCpuAtStart = process.cpuUsage();
    const started = performance.now();
    const sending = send(port, lines, CONNECTIONS);
    let sendMs = 0;
    void sending.then((ms) => (sendMs = ms));
    let done = 0;
    let lastChange = performance.now();
    while (done < lines) {
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
      const now = await progress(database);
      if (now !== done) lastChange = performance.now();
      done = now;
      if (performance.now() - lastChange > STALL_MS) throw new Error(`stalled at ${done}/${lines} rows`);
    }
    const ms = performance.now() - started;
    memC.markEnd();
    memI.markEnd();
    const perEvent = (seconds: number): number => Math.round((seconds * 1e6) / lines);
    const kafkaCpuUsPerEvent = perEvent(cpuSecondsOfCommand('java') - kafkaCpuAtStart);
    const postgresCpuUsPerEvent = perEvent(cpuSecondsOfCommand('postgres') - postgresCpuAtStart);
    const senderCpu = process.cpuUsage(senderCpuAtStart);
    const senderCpuUsPerEvent = perEvent((senderCpu.user + senderCpu.system) / 1e6);
    await sending;
    clearInterval(sampler);
    const rows = await countRows(database, logs);
    return {
      ack,
      lines,
      connections: CONNECTIONS,
      sendPerSecond: Math.round(lines / (sendMs / 1000)),
      endToEndPerSecond: Math.round(lines / (ms / 1000)),
      rows,
      seconds: Math.round(ms / 100) / 10,
      collector: memC.summary(lines),
      ingester: memI.summary(lines),
      kafkaCpuUsPerEvent,
      postgresCpuUsPerEvent,
      senderCpuUsPerEvent,
    };
  } finally {
    collector.kill('SIGTERM');
    ingester.kill('SIGTERM');
    await Promise.all([collector, ingester].map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    rmSync(home, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  log('bundling worker-collector and worker-ingester...');
  execFileSync(process.execPath, ['tools/bundle/bundle.mjs', '--quiet', 'worker-collector', 'worker-ingester'], { cwd: ROOT, stdio: 'inherit' });
  let broker: KafkaBroker | undefined;
  let brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    log('starting a local Kafka...');
    const { startKafka } = await import('@decnet/tool-kafka');
    broker = await startKafka({});
    brokers = broker.brokers.join(',');
  }
  const scratch = await createScratchDatabase();
  const database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 2 });
  const results: Result[] = [];
  try {
    await migrate(database.db, silentLogger);
    for (const mode of MODES) results.push(await runMode(mode, LINES, brokers, scratch.url, database));
  } finally {
    await database.close();
    await scratch.drop();
    await broker?.stop();
  }
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ target: TARGET_EVENTS_PER_SECOND, machine, results }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`machine: ${machine.cpus} × ${machine.model}, load ${machine.loadavg1}; target ${TARGET_EVENTS_PER_SECOND} events/s\n`);
  process.stdout.write('ack      lines    send/s   end-to-end/s  rows     s      collector RSS max/avg (PSS), CPU/event      ingester RSS max/avg (PSS), CPU/event       kafka CPU/event  postgres CPU/event  sender CPU/event\n');
  for (const r of results) {
    const mem = (m: Memory) => `${m.rssMaxMiB}/${m.rssAvgMiB} MiB (${m.pssMaxMiB}), ${m.cpuUsPerEvent} µs`.padEnd(42);
    process.stdout.write(
      `${r.ack.padEnd(8)} ${String(r.lines).padEnd(8)} ${String(r.sendPerSecond).padEnd(8)} ${String(r.endToEndPerSecond).padEnd(13)} ${String(r.rows).padEnd(8)} ${String(r.seconds).padEnd(6)} ${mem(r.collector)} ${mem(r.ingester)} ${`${r.kafkaCpuUsPerEvent} µs`.padEnd(16)} ${`${r.postgresCpuUsPerEvent} µs`.padEnd(18)} ${r.senderCpuUsPerEvent} µs\n`,
    );
  }
}

await main();
