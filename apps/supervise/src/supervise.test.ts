// End to end on the real Kafka broker and Postgres: `dist/supervise/main.js fixtures` hosts
// both fixture workers in one process; faults and control reach one worker only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKafkaTransport } from '@decnet/bus-kafka';
import { EVENTS, controlMessage, healthPayloadSchema, silentLogger, type Bus, type BusTransport, type HealthPayload } from '@decnet/core';
import { eventually } from '@decnet/core/testing';

const ROOT = resolve(import.meta.dirname, '../../..');
const PREFIX = `sup${Date.now().toString(36)}`;

let transport: BusTransport;
let bus: Bus;
let child: ChildProcess;
let childExit: Promise<{ code: number | null; ms: number }>;
const pongs = new Map<string, Set<number>>();
const health = new Map<string, HealthPayload>();
let seq = 0;

function env(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DECNET_BUS: 'kafka',
    DECNET_KAFKA_PREFIX: PREFIX,
    DATABASE_URL: process.env.DECNET_TEST_DATABASE_URL,
    DECNET_HEALTH_INTERVAL_MS: '500',
    DECNET_INSTANCE_ID: 'sup-test',
    DECNET_LOG_LEVEL: 'warn',
  };
}

/** Pings until answered: a worker's subscription may still be joining its group. */
async function ping(worker: string, timeoutMs = 15_000): Promise<void> {
  const n = ++seq;
  const end = Date.now() + timeoutMs;
  while (!(pongs.get(worker)?.has(n) ?? false)) {
    if (Date.now() > end) throw new Error(`no pong from ${worker} for ping ${n} within ${timeoutMs} ms`);
    await bus.publish(EVENTS.fixturePing.subject(worker), { seq: n });
    await eventually(() => pongs.get(worker)?.has(n) ?? false, 2_000, 20).catch(() => undefined);
  }
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/supervise/main.js'))) {
    execFileSync(process.execPath, ['tools/bundle/bundle.mjs', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
  }
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  transport = await openKafkaTransport({ brokers, prefix: PREFIX, instanceId: 'sup-probe', log: silentLogger });
  bus = transport.connect('probe');
  const subs = [
    bus.subscribe(
      EVENTS.fixturePong.pattern,
      (e) => {
        const worker = e.topic.split('.')[1] as string;
        if (!pongs.has(worker)) pongs.set(worker, new Set());
        pongs.get(worker)?.add(e.payload.seq as number);
      },
      { broadcast: true },
    ),
    bus.subscribe(
      EVENTS.health.pattern,
      (e) => {
        const p = healthPayloadSchema.safeParse(e.payload);
        if (p.success) health.set(p.data.worker, p.data);
      },
      { broadcast: true },
    ),
  ];
  await Promise.all(subs.map((s) => s.ready));
  const started = Date.now();
  child = spawn(process.execPath, ['dist/supervise/main.js', 'fixtures'], { cwd: ROOT, env: env(), stdio: ['ignore', 'inherit', 'inherit'] });
  childExit = new Promise((done) => child.once('exit', (code) => done({ code, ms: Date.now() - started })));
  await eventually(() => health.has('fixture') && health.has('fixture-db'), 60_000, 50);
  await ping('fixture', 60_000);
  await ping('fixture-db', 60_000);
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await transport?.close();
});

describe('a supervised group isolates failures and control to one worker', () => {
  it.each(['uncaught', 'rejection', 'throw'] as const)(
    'restarts only the worker whose code raised a %s fault while its sibling keeps answering',
    async (mode) => {
      const before = health.get('fixture')?.restarts ?? 0;
      const siblingBefore = health.get('fixture-db')?.restarts ?? 0;
      await bus.publish(EVENTS.fixtureFault.subject('fixture'), { mode });
      for (let i = 0; i < 5; i++) await ping('fixture-db');
      await eventually(() => (health.get('fixture')?.restarts ?? 0) > before && health.get('fixture')?.state === 'running', 20_000, 50);
      await ping('fixture');
      expect(health.get('fixture-db')?.restarts).toBe(siblingBefore);
      expect(child.exitCode).toBeNull();
    },
  );

  it('stops, starts and restarts one worker on system.<name>.control', async () => {
    await bus.publish(EVENTS.control.subject('fixture'), controlMessage('stop', 'test'));
    await eventually(() => health.get('fixture')?.state === 'stopped', 10_000, 50);
    await ping('fixture-db');
    const n = ++seq;
    await bus.publish(EVENTS.fixturePing.subject('fixture'), { seq: n });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(pongs.get('fixture')?.has(n)).toBe(false);

    await bus.publish(EVENTS.control.subject('fixture'), controlMessage('start', 'test'));
    await eventually(() => health.get('fixture')?.state === 'running', 10_000, 50);
    await ping('fixture');

    const handledBefore = health.get('fixture-db')?.eventsHandled ?? 0;
    await bus.publish(EVENTS.control.subject('fixture'), controlMessage('restart', 'test'));
    await ping('fixture');
    await ping('fixture-db');
    expect(health.get('fixture-db')?.eventsHandled ?? 0).toBeGreaterThanOrEqual(handledBefore);
  });

  it('ignores an unknown control action and a malformed control message', async () => {
    await bus.publish(EVENTS.control.subject('fixture'), { action: 'self-destruct', ts: Date.now() / 1000 });
    await bus.publish(EVENTS.control.subject('fixture'), { nothing: 'here' });
    await ping('fixture');
    expect(health.get('fixture')?.state).toBe('running');
  });

  it('stops everything on SIGTERM within the deadline and exits 0', async () => {
    const t0 = Date.now();
    child.kill('SIGTERM');
    const { code } = await childExit;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(16_000);
  });
});
