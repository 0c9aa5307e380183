import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { silentLogger } from '@decnet/core';
import { createOctetCountingDecoder } from '@decnet/syslog';
import { afterEach, describe, expect, it } from 'vitest';
import { createFanoutSink, createLineSink, createMemorySink, createSyslogTcpSink, createSyslogUdpSink, parseLogTarget } from './sink.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function frameServer(port = 0): Promise<{ port: number; frames: string[]; sockets: Socket[]; server: Server }> {
  const frames: string[] = [];
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    const dec = createOctetCountingDecoder();
    s.on('data', (d) => {
      for (const e of dec.push(d)) if (e.type === 'frame') frames.push(Buffer.from(e.bytes).toString('utf8'));
    });
    s.on('error', () => undefined);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, frames, sockets, server })));
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function freePort(): Promise<number> {
  const s = await frameServer();
  await new Promise((r) => s.server.close(r));
  servers.splice(servers.indexOf(s.server), 1);
  return s.port;
}

describe('LOG_TARGET parsing', () => {
  it('reads host:port as TCP and honours tcp:// and udp:// schemes and bracketed IPv6', () => {
    expect(parseLogTarget('10.0.0.1:514')).toEqual({ protocol: 'tcp', host: '10.0.0.1', port: 514 });
    expect(parseLogTarget('udp://collector.lan:5514')).toEqual({ protocol: 'udp', host: 'collector.lan', port: 5514 });
    expect(parseLogTarget('tcp://[::1]:6514')).toEqual({ protocol: 'tcp', host: '::1', port: 6514 });
  });
  it('returns null for anything else', () => {
    for (const bad of ['', 'host', 'host:0', 'host:70000', 'http://h:1', 'h:1:2', '[::1]']) expect(parseLogTarget(bad)).toBeNull();
  });
});

describe('the TCP syslog sink delivers octet-counted frames and survives the target going away', () => {
  it('delivers lines as RFC 6587 octet-counted frames', async () => {
    const srv = await frameServer();
    const sink = createSyslogTcpSink({ host: '127.0.0.1', port: srv.port, log: silentLogger });
    sink.write('<134>1 - h app - a -');
    sink.write('<134>1 - h app - b [relay@55555 k="v\\]"]');
    await until(() => srv.frames.length === 2);
    expect(srv.frames).toEqual(['<134>1 - h app - a -', '<134>1 - h app - b [relay@55555 k="v\\]"]']);
    await sink.close();
    expect(sink.stats()).toMatchObject({ written: 2, dropped: 0 });
  });

  it('queues while the target is down, drops the oldest beyond the cap, and delivers the rest on reconnect', async () => {
    const port = await freePort();
    const sink = createSyslogTcpSink({ host: '127.0.0.1', port, log: silentLogger, maxPendingLines: 3, reconnectMinMs: 50 });
    for (const l of ['1', '2', '3', '4', '5']) sink.write(l);
    expect(sink.stats()).toMatchObject({ dropped: 2, queued: 3 });
    const srv = await frameServer(port);
    await until(() => srv.frames.length === 3);
    expect(srv.frames).toEqual(['3', '4', '5']);
    srv.sockets[0]?.destroy();
    await until(() => sink.stats().connected === false);
    sink.write('6');
    await until(() => srv.frames.length === 4);
    expect(srv.frames[3]).toBe('6');
    await sink.close();
  });

  it('closes promptly when the target never appears', async () => {
    const port = await freePort();
    const sink = createSyslogTcpSink({ host: '127.0.0.1', port, log: silentLogger, reconnectMinMs: 50 });
    sink.write('x');
    const started = Date.now();
    await sink.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(sink.stats().dropped).toBe(1);
  });
});

describe('the UDP syslog sink sends one datagram per line', () => {
  it('delivers lines to a UDP listener', async () => {
    const sock = createSocket('udp4');
    const got: string[] = [];
    sock.on('message', (m) => got.push(m.toString('utf8')));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const sink = createSyslogUdpSink({ host: '127.0.0.1', port: sock.address().port, log: silentLogger });
    sink.write('<134>1 - h a - x -');
    await until(() => got.length === 1);
    expect(got).toEqual(['<134>1 - h a - x -']);
    await sink.close();
    sock.close();
  });
});

describe('line and fan-out sinks', () => {
  it('terminates each line with a newline and counts a failing writer instead of throwing', () => {
    const out: string[] = [];
    const ok = createLineSink((t) => out.push(t));
    ok.write('a');
    expect(out).toEqual(['a\n']);
    const broken = createLineSink(() => {
      throw new Error('EPIPE');
    });
    broken.write('a');
    expect(broken.stats().errors).toBe(1);
  });

  it('writes every line to every sink', () => {
    const a = createMemorySink();
    const b = createMemorySink();
    const f = createFanoutSink([a, b]);
    f.write('x');
    expect([a.lines, b.lines]).toEqual([['x'], ['x']]);
    expect(f.stats().written).toBe(2);
  });
});
