// Benchmark of bus throughput on loopback: MemoryBus and KafkaBus, one publisher and one subscriber
// group, publish -> deliver events/s with a window of publishes in flight, plus end-to-end latency.
// Starts a local Kafka (tools/kafka) unless KAFKA_BROKERS is set.
// Run: npx tsx --conditions=@decnet/source tools/bench/kafka-bus.ts [--json] [--events N] [--window W] [--bus memory|kafka]
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { openKafkaTransport } from '@decnet/bus-kafka';
import { EVENTS as CATALOGUE, MemoryBroker, encodeEnvelope, rootPattern, createEnvelope, silentLogger, type Bus, type BusTransport, type Envelope } from '@decnet/core';
import { Kafka, logLevel } from 'kafkajs';
import { argValue, asJson } from './lib/args.js';

/** Events per run: enough for the producer's batching to reach steady state. */
const DEFAULT_EVENTS = 50_000;
/** Events in flight (published, not yet handled) at once; MemoryBus's default queue holds 1024. */
const DEFAULT_WINDOW = 1_000;
/** Target encoded envelope size, typical of `attacker.*` events. */
const TARGET_ENVELOPE_BYTES = 300;
/** Un-timed events first, so a just-started broker's JIT and both sides' connections are warm. */
const WARMUP_EVENTS = 5_000;
/** Idle round trips sampled for the unloaded latency figure. */
const IDLE_SAMPLES = 200;

const EVENTS = Number(argValue('--events') ?? DEFAULT_EVENTS);
const WINDOW = Number(argValue('--window') ?? DEFAULT_WINDOW);
/** `memory`, `kafka` or both (default). */
const ONLY = argValue('--bus');

interface Result {
  bus: string;
  events: number;
  window: number;
  envelopeBytes: number;
  /** Events over the time until the last publish resolved (for Kafka: was acknowledged). */
  publishPerSecond: number;
  /** Events over first publish to last delivery. */
  deliverPerSecond: number;
  /** Publish -> handler latency under that load. */
  loadedP50Ms: number;
  loadedP99Ms: number;
  /** One event at a time, publish -> handler. */
  idleP50Ms: number;
  idleP99Ms: number;
  duplicates: number;
}

function payloadFor(i: number, padding: string): Record<string, unknown> {
  return { attacker_ip: `198.51.${(i >> 8) & 255}.${i & 255}`, decky: 'decky-07', service: 'ssh', seq: i, sentAt: 0, pad: padding };
}

