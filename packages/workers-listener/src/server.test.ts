import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, MemoryBroker, silentLogger, type Envelope } from '@decnet/core';
import { eventually } from '@decnet/core/testing';
import { LINK_ALPN, decodeLinkMessage, encodeLineFrame, type CertPaths } from '@decnet/pki';
import { makeTestPki, type TestPki } from '@decnet/pki/testing';
import { createOctetCountingDecoder, encodeOctetCounted } from '@decnet/syslog';
import { durablePublisher } from './publish.js';
import type { PublishItem } from './record.js';
import { ListenerServer, type ListenerServerOptions } from './server.js';
import type { PublishResult } from './session.js';

const LINE = (n: number, host = 'forged-hostname'): string =>
  `<134>1 2026-05-02T06:00:25.${String(n).padStart(6, '0')}+00:00 ${host} ssh - login [relay@55555 src_ip="198.51.100.${n % 250}" n="${n}"]`;

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

interface Running {
  server: ListenerServer;
  port: number;
  events: Envelope[];
  broker: MemoryBroker;
}
const running: Running[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
const sockets: tls.TLSSocket[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const r of running.splice(0)) {
    await r.server.close(100);
    await r.broker.close();
  }
});

async function start(options: Partial<ListenerServerOptions> = {}): Promise<Running> {
  const broker = new MemoryBroker();
  const bus = broker.connect('listener');
  const events: Envelope[] = [];
  broker.connect('test').subscribe(EVENTS.logEvent.pattern, (e) => void events.push(e), { broadcast: true, queueSize: 100_000 });
  const server = new ListenerServer({
    bind: '127.0.0.1',
    port: 0,
    maxFrameBytes: 4096,
    maxConnections: 16,
    idleTimeoutSec: 30,
    handshakeTimeoutMs: 5_000,
    maxInflight: 1000,
    tls: { cert: readFileSync(pki.listener.cert, 'utf8'), key: readFileSync(pki.listener.key, 'utf8'), ca: readFileSync(pki.ca.cert, 'utf8') },
    publish: durablePublisher(bus, new AbortController().signal, silentLogger),
    log: silentLogger,
    ...options,
  });
  const address = await server.listen();
  const r = { server, port: address.port, events, broker };
  running.push(r);
  return r;
}

/** `openssl s_client` as a syslog sender; resolves its exit with everything it printed. */
function sClient(port: number, args: string[]): { child: ChildProcessWithoutNullStreams; exited: Promise<{ code: number | null; output: string }> } {
  const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', pki.ca.cert, '-verify_return_error', '-quiet', ...args]);
  children.push(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => child.on('exit', (code) => resolve({ code, output })));
  return { child, exited };
}
const withCert = (c: CertPaths): string[] => ['-cert', c.cert, '-key', c.key];

/** A node TLS client with a decnet certificate. */
async function connect(port: number, cert: CertPaths, alpn?: string): Promise<tls.TLSSocket> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port,
    ca: readFileSync(pki.ca.cert),
    cert: readFileSync(cert.cert),
    key: readFileSync(cert.key),
    ...(alpn ? { ALPNProtocols: [alpn] } : {}),
  });
  sockets.push(socket);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  return socket;
}
const closed = (socket: tls.TLSSocket): Promise<void> => new Promise((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve())));

