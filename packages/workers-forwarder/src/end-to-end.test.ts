// End to end with the real bundles: `forwarder` (tailing a rotating file) → mutual TLS →
// `listener` → Kafka, while each side is killed with SIGKILL mid-stream and restarted.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Test files may read Kafka directly (workers themselves only see core's Bus).
import { openKafkaTransport } from '@decnet/bus-kafka';
import { EVENTS, silentLogger, type BusTransport, type Envelope } from '@decnet/core';
import { eventually } from '@decnet/core/testing';
import { makeTestPki, type TestPki } from '@decnet/pki/testing';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Lines written, BATCH every 20 ms, rotating the file half way. */
const TOTAL_LINES = 6000;
const BATCH = 100;

let pki: TestPki;
let dir: string;
let transport: BusTransport;
const children = new Set<ChildProcess>();
/** Every line the bundles logged, printed when the test fails. */
const logs: string[] = [];

beforeAll(() => {
  execFileSync(process.execPath, ['tools/bundle/bundle.mjs', '--quiet', 'worker-listener', 'worker-forwarder'], { cwd: ROOT, stdio: 'inherit' });
  pki = makeTestPki();
  dir = mkdtempSync(join(tmpdir(), 'decnet-fwd-e2e-'));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await transport?.close();
  pki?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts a worker bundle; resolves once its log shows `ready` (or at once when not given). */
async function startBundle(name: string, env: Record<string, string>, ready?: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/workers', name, 'main.js')], {
    env: { PATH: process.env.PATH ?? '', DECNET_LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'info', DECNET_HEALTH_INTERVAL_MS: '1000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let output = '';
  const record = (d: Buffer): void => {
    output += d.toString();
    logs.push(`[${name} ${child.pid}] ${d.toString().trimEnd()}`);
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  if (ready) await eventually(() => ready.test(output), 30_000, 20).catch(() => {
    throw new Error(`${name} did not become ready:\n${output.slice(-2000)}`);
  });
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

const line = (n: number): string =>
  `<134>1 2026-05-02T06:00:00.${String(n).padStart(6, '0')}Z decky-07 ssh - login [relay@55555 src_ip="198.51.100.${n % 250}" n="${n}"]`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('forwarder to listener: restarts of either side lose nothing and duplicate nothing', () => {
  it('delivers every line of a rotating file exactly once by event id across SIGKILLs of both bundles', async () => {
    const brokers = process.env.KAFKA_BROKERS as string;
    const prefix = `fwde2e${Date.now().toString(36)}`;
    transport = await openKafkaTransport({ brokers: brokers.split(','), prefix, instanceId: 'e2e-test', log: silentLogger });
    const events: Envelope[] = [];
    const ids = new Set<string>();
    const sub = transport.connect('e2e-test').subscribe(
      EVENTS.logEvent.pattern,
      (e) => {
        events.push(e);
        ids.add(e.id);
      },
      { group: `${prefix}-check`, fromBeginning: true },
    );
    await sub.ready;

    const port = await freePort();
    const file = join(dir, 'agent.log');
    appendFileSync(file, '');
    const listenerEnv = {
      DECNET_BUS: 'kafka',
      KAFKA_BROKERS: brokers,
      DECNET_KAFKA_PREFIX: prefix,
      DECNET_HOME: join(dir, 'master'),
      DECNET_INSTANCE_ID: 'listener-e2e',
      DECNET_LISTENER_PORT: String(port),
      DECNET_LISTENER_CERT: pki.listener.cert,
      DECNET_LISTENER_KEY: pki.listener.key,
      DECNET_LISTENER_CA: pki.ca.cert,
    };
    const forwarderEnv = {
      DECNET_BUS: 'none',
      DECNET_HOME: join(dir, 'agent'),
      DECNET_INSTANCE_ID: 'forwarder-e2e',
      DECNET_FORWARDER_FILE: file,
      DECNET_FORWARDER_TARGET: `127.0.0.1:${port}`,
      DECNET_FORWARDER_CERT: pki.agent.cert,
      DECNET_FORWARDER_KEY: pki.agent.key,
      DECNET_FORWARDER_CA: pki.ca.cert,
      DECNET_FORWARDER_POLL_MS: '20',
      DECNET_FORWARDER_RECONNECT_MIN_MS: '100',
      DECNET_FORWARDER_RECONNECT_MAX_MS: '800',
    };
    const listenerReady = /listener ready/;
    let listener = await startBundle('listener', listenerEnv, listenerReady);
    let forwarder = await startBundle('forwarder', forwarderEnv);

    // The writer appends BATCH lines every 20 ms; the chaos runs alongside.
    let written = 0;
    const writer = (async () => {
      while (written < TOTAL_LINES) {
        const batch: string[] = [];
        for (let i = 0; i < BATCH && written < TOTAL_LINES; i++) batch.push(line(++written));
        appendFileSync(file, batch.join('\n') + '\n');
        if (written === TOTAL_LINES / 2) {
          renameSync(file, `${file}.1`);
          appendFileSync(`${file}.1`, `${line(++written)}\n`);
        }
        await sleep(20);
      }
    })();
    // Chaos keyed to what has arrived, so every kill lands while lines are in flight.
    const distinct = (): number => ids.size;
    const atDelivered = (fraction: number): Promise<void> => eventually(() => distinct() >= TOTAL_LINES * fraction, 60_000, 5);

    await atDelivered(0.15);
    await kill(forwarder, 'SIGKILL');
    await sleep(150);
    forwarder = await startBundle('forwarder', forwarderEnv);
    await atDelivered(0.35);
    await kill(listener, 'SIGKILL');
    await sleep(300);
    listener = await startBundle('listener', listenerEnv, listenerReady);
    await atDelivered(0.6);
    await kill(forwarder, 'SIGKILL');
    forwarder = await startBundle('forwarder', forwarderEnv);
    await atDelivered(0.8);
    await kill(listener, 'SIGTERM');
    listener = await startBundle('listener', listenerEnv, listenerReady);
    await writer;

    await eventually(() => distinct() >= TOTAL_LINES, 60_000, 100).catch(() => {
      process.stderr.write(logs.join('\n').slice(process.env.E2E_FULL_LOGS ? 0 : -20_000) + '\n');
      throw new Error(`only ${distinct()} of ${TOTAL_LINES} distinct events arrived (${events.length} published)`);
    });
    await sleep(500);

    const idByLine = new Map<string, Set<string>>();
    const lineById = new Map<string, Set<string>>();
    for (const e of events) {
      const raw = String(e.payload.raw_line);
      (idByLine.get(raw) ?? idByLine.set(raw, new Set()).get(raw))?.add(e.id);
      (lineById.get(e.id) ?? lineById.set(e.id, new Set()).get(e.id))?.add(raw);
    }
    const expected = Array.from({ length: TOTAL_LINES }, (_, i) => line(i + 1));
    expect([...idByLine.keys()].sort()).toEqual(expected.sort());
    expect([...idByLine.values()].every((ids) => ids.size === 1)).toBe(true);
    expect([...lineById.values()].every((lines) => lines.size === 1)).toBe(true);
    expect(distinct()).toBe(TOTAL_LINES);
    expect(new Set(events.map((e) => e.payload.source_worker))).toEqual(new Set(['agent-01']));
    expect(new Set(events.map((e) => e.payload.decky))).toEqual(new Set(['decky-07']));
    console.log(`end-to-end: ${TOTAL_LINES} lines, ${events.length} events published, ${events.length - TOTAL_LINES} duplicates (all with equal ids)`);

    await kill(forwarder, 'SIGTERM');
    await kill(listener, 'SIGTERM');
    if (process.env.E2E_FULL_LOGS) process.stderr.write(logs.join('\n') + '\n');
  });
});
