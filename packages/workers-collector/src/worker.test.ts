// The collector end to end on real sockets with real clients: util-linux `logger` over UDP and
// TCP (octet counting), raw newline framing, and misbehaving clients that are counted and cut
// off without costing a good client a line. Bus: MemoryBus.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EVENTS, MemoryBroker, silentLogger, type Bus, type WorkerContext } from '@decnet/core';
import { captureEvents, eventually, testConfig } from '@decnet/core/testing';
import type { LogEventPayload } from '@decnet/core';
import { encodeOctetCounted } from '@decnet/syslog';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LineCounters } from './line-processor.js';
import type { BoundPorts, NetworkCounters } from './network.js';
import type { CollectorOptions } from './options.js';
import { runCollector } from './worker.js';

const run = promisify(execFile);
const APT_HINT = 'apt-get install -y bsdutils   # provides util-linux logger';

/** util-linux `logger`; installed with apt-get when missing and running as root. */
async function ensureLogger(): Promise<void> {
  try {
    await run('logger', ['--version']);
  } catch {
    if (process.getuid?.() !== 0) throw new Error(`util-linux logger is missing; run: ${APT_HINT}`);
    await run('apt-get', ['install', '-y', 'bsdutils'], { timeout: 120_000 });
  }
}

/** The health detail fields these tests read. */
interface Detail {
  network: NetworkCounters;
  lines: LineCounters;
}

interface Running {
  readonly ports: Required<BoundPorts>;
  readonly detail: () => Partial<Detail>;
  stop(): Promise<void>;
}

let dir: string;
let broker: MemoryBroker;
beforeAll(ensureLogger, 150_000);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'collector-net-'));
  broker = new MemoryBroker();
});
afterEach(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startCollector(bus: Bus, overrides: Partial<CollectorOptions> = {}): Promise<Running> {
  const controller = new AbortController();
  let detail: Record<string, unknown> = {};
  const ctx: WorkerContext = {
    name: 'collector',
    instanceId: 'test-1',
    bus,
    config: testConfig({ DECNET_HOME: dir }),
    log: silentLogger,
    signal: controller.signal,
    progress: () => undefined,
    handled: () => undefined,
    setHealthDetail: (d) => (detail = { ...detail, ...d }),
  };
  let bound!: (p: BoundPorts) => void;
  const listening = new Promise<BoundPorts>((r) => (bound = r));
  const running = runCollector(ctx, { port: 0, rlWindowSec: 0, ...overrides }, { onListening: bound });
  const ports = await Promise.race([listening, running.then(() => Promise.reject(new Error('collector returned')))]);
  return {
    ports: ports as Required<BoundPorts>,
    detail: () => detail as Partial<Detail>,
    stop: async () => {
      controller.abort();
      await running;
    },
  };
}

const logger = (args: string[]) => run('logger', ['--rfc5424=notq', '-n', '127.0.0.1', ...args]);
const line = (n: number) => `<134>1 2026-05-02T06:00:25Z decky-01 http - request [relay@55555 src_ip="10.0.0.1" seq="${n}"]`;
const seqOf = (p: unknown) => (p as LogEventPayload).fields.seq;

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port }, () => resolve(s));
    s.once('error', reject);
  });
}

function closed(s: Socket): Promise<void> {
  return new Promise((r) => (s.destroyed ? r() : s.once('close', () => r())));
}

