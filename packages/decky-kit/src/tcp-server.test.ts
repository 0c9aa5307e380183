import { connect, createServer, type Socket } from 'node:net';
import { silentLogger } from '@decnet/core';
import { recordingLogger } from '@decnet/core/testing';
import { createOctetCountingDecoder } from '@decnet/syslog';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceEmitter } from './emitter.js';
import { envField } from './options.js';
import type { EventTypeOf } from './events.js';
import { StepBuilder, createLineSplitter, type ProtocolMachine } from './protocol.js';
import { defineService, startDecky, startService } from './service.js';
import { createMemorySink } from './sink.js';
import { MemoryGuard } from './memory-guard.js';
import { driveMachine, listenTcp, type ListenOptions, type TcpListener } from './tcp-server.js';
import { EventCollector } from './testing/events.js';
import { ConnectionTracker, type ConnectionLimits } from './tracker.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A line echo machine: `QUIT` closes, anything else is echoed and logged. */
function echoMachine(): ProtocolMachine<EventTypeOf<'telnet'>> {
  const split = createLineSplitter(64);
  return {
    start: () => new StepBuilder<EventTypeOf<'telnet'>>().reply('hello\r\n').build(),
    feed(chunk) {
      const b = new StepBuilder<EventTypeOf<'telnet'>>();
      const { lines, overflows } = split.push(chunk);
      if (overflows) b.reply('too long\r\n');
      for (const l of lines) {
        if (l.toString() === 'QUIT') b.reply('bye\r\n').close();
        else b.reply(`${l.toString()}\r\n`).event('command', { cmd: l.toString() });
        if (l.toString() === 'BOOM') throw new Error('bug');
      }
      return b.build();
    },
    end: (reason) => new StepBuilder<EventTypeOf<'telnet'>>().event('session_recorded', { reason }).build(),
  };
}

async function echoServer(
  limits: ConnectionLimits = { maxConnections: 10, maxPerIp: 10 },
  idleTimeoutMs = 5_000,
  extra: Partial<Pick<ListenOptions<'telnet'>, 'budgets' | 'memoryGuard' | 'refusalReply'>> & { machine?: () => ProtocolMachine<EventTypeOf<'telnet'>> } = {},
): Promise<{ listener: TcpListener; events: EventCollector; tracker: ConnectionTracker }> {
  const events = new EventCollector();
  const sink = { write: (l: string) => events.pushLine(l), close: async () => undefined, stats: () => ({ name: 't', written: 0, dropped: 0, queued: 0, errors: 0 }) };
  const emitter = createServiceEmitter({ decky: 'd1', service: 'telnet', sink });
  const tracker = new ConnectionTracker(limits);
  const { machine, ...listenExtra } = extra;
  const listener = await listenTcp({
    host: '127.0.0.1',
    port: 0,
    emitter,
    tracker,
    log: silentLogger,
    idleTimeoutMs,
    connectEvent: 'connect',
    disconnectEvent: 'disconnect',
    onConnection: (c) => driveMachine(c, (machine ?? echoMachine)()),
    ...listenExtra,
  });
  closers.push(() => listener.close());
  return { listener, events, tracker };
}

