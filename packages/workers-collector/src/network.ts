// The collector's network listeners: syslog over UDP (one message per datagram) and TCP (octet
// counting or newline framing, detected per frame). Bad input is counted and logged at a
// bounded rate; a connection whose framing is lost is closed; other clients are unaffected.
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import { everyNth, type Logger } from '@decnet/core';
import { ConnectionSession, type FeedResult } from './connection.js';
import { ListenError } from './errors.js';
import type { LineOutcome, LineProcessor } from './line-processor.js';
import type { CompiledCollectorOptions } from './options.js';
import type { RetryingPublisher } from './publisher.js';

/** Input resumes once in-flight publishes fall below this fraction of the cap. */
const RESUME_FRACTION = 0.5;
/** Kernel receive buffer asked for the UDP socket: bursts of small datagrams fit. */
const UDP_RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/** Counters of the network side (reported in health). */
export interface NetworkCounters {
  udpDatagrams: number;
  /** Datagrams dropped because too many publishes were in flight. */
  udpDroppedBackpressure: number;
  tcpConnections: number;
  tcpOpen: number;
  /** Connections refused at the connection cap. */
  tcpRejected: number;
  tcpIdleClosed: number;
  /** Connections closed because their framing was lost. */
  tcpFramingLost: number;
  tcpErrors: number;
  /** Framing errors by code (`bad_length`, `frame_too_large`, `truncated_frame`). */
  framingErrors: Record<string, number>;
  /** Times input was paused for backpressure. */
  pauses: number;
}

/** Ports actually bound (useful with port 0). */
export interface BoundPorts {
  udp?: number;
  tcp?: number;
}

/** What the listeners need. */
export interface NetworkDeps {
  readonly options: CompiledCollectorOptions;
  readonly processor: LineProcessor;
  readonly publisher: RetryingPublisher;
  readonly log: Logger;
}

/** The UDP and TCP listeners of one collector run. */
export class SyslogListeners {
  readonly counters: NetworkCounters = {
    udpDatagrams: 0,
    udpDroppedBackpressure: 0,
    tcpConnections: 0,
    tcpOpen: 0,
    tcpRejected: 0,
    tcpIdleClosed: 0,
    tcpFramingLost: 0,
    tcpErrors: 0,
    framingErrors: {},
    pauses: 0,
  };
  readonly ports: BoundPorts = {};
  /** Distinguishes this run's streams in event ids: socket input is never replayed across runs. */
  private readonly runId = randomBytes(8).toString('hex');
  /** The stream every datagram of this run belongs to (numbered by `udpSeq`). */
  private readonly udpSource = `udp/${this.runId}`;
  private udp: UdpSocket | undefined;
  private tcp: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private connectionSeq = 0;
  private udpSeq = 0;
  private paused = false;
  private stopped = false;
  private readonly warnMalformed: (meta?: Record<string, unknown>) => number;
  private readonly warnFraming: (meta?: Record<string, unknown>) => number;
  private readonly warnSocket: (meta?: Record<string, unknown>) => number;
  private readonly warnDrop: (meta?: Record<string, unknown>) => number;

  constructor(private readonly deps: NetworkDeps) {
    this.warnMalformed = everyNth(deps.log, 'warn', 'malformed syslog line dropped');
    this.warnFraming = everyNth(deps.log, 'warn', 'syslog framing error');
    this.warnSocket = everyNth(deps.log, 'warn', 'syslog client connection failed');
    this.warnDrop = everyNth(deps.log, 'warn', 'syslog input dropped or refused under load');
  }

  /**
   * Binds the listeners the options ask for.
   * @throws ListenError when an address cannot be bound (the host restarts the worker with backoff).
   */
  async start(): Promise<BoundPorts> {
    const { listen } = this.deps.options;
    try {
      if (listen.includes('udp')) await this.startUdp();
      if (listen.includes('tcp')) await this.startTcp();
    } catch (err) {
      await this.stop();
      throw err;
    }
    return this.ports;
  }