describe('real syslog clients reach the bus as log.event.* events', () => {
  it('accepts `logger --rfc5424` over UDP', async () => {
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const c = await startCollector(broker.connect('collector'));
    await logger(['-d', '-P', String(c.ports.udp), '-t', 'ssh', '--msgid', 'auth_attempt', '--sd-id', 'relay@55555',
      '--sd-param', 'src_ip="203.0.113.9"', '--sd-param', 'principal="ro\\]ot"', 'hello over udp']);
    const [event] = await seen.waitFor(1);
    await c.stop();
    expect(event?.topic).toBe(EVENTS.logEvent.subject('ssh'));
    expect(event?.payload).toMatchObject({
      service: 'ssh',
      event_type: 'auth_attempt',
      attacker_ip: '203.0.113.9',
      fields: { src_ip: '203.0.113.9', principal: 'ro]ot' },
      msg: 'hello over udp',
      source: 'udp',
    });
  });

  it('accepts 200 lines from `logger --octet-count -T` in order, each with its own id', async () => {
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const c = await startCollector(broker.connect('collector'));
    const file = join(dir, 'lines.txt');
    writeFileSync(file, Array.from({ length: 200 }, (_, i) => `attempt ${i} src_ip=198.51.100.${i % 200}`).join('\n') + '\n');
    await logger(['--octet-count', '-T', '-P', String(c.ports.tcp), '-t', 'ftp', '--msgid', 'auth_attempt', '-f', file]);
    const events = await seen.waitFor(200);
    await c.stop();
    expect(events.map((e) => (e.payload as LogEventPayload).msg)).toEqual(
      Array.from({ length: 200 }, (_, i) => `attempt ${i} src_ip=198.51.100.${i % 200}`),
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(200);
    expect(events[7]?.payload).toMatchObject({ attacker_ip: '198.51.100.7', source: 'tcp' });
  });

  it('accepts newline-framed TCP and the last unterminated line at close', async () => {
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const c = await startCollector(broker.connect('collector'));
    const s = await open(c.ports.tcp);
    s.end(`${line(1)}\n${line(2)}\r\n${line(3)}`);
    const events = await seen.waitFor(3);
    await c.stop();
    expect(events.map((e) => seqOf(e.payload))).toEqual(['1', '2', '3']);
  });
});

describe('bad clients are counted and cut off; good clients lose nothing', () => {
  it('closes a client whose framing is lost while another client keeps sending', async () => {
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const c = await startCollector(broker.connect('collector'));
    const good = await open(c.ports.tcp);
    const bad = await open(c.ports.tcp);
    for (let i = 0; i < 50; i++) good.write(Buffer.from(encodeOctetCounted(new TextEncoder().encode(line(i)))));
    bad.write(`${line(1000)}\n`);
    bad.write('99999999999 this prefix has eleven digits');
    await closed(bad);
    for (let i = 50; i < 100; i++) good.write(`${line(i)}\n`);
    good.end();
    const events = await seen.waitFor(101);
    await eventually(() => c.detail().network?.tcpFramingLost === 1);
    await c.stop();
    expect(events.filter((e) => Number(seqOf(e.payload)) < 1000).map((e) => Number(seqOf(e.payload)))).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
    expect(c.detail().network?.framingErrors).toEqual({ bad_length: 1 });
  });

  it('counts malformed lines, invalid UTF-8 and over-cap frames, and keeps the good lines', async () => {
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const c = await startCollector(broker.connect('collector'), { maxLineBytes: 1024 });
    const s = await open(c.ports.tcp);
    s.write('not syslog at all\n');
    s.write(Buffer.concat([Buffer.from('<134>1 2026-05-02T06:00:25Z d1 ssh - login - pw='), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]));
    s.write(`<134>1 2026-05-02T06:00:25Z d1 ssh - login - ${'x'.repeat(2000)}\n`);
    s.end(`${line(1)}\n`);
    await seen.waitFor(2);
    await eventually(() => c.detail().lines?.lines === 3 && c.detail().network?.framingErrors?.frame_too_large === 1);
    await c.stop();
    expect(c.detail().lines).toMatchObject({ malformed: 1, invalidUtf8: 1, accepted: 2, malformedByCode: { missing_pri: 1 } });
    expect(seen.events.map((e) => (e.payload as LogEventPayload).invalid_utf8)).toEqual([true, false]);
  });

  it('disconnects a client that stalls mid-frame after the idle timeout', async () => {
    const c = await startCollector(broker.connect('collector'), { idleTimeoutSec: 1 });
    const s = await open(c.ports.tcp);
    s.write('120 <134>1 2026-05-02T06:00:25Z d1 ssh - login - half a fr');
    await closed(s);
    await eventually(() => c.detail().network?.tcpIdleClosed === 1, 5_000);
    await c.stop();
  });

  it('refuses connections beyond the cap and serves the others', async () => {
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const c = await startCollector(broker.connect('collector'), { maxConnections: 2 });
    const a = await open(c.ports.tcp);
    const b = await open(c.ports.tcp);
    const extra = await open(c.ports.tcp);
    await closed(extra);
    a.end(`${line(1)}\n`);
    b.end(`${line(2)}\n`);
    await seen.waitFor(2);
    await eventually(() => c.detail().network?.tcpRejected === 1);
    await c.stop();
  });

  it('drops noise apps and rate-limits repeated connects', async () => {
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const c = await startCollector(broker.connect('collector'), { rlWindowSec: 60 });
    const s = await open(c.ports.tcp);
    s.write('<38>1 2026-04-27T03:08:48+00:00 gw sshd 940 - - Failed password for root from 157.66.144.16 port 42772 ssh2\n');
    for (let i = 0; i < 5; i++) s.write('<134>1 2026-05-02T06:00:25Z d1 smtp - connect [relay@55555 src="9.9.9.9" src_port="1234"]\n');
    s.end(`${line(1)}\n`);
    await seen.waitFor(2);
    await eventually(() => c.detail().lines?.lines === 7);
    await c.stop();
    expect(seen.events.map((e) => e.topic)).toEqual([EVENTS.logEvent.subject('smtp'), EVENTS.logEvent.subject('http')]);
    expect(c.detail().lines).toMatchObject({ filteredNoise: 1, rateLimited: 4 });
  });
});