function client(port: number, localAddress?: string): Promise<{ socket: Socket; text: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, text: () => text, closed }));
    socket.once('error', reject);
  });
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the TCP harness runs a pure machine over a socket with identity bound at accept', () => {
  it('greets, echoes, closes on request and emits connect, events, end step and disconnect in order', async () => {
    const { listener, events } = await echoServer();
    const c = await client(listener.port);
    c.socket.write('ls\r\nQUIT\r\n');
    await c.closed;
    expect(c.text()).toBe('hello\r\nls\r\nbye\r\n');
    await events.waitForType('disconnect');
    expect(events.events.map((e) => e.type)).toEqual(['connect', 'command', 'session_recorded', 'disconnect']);
    const sid = events.events[0]?.fields['sid'];
    for (const e of events.events) expect(e.fields).toMatchObject({ sid, src_ip: '127.0.0.1', dst_ip: '127.0.0.1', dst_port: String(listener.port) });
    expect(events.events[2]?.fields['reason']).toBe('server_closed');
    expect(events.events[3]?.fields).toMatchObject({ reason: 'server_closed', bytes_in: '10' });
    expect(events.events.some((e) => e.fields['late'] === 'true')).toBe(false);
  });

  it('closes a silent connection after the idle timeout and says so', async () => {
    const { listener, events } = await echoServer(undefined, 200);
    const c = await client(listener.port);
    await c.closed;
    const [end] = await events.waitForType('disconnect');
    expect(end?.fields['reason']).toBe('idle_timeout');
  });

  it('sheds the idlest connection of an address at its cap (an event says why) and serves the newcomer', async () => {
    const { listener, events, tracker } = await echoServer({ maxConnections: 10, maxPerIp: 2 }, 5_000, { refusalReply: 'busy\r\n' });
    const a = await client(listener.port);
    await until(() => a.text() === 'hello\r\n');
    const b = await client(listener.port);
    await until(() => b.text() === 'hello\r\n');
    b.socket.write('ping\r\n');
    await until(() => b.text().includes('ping'));
    const c = await client(listener.port);
    await until(() => c.text().startsWith('hello'));
    await a.closed;
    expect(a.text()).toBe('hello\r\nbusy\r\n');
    const [shed] = await events.waitForType('connection_shed');
    expect(shed?.fields).toMatchObject({ reason: 'per_ip_limit', held_by_source: '2', limit: '2', src_ip: '127.0.0.1' });
    expect(shed?.severity).toBe(4);
    const [gone] = await events.waitFor((e) => e.type === 'disconnect' && e.fields['sid'] === shed?.fields['sid']);
    expect(gone?.fields['reason']).toBe('shed');
    expect(tracker.stats()).toMatchObject({ active: 2, shedPerIp: 1 });
    b.socket.destroy();
    c.socket.destroy();
  });

  it('serves a newcomer from another address while one address floods the global cap', async () => {
    const { listener, events } = await echoServer({ maxConnections: 20, maxPerIp: 20, maxPerPrefix: 20 });
    const flood = await Promise.all(Array.from({ length: 20 }, () => client(listener.port, '127.0.0.2')));
    const fresh = await client(listener.port, '127.0.1.3');
    fresh.socket.write('hi\r\n');
    await until(() => fresh.text() === 'hello\r\nhi\r\n');
    const [shed] = await events.waitForType('connection_shed');
    expect(shed?.fields).toMatchObject({ reason: 'global_limit', src_ip: '127.0.0.2', held_by_source: '20' });
    for (const f of flood) f.socket.destroy();
    fresh.socket.destroy();
  });

  it('closes the connection when the machine throws, without taking the listener down', async () => {
    const { listener, events } = await echoServer();
    const c = await client(listener.port);
    c.socket.write('BOOM\r\n');
    await c.closed;
    const [end] = await events.waitForType('disconnect');
    expect(end?.fields['reason']).toBe('error');
    const ok = await client(listener.port);
    await until(() => ok.text() === 'hello\r\n');
    ok.socket.destroy();
  });

  it('ends open connections on close with reason shutdown', async () => {
    const { listener, events } = await echoServer();
    const c = await client(listener.port);
    await until(() => c.text() === 'hello\r\n');
    await listener.close();
    await c.closed;
    const [end] = await events.waitForType('session_recorded');
    expect(end?.fields['reason']).toBe('shutdown');
  });
});

/** A machine with a 'line' deadline armed by the first byte of a line and cleared at its end; `BIG` answers 100 KiB. */
function deadlineMachine(ms: number): () => ProtocolMachine<EventTypeOf<'telnet'>> {
  return () => {
    const split = createLineSplitter(1024);
    return {
      start: () => new StepBuilder<EventTypeOf<'telnet'>>().reply('ready\r\n').build(),
      feed(chunk) {
        const b = new StepBuilder<EventTypeOf<'telnet'>>();
        const { lines } = split.push(chunk);
        for (const l of lines) b.reply(l.toString() === 'BIG' ? 'x'.repeat(100 * 1024) : 'ok\r\n');
        if (split.pending > 0) b.deadline('line', ms);
        else b.clearDeadline('line');
        return b.build();
      },
      end: () => new StepBuilder<EventTypeOf<'telnet'>>().build(),
      expire: (name) => new StepBuilder<EventTypeOf<'telnet'>>().reply(`timeout ${name}\r\n`).build(),
    };
  };
}

/** A machine that answers each line with 64 KiB, stopping at the step budget and reporting pending work. */
function chattyMachine(): () => ProtocolMachine<EventTypeOf<'telnet'>> & { steps: number[] } {
  return () => {
    const split = createLineSplitter(1024);
    const queue: Buffer[] = [];
    const steps: number[] = [];
    return {
      steps,
      start: () => new StepBuilder<EventTypeOf<'telnet'>>().build(),
      feed(chunk) {
        const b = new StepBuilder<EventTypeOf<'telnet'>>();
        queue.push(...split.push(chunk).lines);
        while (queue.length > 0 && !b.full) {
          queue.shift();
          b.reply('y'.repeat(64 * 1024));
        }
        steps.push(b.replyBytes);
        return b.build();
      },
      pending: () => queue.length > 0,
      end: () => new StepBuilder<EventTypeOf<'telnet'>>().build(),
    };
  };
}

