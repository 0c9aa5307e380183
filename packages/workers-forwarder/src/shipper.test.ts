import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EVENTS, MemoryBroker, silentLogger, type Envelope } from '@decnet/core';
import { WorkerRunner } from '@decnet/host';
import { captureEvents, eventually, testConfig } from '@decnet/core/testing';
import { LINK_ALPN, decodeLinkMessage, encodeAckFrame, type CertPaths } from '@decnet/pki';
import { makeTestPki, type TestPki } from '@decnet/pki/testing';
import { createOctetCountingDecoder } from '@decnet/syslog';
import { createForwarderWorker } from './index.js';

interface Received {
  stream: string;
  offset: number;
  line: string;
  connection: number;
}

/** A stand-in listener speaking the acknowledged link, with acks under the test's control. */
class FakeListener {
  readonly received: Received[] = [];
  connections = 0;
  private sockets: { socket: tls.TLSSocket; frames: number; acked: number }[] = [];
  private server: tls.Server;

  constructor(
    cert: CertPaths,
    ca: string,
    public mode: 'auto' | 'manual',
    alpn = true,
  ) {
    this.server = tls.createServer({
      cert: readFileSync(cert.cert),
      key: readFileSync(cert.key),
      ca: readFileSync(ca),
      requestCert: true,
      rejectUnauthorized: true,
      ...(alpn ? { ALPNProtocols: [LINK_ALPN] } : {}),
    });
    this.server.on('secureConnection', (socket) => {
      const connection = ++this.connections;
      const entry = { socket, frames: 0, acked: 0 };
      this.sockets.push(entry);
      const decoder = createOctetCountingDecoder();
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        for (const event of decoder.push(chunk)) {
          if (event.type !== 'frame') continue;
          const msg = decodeLinkMessage(event.bytes);
          if (msg.type !== 'line') continue;
          entry.frames++;
          this.received.push({ stream: msg.stream, offset: msg.offset, line: Buffer.from(msg.line).toString(), connection });
        }
        if (this.mode === 'auto') this.ack();
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  /** Acknowledges up to `count` frames (default: all) on the newest connection. */
  ack(count?: number): void {
    const entry = this.sockets.at(-1);
    if (!entry || entry.socket.destroyed) return;
    const n = Math.min(count ?? entry.frames, entry.frames);
    if (n <= entry.acked) return;
    entry.acked = n;
    entry.socket.write(encodeAckFrame(n));
  }

  /** Cuts every connection. */
  drop(): void {
    for (const { socket } of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.drop();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

let pki: TestPki;
let dir: string;
let file: string;
let stateFile: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'decnet-fwd-'));
  file = join(dir, 'agent.log');
  stateFile = join(dir, 'state.json');
});
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  rmSync(dir, { recursive: true, force: true });
});

async function fake(mode: 'auto' | 'manual', cert: CertPaths = pki.listener, alpn = true): Promise<{ listener: FakeListener; port: number }> {
  const listener = new FakeListener(cert, pki.ca.cert, mode, alpn);
  const port = await listener.listen();
  cleanups.push(() => listener.close());
  return { listener, port };
}

function forwarder(port: number, env: Record<string, string> = {}): { runner: WorkerRunner; health: Envelope[] } {
  const broker = new MemoryBroker();
  const runner = new WorkerRunner({
    spec: createForwarderWorker({
      env: {
        DECNET_FORWARDER_FILE: file,
        DECNET_FORWARDER_TARGET: `127.0.0.1:${port}`,
        DECNET_FORWARDER_CERT: pki.agent.cert,
        DECNET_FORWARDER_KEY: pki.agent.key,
        DECNET_FORWARDER_CA: pki.ca.cert,
        DECNET_FORWARDER_STATE_FILE: stateFile,
        DECNET_FORWARDER_POLL_MS: '20',
        DECNET_FORWARDER_RECONNECT_MIN_MS: '50',
        DECNET_FORWARDER_RECONNECT_MAX_MS: '200',
        ...env,
      },
    }),
    bus: broker.connect('forwarder'),
    config: testConfig({ DECNET_HEALTH_INTERVAL_MS: '100' }),
    log: silentLogger,
    control: false,
  });
  const health = captureEvents(broker.connect('t'), EVENTS.health.subject('forwarder')).events;
  runner.start();
  cleanups.push(async () => {
    await runner.close();
    await broker.close();
  });
  return { runner, health };
}