describe('the listener accepts RFC 5425 over mutual TLS from certificates of the decnet CA', () => {
  it('takes octet-counted lines from a real openssl s_client and stamps the certificate CN, not the HOSTNAME', async () => {
    const r = await start();
    const { child } = sClient(r.port, withCert(pki.agent));
    child.stdin.write(Buffer.concat([1, 2, 3].map((n) => encodeOctetCounted(LINE(n)))));
    await eventually(() => r.events.length === 3, 10_000);
    expect(r.events.map((e) => e.payload.source_worker)).toEqual(['agent-01', 'agent-01', 'agent-01']);
    expect(r.events.map((e) => e.payload.decky)).toEqual(['forged-hostname', 'forged-hostname', 'forged-hostname']);
    expect(r.events[0]).toMatchObject({ topic: EVENTS.logEvent.subject('ssh'), type: 'login', payload: { source: 'tls', attacker_ip: '198.51.100.1', fields: { n: '1' } } });
    expect(new Set(r.events.map((e) => e.id)).size).toBe(3);
    expect(r.server.counters).toMatchObject({ connections: 1, ackedConnections: 0, published: 3, refusedTls: 0, refusedIdentity: 0 });
  });

  it('accepts TLS 1.2 and refuses TLS 1.1', async () => {
    const r = await start();
    const ok = sClient(r.port, [...withCert(pki.agent), '-tls1_2']);
    ok.child.stdin.write(encodeOctetCounted(LINE(1)));
    await eventually(() => r.events.length === 1, 10_000);
    // SECLEVEL=0 lets the client try 1.1 at all; the refusal must come from the listener.
    const old = sClient(r.port, [...withCert(pki.agent), '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']);
    old.child.stdin.write(encodeOctetCounted(LINE(2)));
    const result = await old.exited;
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/protocol version|unsupported protocol|no protocols available/i);
    await eventually(() => r.server.counters.refusedTls === 1);
    expect(r.events).toHaveLength(1);
  });
});

describe('senders without a valid decnet identity are refused', () => {
  it('refuses a certificate signed by another CA, even with a trusted-looking CN', async () => {
    const r = await start();
    for (const version of ['-tls1_2', '-tls1_3']) {
      const impostor = sClient(r.port, [...withCert(pki.impostor), version]);
      impostor.child.stdin.write(encodeOctetCounted(LINE(1)));
      const result = await impostor.exited;
      // Node verifies the chain once OpenSSL's handshake is done and drops the socket: the
      // client sees the connection end before anything it sent is read.
      expect(result.output).toMatch(/eof|alert|errno=104|reset/i);
      expect(result.code).not.toBe(0);
    }
    await eventually(() => r.server.counters.refusedTls === 2);
    expect(r.events).toEqual([]);
    expect(r.server.counters.connections).toBe(0);
  });

  it('refuses a decnet certificate issued for server use only', async () => {
    const r = await start();
    const serverCert = sClient(r.port, withCert(pki.listener));
    serverCert.child.stdin.write(encodeOctetCounted(LINE(1)));
    await serverCert.exited;
    await eventually(() => r.server.counters.refusedTls === 1);
    expect(r.events).toEqual([]);
  });

  it('refuses a client that presents no certificate', async () => {
    const r = await start();
    const anonymous = sClient(r.port, []);
    anonymous.child.stdin.write(encodeOctetCounted(LINE(1)));
    await anonymous.exited;
    await eventually(() => r.server.counters.refusedTls === 1);
    expect(r.events).toEqual([]);
  });

  it('refuses a certificate from the decnet CA that has no CN, and ingests nothing from it', async () => {
    const r = await start();
    const noCn = sClient(r.port, withCert(pki.noCn));
    noCn.child.stdin.write(encodeOctetCounted(LINE(1)));
    await noCn.exited;
    expect(r.server.counters).toMatchObject({ refusedIdentity: 1, connections: 0 });
    expect(r.events).toEqual([]);
  });
});