describe('deadlines, budgets and the memory guard bound what a connection can hold', () => {
  it('cuts a trickled line at its wall-clock deadline: bytes do not push it back', async () => {
    const { listener, events } = await echoServer(undefined, 5_000, { machine: deadlineMachine(600) });
    const c = await client(listener.port);
    await until(() => c.text() === 'ready\r\n');
    const started = Date.now();
    const trickle = setInterval(() => c.socket.write('a'), 100);
    await c.closed;
    clearInterval(trickle);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(1_500);
    expect(c.text()).toBe('ready\r\ntimeout line\r\n');
    const [d] = await events.waitForType('deadline_exceeded');
    expect(d?.fields).toMatchObject({ deadline: 'line', limit_s: '0.600' });
    const [end] = await events.waitForType('disconnect');
    expect(end?.fields['reason']).toBe('deadline');
  });

  it('disarms the deadline when the line completes', async () => {
    const { listener } = await echoServer(undefined, 5_000, { machine: deadlineMachine(300) });
    const c = await client(listener.port);
    c.socket.write('ab');
    await new Promise((r) => setTimeout(r, 150));
    c.socket.write('c\r\n');
    await new Promise((r) => setTimeout(r, 400));
    expect(c.socket.destroyed).toBe(false);
    expect(c.text()).toBe('ready\r\nok\r\n');
    c.socket.destroy();
  });

  it('bounds one step\'s output and resumes when the peer drains, reading nothing meanwhile', async () => {
    let machine: ReturnType<ReturnType<typeof chattyMachine>> | undefined;
    const make = chattyMachine();
    const { listener } = await echoServer(undefined, 5_000, { machine: () => (machine = make()) });
    const c = await client(listener.port);
    c.socket.write('l\n'.repeat(40));
    await until(() => c.text().length >= 40 * 64 * 1024, 10_000);
    expect(machine?.steps.length).toBeGreaterThan(5);
    expect(Math.max(...(machine?.steps ?? []))).toBeLessThanOrEqual(256 * 1024);
    c.socket.destroy();
  });

  it('sheds a connection whose peer does not read once it holds more than its byte budget', async () => {
    const { listener, events } = await echoServer(undefined, 5_000, { machine: deadlineMachine(60_000), budgets: { connectionBytes: 64 * 1024, serviceBytes: 1 << 30 } });
    const c = await client(listener.port);
    c.socket.pause();
    // Loopback buffers absorb a few MiB; 10 MiB of replies overflow them.
    c.socket.write('BIG\r\n'.repeat(100));
    const [shed] = await events.waitForType('connection_shed', 1, 5_000);
    expect(shed?.fields['reason']).toBe('connection_budget');
    expect(Number(shed?.fields['held_bytes'])).toBeGreaterThan(64 * 1024);
    c.socket.destroy();
  });

  it('sheds the newest connections when the RSS grows past the threshold, each with an event, and turns newcomers away meanwhile', async () => {
    const MiB = 1024 * 1024;
    let rss = 100 * MiB;
    let collected = 0;
    const guard = new MemoryGuard({ ceilingBytes: 1000 * MiB, rss: () => rss, collect: () => collected++, intervalMs: 60_000 });
    const { listener, events } = await echoServer(undefined, 5_000, { memoryGuard: guard });
    const old = await client(listener.port);
    await until(() => old.text() === 'hello\r\n');
    await new Promise((r) => setTimeout(r, 5));
    const newer = await client(listener.port);
    await until(() => newer.text() === 'hello\r\n');
    expect(guard.check()).toBe(0);
    rss = 650 * MiB;
    expect(guard.check()).toBe(1);
    expect(collected).toBe(1);
    await newer.closed;
    expect(old.socket.destroyed).toBe(false);
    const [shed] = await events.waitForType('connection_shed');
    expect(shed?.fields).toMatchObject({ reason: 'memory_guard', rss_mb: '650', ceiling_mb: '1000' });
    // Right after a round a newcomer would be the newest connection: it is turned away, with an event.
    expect(guard.underPressure).toBe(true);
    const turnedAway = await client(listener.port);
    await turnedAway.closed;
    expect(turnedAway.text()).toBe('');
    // An RSS that stays high (the allocator keeps freed memory) sheds nothing more; growth does.
    expect(guard.check()).toBe(0);
    rss = 700 * MiB;
    expect(guard.check()).toBe(1);
    await old.closed;
    expect(guard.shed).toBe(2);
    expect(events.ofType('connection_shed').filter((e) => e.fields['reason'] === 'memory_guard')).toHaveLength(3);
  });
});