const savedOffset = (): number | null =>
  existsSync(stateFile) ? ((JSON.parse(readFileSync(stateFile, 'utf8')) as { generations: { offset: number }[] }).generations[0]?.offset ?? null) : null;
const detail = (health: Envelope[]): Record<string, unknown> => (health.at(-1)?.payload.detail as Record<string, unknown>) ?? {};
const lines = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => `<134>1 2026-05-02T06:00:00Z d s - e - line ${from + i}\n`).join('');

describe('the forwarder advances its saved position only on acknowledgement', () => {
  it('ships every line with its offset, and saves the end of the last acknowledged line', async () => {
    const { listener, port } = await fake('manual');
    writeFileSync(file, lines(1, 5));
    forwarder(port);
    await eventually(() => listener.received.length === 5);
    expect(listener.received.map((r) => r.line)).toEqual(lines(1, 5).trimEnd().split('\n'));
    expect(listener.received[1]?.offset).toBe(lines(1, 1).length);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(savedOffset()).toBe(0);
    listener.ack(3);
    await eventually(() => savedOffset() === lines(1, 3).length);
    listener.ack();
    await eventually(() => savedOffset() === lines(1, 5).length);
  });

  it('resends what was not acknowledged, with the same stream and offsets, after the link drops', async () => {
    const { listener, port } = await fake('manual');
    writeFileSync(file, lines(1, 4));
    forwarder(port);
    await eventually(() => listener.received.length === 4);
    listener.ack(2);
    await eventually(() => savedOffset() === lines(1, 2).length);
    listener.drop();
    await eventually(() => listener.connections === 2 && listener.received.length === 6);
    const resent = listener.received.filter((r) => r.connection === 2);
    const original = listener.received.filter((r) => r.connection === 1).slice(2);
    expect(resent).toEqual(original.map((r) => ({ ...r, connection: 2 })));
    appendFileSync(file, lines(5, 5));
    await eventually(() => listener.received.length === 7);
    listener.ack();
    await eventually(() => savedOffset() === lines(1, 5).length);
  });

  it('after a restart resumes after the acknowledged position, resending only the unacknowledged lines', async () => {
    const { listener, port } = await fake('manual');
    writeFileSync(file, lines(1, 6));
    const first = forwarder(port);
    await eventually(() => listener.received.length === 6);
    listener.ack(4);
    await eventually(() => savedOffset() === lines(1, 4).length);
    await first.runner.close();
    forwarder(port);
    await eventually(() => listener.received.length === 8);
    expect(listener.received.slice(6).map((r) => r.line)).toEqual(['<134>1 2026-05-02T06:00:00Z d s - e - line 5', '<134>1 2026-05-02T06:00:00Z d s - e - line 6']);
    expect(listener.received.slice(6).map((r) => r.offset)).toEqual(listener.received.slice(4, 6).map((r) => r.offset));
  });

  it('follows a rename rotation: the rest of the old file, then the new one from offset 0', async () => {
    const { listener, port } = await fake('auto');
    writeFileSync(file, lines(1, 3));
    forwarder(port);
    await eventually(() => listener.received.length === 3);
    renameSync(file, `${file}.1`);
    appendFileSync(`${file}.1`, lines(4, 4));
    writeFileSync(file, lines(5, 6));
    await eventually(() => listener.received.length === 6, 10_000);
    expect(listener.received.map((r) => r.line.slice(-6))).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    expect(listener.received[4]?.offset).toBe(0);
    await eventually(() => savedOffset() === lines(5, 6).length);
  });

  it('after two rotations and a restart with nothing acknowledged, still delivers every generation in order', async () => {
    const { listener, port } = await fake('manual');
    writeFileSync(file, lines(1, 2));
    const first = forwarder(port);
    await eventually(() => listener.received.length === 2);
    renameSync(file, `${file}.1`);
    writeFileSync(file, lines(3, 4));
    await eventually(() => listener.received.length === 4, 10_000);
    renameSync(`${file}.1`, `${file}.2`);
    renameSync(file, `${file}.1`);
    writeFileSync(file, lines(5, 6));
    await eventually(() => listener.received.length === 6, 10_000);
    await eventually(() => (JSON.parse(readFileSync(stateFile, 'utf8')) as { generations: unknown[] }).generations.length === 3);
    await first.runner.close();
    listener.mode = 'auto';
    forwarder(port);
    await eventually(() => listener.received.filter((r) => r.connection === 2).length === 6, 10_000);
    expect(listener.received.filter((r) => r.connection === 2).map((r) => r.line.slice(-6))).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    await eventually(() => savedOffset() === lines(5, 6).length);
  });

  it('reconnects when acknowledgements stop coming', async () => {
    const { listener, port } = await fake('manual');
    writeFileSync(file, lines(1, 2));
    const { health } = forwarder(port, { DECNET_FORWARDER_ACK_TIMEOUT_SEC: '1' });
    await eventually(() => listener.connections >= 2, 10_000);
    await eventually(() => Number(detail(health).ackTimeouts) >= 1);
    expect(listener.received.filter((r) => r.connection === 2).map((r) => r.line)).toEqual(listener.received.filter((r) => r.connection === 1).map((r) => r.line));
    listener.mode = 'auto';
    await eventually(() => savedOffset() === lines(1, 2).length, 10_000);
  });

  it('keeps its window: at most DECNET_FORWARDER_WINDOW_LINES lines unacknowledged', async () => {
    const { listener, port } = await fake('manual');
    writeFileSync(file, lines(1, 30));
    forwarder(port, { DECNET_FORWARDER_WINDOW_LINES: '10' });
    await eventually(() => listener.received.length === 10);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listener.received).toHaveLength(10);
    listener.ack();
    await eventually(() => listener.received.length === 20);
  });
});

