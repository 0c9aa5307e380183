// Benchmark of the webhook bundle with real parts: it runs on Kafka (a local one unless
// KAFKA_BROKERS is set) with one subscription to a receiver on 127.0.0.1; idle RSS, then E events
// (default 20,000) published and delivered (events/s, RSS under load, idle RSS after).
// Run: npx tsx --conditions=@decnet/source tools/bench/webhook.ts [--json] [--events E]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { insertWebhookSubscription, migrate, openDatabase, type Database } from '@decnet/db';
import { openKafkaTransport } from '@decnet/bus-kafka';
import { createScratchDatabase } from '@decnet/testing/postgres';
import { WORKSPACE_ROOT, argValue, asJson } from './lib/args.js';
import { memoryOf, mib } from './lib/measure.js';
import { sleep, spawnWorker, stopWorker } from './lib/worker-process.js';

/** Events pushed through the webhook by default. */
const DEFAULT_EVENTS = 20_000;
/** How often progress and memory are sampled. */
const SAMPLE_MS = 250;
/** Time a worker is left alone before its idle RSS is read. */
const SETTLE_MS = 5_000;
/** Give up when nothing moved for this long. */
const STALL_MS = 60_000;

const ROOT = WORKSPACE_ROOT;
const EVENTS = Number(argValue('--events') ?? DEFAULT_EVENTS);

const log = (text: string): void => {
  if (!asJson) process.stderr.write(`${text}\n`);
};

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
  await insertWebhookSubscription(database.pool, {
    name: 'bench',
    url: `http://127.0.0.1:${port}/hook`,
    secret: 'bench-secret-0123456789',
    patterns: ['attacker.>'],
    format: 'json',
  });
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
          bus.publish('attacker.observed', { attacker_ip: `198.51.100.${(i + k) % 250}`, decky: 'decky-01', service: 'ssh', event_type: 'login', seq: i + k }),
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
  log('bundling worker-webhook...');
  execFileSync(process.execPath, ['tools/bundle/bundle.mjs', '--quiet', 'worker-webhook'], { cwd: ROOT, stdio: 'inherit' });
  const scratch = await createScratchDatabase();
  const database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 2 });
  const home = mkdtempSync(join(tmpdir(), 'bench-webhook-'));
  let webhook: WebhookResult;
  try {
    await migrate(database.db, silentLogger);
    webhook = await benchWebhook(scratch.url, database, home);
  } finally {
    await database.close();
    await scratch.drop();
    rmSync(home, { recursive: true, force: true });
  }
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ machine, webhook }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`machine: ${machine.cpus} × ${machine.model}, load ${machine.loadavg1}\n`);
  const w = webhook;
  process.stdout.write(
    `webhook: ${w.delivered}/${w.events} events delivered in ${w.seconds} s: ${w.eventsPerSecond} events/s (publishing took ${w.publishSeconds} s, ${w.deliveredWhilePublishing} delivered by then)\n`,
  );
  process.stdout.write(`webhook RSS: idle ${w.idleRssMiB} MiB, loaded max ${w.loadedRssMaxMiB} MiB (PSS ${w.loadedPssMaxMiB}), idle after load ${w.idleAfterLoadRssMiB} MiB\n`);
}

await main();