const echoService = defineService({
  slug: 'telnet',
  description: 'echo test service',
  defaultPort: 23,
  transport: 'tcp',
  fields: { port: envField.port('ECHO_PORT', 'port', 23), greeting: envField.enum('ECHO_MODE', 'mode', ['a', 'b'], 'a') },
  async start(options, runtime) {
    const l = await runtime.listen({ port: options.port, onConnection: (c) => driveMachine(c, echoMachine()) });
    return { port: l.port, close: () => l.close() };
  },
});

describe('services start from the environment and report every problem at once', () => {
  it('emits startup and shutdown around the service with the decky name as HOSTNAME', async () => {
    const sink = createMemorySink();
    const s = await startService(echoService, { env: { NODE_NAME: 'decky-42' }, port: 0, bind: '127.0.0.1', sink, log: silentLogger });
    await s.close();
    const events = new EventCollector();
    for (const l of sink.lines) events.pushLine(l);
    expect(events.events.map((e) => [e.decky, e.service, e.type])).toEqual([
      ['decky-42', 'telnet', 'startup'],
      ['decky-42', 'telnet', 'shutdown'],
    ]);
    expect(events.events[0]?.fields).toEqual({ port: String(s.port), bind: '127.0.0.1' });
  });

  it('collects common and service variable problems into one error', async () => {
    await expect(startService(echoService, { env: { NODE_NAME: 'bad name', ECHO_MODE: 'c', DECNET_SERVICE_MAX_PER_IP: '0' }, sink: createMemorySink(), log: silentLogger })).rejects.toThrow(
      /NODE_NAME[\s\S]*DECNET_SERVICE_MAX_PER_IP: must be at least 1[\s\S]*ECHO_MODE: must be one of a\|b/,
    );
  });

  it('also sends every line to LOG_TARGET over TCP, octet-counted', async () => {
    const frames: string[] = [];
    const receiver = createServer((s) => {
      const dec = createOctetCountingDecoder();
      s.on('data', (d) => {
        for (const e of dec.push(d)) if (e.type === 'frame') frames.push(Buffer.from(e.bytes).toString());
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => receiver.close(() => r())));
    const out: string[] = [];
    const s = await startService(echoService, {
      env: { NODE_NAME: 'd', LOG_TARGET: `127.0.0.1:${(receiver.address() as { port: number }).port}` },
      port: 0,
      bind: '127.0.0.1',
      stdout: (t) => out.push(t),
      log: silentLogger,
    });
    const c = await client(s.port);
    c.socket.write('whoami\r\n');
    await until(() => frames.some((f) => f.includes(' command ')));
    c.socket.destroy();
    await s.close();
    expect(out.join('')).toContain(' command [relay@55555 ');
    expect(frames[0]).toMatch(/^<134>1 \S+ d telnet - startup /);
  });

  it('logs a machine that throws as the service\'s machine fault when it is driven through the runtime', async () => {
    const log = recordingLogger();
    const driven = defineService({
      ...echoService,
      async start(options, runtime) {
        const l = await runtime.listen({ port: options.port, disconnectEvent: 'disconnect', onConnection: (c) => runtime.drive(c, echoMachine()) });
        return { port: l.port, close: () => l.close() };
      },
    });
    const sink = createMemorySink();
    const s = await startService(driven, { env: { NODE_NAME: 'd' }, port: 0, bind: '127.0.0.1', sink, log });
    closers.push(() => s.close());
    const c = await client(s.port);
    c.socket.write('BOOM\r\n');
    await c.closed;
    await until(() => log.lines.some((l) => l.level === 'error'));
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([{ level: 'error', message: 'telnet machine fault', meta: { service: 'telnet', err: 'bug' } }]);
  });

  it('starts a decky of services sharing one sink, reporting a service that cannot bind', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => blocker.close(() => r())));
    const taken = (blocker.address() as { port: number }).port;
    const other = { ...echoService, slug: 'ftp' as const, fields: { ...echoService.fields, port: envField.port('OTHER_PORT', 'port', 21) } };
    const sink = createMemorySink();
    const decky = await startDecky([echoService, other], { env: { NODE_NAME: 'dk', ECHO_PORT: String(taken), OTHER_PORT: '0' }, bind: '127.0.0.1', sink, log: silentLogger });
    expect(decky.failures.map((f) => [f.slug, f.error.name])).toEqual([['telnet', 'ServiceListenError']]);
    expect(decky.services.map((s) => s.slug)).toEqual(['ftp']);
    await decky.close();
    expect(sink.lines.filter((l) => l.includes(' startup '))).toHaveLength(1);
  });
});