describe('the forwarder talks only to the decnet listener it expects', () => {
  it('refuses a listener whose certificate comes from another CA', async () => {
    const impostorServer = join(pki.otherCaDir, 'agent-01');
    const { listener, port } = await fake('auto', { cert: `${impostorServer}.crt`, key: `${impostorServer}.key` });
    writeFileSync(file, lines(1, 1));
    const { health } = forwarder(port);
    await eventually(() => Number(detail(health).connectFailures) >= 2);
    expect(listener.received).toEqual([]);
  });

  it('refuses a listener whose certificate does not carry the expected name', async () => {
    const { listener, port } = await fake('auto');
    writeFileSync(file, lines(1, 1));
    const { health } = forwarder(port, { DECNET_FORWARDER_SERVER_NAME: 'collector.example' });
    await eventually(() => Number(detail(health).connectFailures) >= 1);
    expect(String(detail(health).lastError)).toMatch(/collector\.example/);
    expect(listener.received).toEqual([]);
  });

  it('refuses a TLS syslog server that does not offer acknowledgements', async () => {
    const { listener, port } = await fake('auto', pki.listener, false);
    writeFileSync(file, lines(1, 1));
    const { health } = forwarder(port);
    await eventually(() => Number(detail(health).protocolErrors) >= 1);
    expect(listener.received).toEqual([]);
  });

  it('idles, saying why, when no file or target is configured', async () => {
    const { health } = forwarder(1, { DECNET_FORWARDER_FILE: '', DECNET_FORWARDER_TARGET: '' });
    await eventually(() => detail(health).state === 'disabled');
  });
});