describe('bad input closes only the connection that sent it', () => {
  it('closes a connection that sends a frame over the cap, counts it, and keeps serving others', async () => {
    const r = await start({ maxFrameBytes: 1024 });
    const good = await connect(r.port, pki.agent2);
    good.write(encodeOctetCounted(LINE(1, 'good')));
    const bad = await connect(r.port, pki.agent);
    bad.write(encodeOctetCounted(LINE(2) + 'x'.repeat(2000)));
    await closed(bad);
    good.write(encodeOctetCounted(LINE(3, 'good')));
    await eventually(() => r.events.length === 2);
    expect(r.events.map((e) => e.payload.fields)).toMatchObject([{ n: '1' }, { n: '3' }]);
    expect(r.server.counters).toMatchObject({ oversized: 1, published: 2 });
  });

  it('survives garbage and a stalled client without affecting a good one', async () => {
    const r = await start({ idleTimeoutSec: 1 });
    const good = await connect(r.port, pki.agent2);
    let sent = 0;
    // The good client keeps talking, so only the stalled one goes idle.
    const talk = setInterval(() => good.write(encodeOctetCounted(LINE(++sent, 'good'))), 150);
    try {
      const garbage = await connect(r.port, pki.agent);
      garbage.write(Buffer.from('\x16\x03\x01 GET / HTTP/1.1\r\n'));
      const stalled = await connect(r.port, pki.agent);
      stalled.write(Buffer.from('120 <134>1 2026-05-02T06:00:25Z half'));
      await closed(garbage);
      await closed(stalled);
    } finally {
      clearInterval(talk);
    }
    await eventually(() => r.events.length === sent);
    expect(sent).toBeGreaterThan(3);
    expect(r.server.counters).toMatchObject({ garbage: 1, idleTimeouts: 1, published: sent, truncated: 0 });
    expect(good.destroyed).toBe(false);
  });

  it('counts and skips lines that are not RFC 5424 but keeps the connection', async () => {
    const r = await start();
    const socket = await connect(r.port, pki.agent);
    socket.write(Buffer.concat([encodeOctetCounted('hello there'), encodeOctetCounted(Buffer.from([0xff, 0xfe, 0x00])), encodeOctetCounted(LINE(9))]));
    await eventually(() => r.events.length === 1);
    expect(r.server.counters.malformed).toBe(2);
    expect(socket.destroyed).toBe(false);
  });
});

describe('forwarders that negotiate acknowledgements are acked only for durable lines', () => {
  /** Reads ack frames from a socket. */
  function acksOf(socket: tls.TLSSocket): number[] {
    const acks: number[] = [];
    const decoder = createOctetCountingDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.type === 'frame') {
          const msg = decodeLinkMessage(event.bytes);
          if (msg.type === 'ack') acks.push(msg.count);
        }
      }
    });
    return acks;
  }

  it('sends no ack while the bus has not accepted the lines, then one covering them', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const published: PublishItem[] = [];
    const r = await start({
      publish: async (item): Promise<PublishResult> => {
        await gate;
        published.push(item);
        return 'ok';
      },
    });
    const socket = await connect(r.port, pki.agent, LINK_ALPN);
    expect(socket.alpnProtocol).toBe(LINK_ALPN);
    const acks = acksOf(socket);
    socket.write(Buffer.concat([0, 1, 2, 3].map((n) => encodeLineFrame('gen-1', n * 200, Buffer.from(LINE(n))))));
    await eventually(() => r.server.counters.frames === 4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(acks).toEqual([]);
    open();
    await eventually(() => acks.at(-1) === 4);
    expect(published.map((p) => p.payload.source_worker)).toEqual(['agent-01', 'agent-01', 'agent-01', 'agent-01']);
    expect(r.server.counters.ackedConnections).toBe(1);
  });

  it('on close, finishes outstanding publishes and acknowledges them before hanging up', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const r = await start({
      publish: async (): Promise<PublishResult> => {
        await gate;
        return 'ok';
      },
    });
    const socket = await connect(r.port, pki.agent, LINK_ALPN);
    const acks = acksOf(socket);
    socket.write(Buffer.concat([0, 1, 2].map((n) => encodeLineFrame('gen-1', n, Buffer.from(LINE(n))))));
    await eventually(() => r.server.counters.frames === 3);
    const closing = r.server.close(5_000);
    setTimeout(release, 50);
    await closing;
    await closed(socket);
    expect(acks.at(-1)).toBe(3);
  });
});