/** Padding that brings the encoded envelope to about {@link TARGET_ENVELOPE_BYTES}. */
function padding(): string {
  const probe = encodeEnvelope(createEnvelope(CATALOGUE.attackerSessionEnded.subject, payloadFor(12345, ''), {}, 'bench-publisher')).length;
  return 'x'.repeat(Math.max(0, TARGET_ENVELOPE_BYTES - probe));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const round = (n: number, digits = 0): number => Number(n.toFixed(digits));

async function measure(name: string, transport: BusTransport): Promise<Result> {
  const pad = padding();
  const publisher: Bus = transport.connect('bench-publisher');
  const subscriber: Bus = transport.connect('bench-subscriber');
  const seen = new Set<number>();
  const awaited = new Map<number, () => void>();
  let duplicates = 0;
  let latencies: number[] = [];
  const sub = subscriber.subscribe(rootPattern('attacker'), (event: Envelope) => {
    const seq = event.payload['seq'] as number;
    if (seq < 0) {
      // warm-up and idle samples
    } else if (seen.has(seq)) duplicates++;
    else seen.add(seq);
    latencies.push(performance.now() - (event.payload['sentAt'] as number));
    awaited.get(seq)?.();
    awaited.delete(seq);
  });
  await sub.ready;
  // Publishes one event and resolves when the subscriber has handled it.
  const roundTrip = async (seq: number, key: string): Promise<void> => {
    const handled = new Promise<void>((resolve) => awaited.set(seq, resolve));
    await publisher.publish(CATALOGUE.attackerSessionEnded.subject, { ...payloadFor(seq, pad), seq, sentAt: performance.now() }, { key });
    await handled;
  };

  // Warm-up (un-timed), then idle round trips.
  let warm = 0;
  const warmSlot = async (): Promise<void> => {
    while (warm < WARMUP_EVENTS) {
      const seq = -1_000_000 - warm++;
      await roundTrip(seq, `w${seq % 64}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW, WARMUP_EVENTS) }, warmSlot));
  latencies = [];
  for (let i = 0; i < IDLE_SAMPLES; i++) await roundTrip(-1 - i, `k${i}`);
  const idle = [...latencies].sort((a, b) => a - b);
  latencies = [];

  // Closed loop: WINDOW slots, each publishes, waits for delivery, repeats, so at most WINDOW
  // events are in flight and no bounded queue overflows.
  const started = performance.now();
  let next = 0;
  let lastPublishResolved = started;
  const slot = async (): Promise<void> => {
    while (next < EVENTS) {
      const i = next++;
      const handled = new Promise<void>((resolve) => awaited.set(i, resolve));
      await publisher.publish(CATALOGUE.attackerSessionEnded.subject, { ...payloadFor(i, pad), sentAt: performance.now() }, { key: `198.51.100.${i % 64}` });
      lastPublishResolved = performance.now();
      await handled;
    }
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW, EVENTS) }, slot));
  const finished = performance.now();
  const loaded = latencies.sort((a, b) => a - b);
  await sub.unsubscribe();
  return {
    bus: name,
    events: EVENTS,
    window: WINDOW,
    envelopeBytes: encodeEnvelope(createEnvelope(CATALOGUE.attackerSessionEnded.subject, payloadFor(1, pad), {}, 'bench-publisher')).length,
    publishPerSecond: round(EVENTS / ((lastPublishResolved - started) / 1000)),
    deliverPerSecond: round(EVENTS / ((finished - started) / 1000)),
    loadedP50Ms: round(percentile(loaded, 50), 2),
    loadedP99Ms: round(percentile(loaded, 99), 2),
    idleP50Ms: round(percentile(idle, 50), 2),
    idleP99Ms: round(percentile(idle, 99), 2),
    duplicates,
  };
}

/** Removes the benchmark's topics from a broker we did not start. */
async function deleteTopics(brokers: string[], prefix: string): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}

async function main(): Promise<void> {
  const results: Result[] = [];
  if (ONLY !== 'kafka') {
    const memory = new MemoryBroker();
    results.push(await measure('memory', memory));
    await memory.close();
  }
  if (ONLY === 'memory') {
    report({ results });
    return;
  }

  let kafkaStartMs: number | undefined;
  let stopKafka: (() => Promise<void>) | undefined;
  let brokers = process.env['KAFKA_BROKERS']?.split(',');
  if (!brokers) {
    const { startKafka } = await import('@decnet/tool-kafka');
    const began = performance.now();
    const broker = await startKafka({});
    kafkaStartMs = round(performance.now() - began);
    brokers = broker.brokers;
    stopKafka = () => broker.stop();
  }
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const transport = await openKafkaTransport({ brokers, prefix, instanceId: 'bench', log: silentLogger });
  try {
    results.push(await measure('kafka', transport));
  } finally {
    await transport.close();
    if (stopKafka) await stopKafka();
    else await deleteTopics(brokers, prefix);
  }

  report({ results, kafkaStartMs, brokers: brokers.join(',') });
}

function report(data: { results: Result[]; kafkaStartMs?: number | undefined; brokers?: string }): void {
  const { results, kafkaStartMs } = data;
  const full = { ...data, node: process.version, cpus: cpus().length, loadAverage: loadavg().map((n) => round(n, 2)) };
  if (!asJson) {
    const header = ['bus', 'events', 'window', 'bytes', 'publish/s', 'deliver/s', 'p50 ms', 'p99 ms', 'idle p50', 'idle p99', 'dups'];
    const rows = results.map((r) => [
      r.bus,
      r.events,
      r.window,
      r.envelopeBytes,
      r.publishPerSecond,
      r.deliverPerSecond,
      r.loadedP50Ms,
      r.loadedP99Ms,
      r.idleP50Ms,
      r.idleP99Ms,
      r.duplicates,
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
    const line = (cells: (string | number)[]): string => cells.map((c, i) => String(c).padStart(widths[i] as number)).join('  ');
    process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
    if (kafkaStartMs !== undefined) process.stdout.write(`Kafka start-up (jars present): ${kafkaStartMs} ms\n`);
  }
  process.stdout.write(`${JSON.stringify(full)}\n`);
}

await main();