  /** Stops listening and closes every connection. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    const udp = this.udp;
    this.udp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    const tcp = this.tcp;
    this.tcp = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
  }

  private async startUdp(): Promise<void> {
    const { bind, port } = this.deps.options;
    const socket = createSocket({ type: isIPv6(bind) ? 'udp6' : 'udp4', recvBufferSize: UDP_RECV_BUFFER_BYTES });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => reject(new ListenError('udp', bind, port, { cause: err })));
      socket.bind({ address: bind, port, exclusive: true }, () => resolve());
    });
    socket.on('error', (err) => this.warnSocket({ transport: 'udp', reason: err.message }));
    socket.on('message', (msg) => this.onDatagram(msg));
    this.udp = socket;
    this.ports.udp = socket.address().port;
  }

  private async startTcp(): Promise<void> {
    const { bind, port, maxConnections } = this.deps.options;
    const server = createServer({ noDelay: true }, (socket) => this.onConnection(socket));
    server.maxConnections = maxConnections;
    server.on('drop', () => {
      this.counters.tcpRejected++;
      this.warnDrop({ transport: 'tcp', reason: 'connection cap reached', maxConnections });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(new ListenError('tcp', bind, port, { cause: err })));
      server.listen({ host: bind, port, exclusive: true }, () => resolve());
    });
    server.on('error', (err) => this.warnSocket({ transport: 'tcp', reason: err.message }));
    this.tcp = server;
    const address = server.address();
    if (address && typeof address === 'object') this.ports.tcp = address.port;
  }

  private onDatagram(msg: Buffer): void {
    if (this.stopped) return;
    this.counters.udpDatagrams++;
    const { publisher, options } = this.deps;
    if (publisher.inflight >= options.maxInflight) {
      this.counters.udpDroppedBackpressure++;
      this.warnDrop({ transport: 'udp', reason: 'too many publishes in flight', inflight: publisher.inflight });
      return;
    }
    if (msg.length > options.maxLineBytes) {
      this.count('frame_too_large', 'udp');
      return;
    }
    const outcome = this.deps.processor.process(msg, 'udp', this.udpSource, this.udpSeq++);
    this.dispatch(outcome, 'udp');
  }

  private onConnection(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const { options, processor } = this.deps;
    this.counters.tcpConnections++;
    this.counters.tcpOpen++;
    this.sockets.add(socket);
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const session = new ConnectionSession(processor, `tcp/${this.runId}/${this.connectionSeq++}`, options.maxLineBytes);
    socket.setTimeout(options.idleTimeoutSec * 1000);
    socket.on('timeout', () => {
      this.counters.tcpIdleClosed++;
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      const result = session.feed(chunk);
      this.handleFeed(result, socket, peer);
      if (this.paused) socket.pause();
    });
    socket.on('end', () => {
      this.handleFeed(session.end(), socket, peer);
      socket.end();
    });
    socket.on('error', (err) => {
      this.counters.tcpErrors++;
      this.warnSocket({ transport: 'tcp', peer, reason: err.message });
    });
    socket.on('close', () => {
      this.counters.tcpOpen--;
      this.sockets.delete(socket);
    });
    if (this.paused) socket.pause();
  }

  private handleFeed(result: FeedResult, socket: Socket, peer: string): void {
    for (const code of result.errors) this.count(code, 'tcp', peer);
    for (const outcome of result.outcomes) this.dispatch(outcome, 'tcp', peer);
    if (result.close && !socket.destroyed) {
      this.counters.tcpFramingLost++;
      socket.destroy();
    }
  }

  private count(code: string, transport: string, peer?: string): void {
    this.counters.framingErrors[code] = (this.counters.framingErrors[code] ?? 0) + 1;
    this.warnFraming({ transport, code, ...(peer ? { peer } : {}) });
  }

  private dispatch(outcome: LineOutcome, transport: string, peer?: string): void {
    if (outcome.type === 'malformed') {
      this.warnMalformed({ transport, code: outcome.code, ...(peer ? { peer } : {}) });
      return;
    }
    if (outcome.type !== 'publish') return;
    const { publisher, options } = this.deps;
    void publisher.publishAll(outcome.items);
    if (!this.paused && publisher.inflight >= options.maxInflight) this.pause();
  }

  private pause(): void {
    this.paused = true;
    this.counters.pauses++;
    for (const socket of this.sockets) socket.pause();
    const { publisher, options } = this.deps;
    void publisher.whenBelow(Math.max(1, Math.floor(options.maxInflight * RESUME_FRACTION))).then(() => {
      this.paused = false;
      if (this.stopped) return;
      for (const socket of this.sockets) socket.resume();
    });
  }
}
