// Ships tailed lines to the listener over mutual TLS with acknowledgements: a window of sent,
// unacknowledged lines is kept in memory and resent in order on every new connection; the
// acknowledged position (what may be persisted) only moves when the listener says the lines
// are durable. Reconnects with exponential backoff; a silent link with data outstanding is
// treated as dead after the ack timeout.
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { everyNth, sleep, type Logger } from '@decnet/core';
import { LINK_ALPN, LINK_MIN_TLS_VERSION, decodeLinkMessage, encodeLineFrame } from '@decnet/pki';
import { createOctetCountingDecoder } from '@decnet/syslog';
import { LinkProtocolError } from './errors.js';
import type { ForwarderTarget } from './options.js';
import type { AckedPosition, GenerationIdentity } from './state.js';
import type { TailLine } from './tailer.js';

/** A TLS handshake not done in this time is abandoned. */
const CONNECT_TIMEOUT_MS = 10_000;
/** TCP keepalive probes start after this much silence. */
const KEEPALIVE_MS = 30_000;
/** On stop, how long outstanding lines get to be acknowledged before the connection is closed. */
const STOP_FLUSH_MS = 2_000;
/** Largest ack frame accepted from the listener (`A <count>`). */
const MAX_ACK_FRAME_BYTES = 64;

/** PEM texts the forwarder presents and trusts. */
export interface ForwarderTlsMaterial {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** What the shipper reads from: the tailer's `read`. */
export interface LineSource {
  read(maxLines: number, maxBytes: number): Promise<TailLine[]>;
}

/** Everything {@link Shipper} needs. */
export interface ShipperOptions {
  readonly target: ForwarderTarget;
  /** The name or address the listener's certificate must carry. */
  readonly serverName: string;
  readonly tls: ForwarderTlsMaterial;
  readonly windowLines: number;
  readonly windowBytes: number;
  readonly ackTimeoutMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /** How long to wait for new lines when there are none. */
  readonly pollMs: number;
  readonly source: LineSource;
  /** Acknowledged position at start (from saved state). */
  readonly initial: AckedPosition | null;
  /** Told each time the acknowledged position moves (persist it). */
  readonly onAcked: (position: AckedPosition, lines: number) => void;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** Where the shipper is. */
export type ShipperState = 'connecting' | 'connected' | 'backoff' | 'stopped';

/** Counters of the shipper (reported in health). */
export interface ShipperCounters {
  connects: number;
  connectFailures: number;
  /** Line frames written, first sends only. */
  sent: number;
  /** Line frames written again after a reconnect. */
  resent: number;
  acked: number;
  ackTimeouts: number;
  protocolErrors: number;
}

interface Inflight {
  readonly frame: Buffer;
  readonly generation: GenerationIdentity;
  readonly end: number;
}

/** Resolves `wait` early when `wake` is called. */
class Waker {
  private pending: (() => void) | undefined;
  wake(): void {
    const resolve = this.pending;
    this.pending = undefined;
    resolve?.();
  }
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending = undefined;
        resolve();
      }, ms);
      this.pending = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** Sends lines, resends what was not acknowledged, and tracks the acknowledged position. */
export class Shipper {
  readonly counters: ShipperCounters = { connects: 0, connectFailures: 0, sent: 0, resent: 0, acked: 0, ackTimeouts: 0, protocolErrors: 0 };
  private current: ShipperState = 'connecting';
  private position: AckedPosition | null;
  private readonly inflight: Inflight[] = [];
  private head = 0;
  private inflightBytes = 0;
  private readonly waker = new Waker();
  private readonly warnConnect: (meta?: Record<string, unknown>) => number;
  private readonly warnLink: (meta?: Record<string, unknown>) => number;
  private lastError: string | null = null;

  constructor(private readonly options: ShipperOptions) {
    this.position = options.initial;
    this.warnConnect = everyNth(options.log, 'warn', 'cannot reach the listener; retrying');
    this.warnLink = everyNth(options.log, 'warn', 'link to the listener dropped');
    options.signal.addEventListener('abort', () => this.waker.wake(), { once: true });
  }

  get state(): ShipperState {
    return this.current;
  }

  /** Everything acknowledged so far. */
  get acked(): AckedPosition | null {
    return this.position;
  }

  /** Lines sent and not yet acknowledged. */
  get pending(): number {
    return this.inflight.length - this.head;
  }

  get error(): string | null {
    return this.lastError;
  }

  /** Generations of the lines sent and not yet acknowledged, in order, without repeats. */
  unackedGenerations(): GenerationIdentity[] {
    const out: GenerationIdentity[] = [];
    for (let i = this.head; i < this.inflight.length; i++) {
      const generation = (this.inflight[i] as Inflight).generation;
      if (out.at(-1) !== generation) out.push(generation);
    }
    return out;
  }

  /** Connects, ships and reconnects until the signal aborts. Never throws. */
  async run(): Promise<void> {
    const { signal, reconnectMinMs, reconnectMaxMs } = this.options;
    let backoff = reconnectMinMs;
    while (!signal.aborted) {
      this.current = 'connecting';
      let socket: tls.TLSSocket;
      try {
        socket = await this.connect();
      } catch (err) {
        this.counters.connectFailures++;
        this.lastError = (err as Error).message;
        if (err instanceof LinkProtocolError) this.counters.protocolErrors++;
        if (!signal.aborted) this.warnConnect({ target: this.targetText(), err: this.lastError, retryInMs: backoff });
        this.current = 'backoff';
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, reconnectMaxMs);
        continue;
      }
      this.counters.connects++;
      this.current = 'connected';
      this.lastError = null;
      const delivered = await this.session(socket);
      if (delivered) backoff = reconnectMinMs;
      if (signal.aborted) break;
      this.current = 'backoff';
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, reconnectMaxMs);
    }
    this.current = 'stopped';
  }

  private targetText(): string {
    const { host, port } = this.options.target;
    return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  }

  private connect(): Promise<tls.TLSSocket> {
    const { target, serverName, signal } = this.options;
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new Error('stopping'));
        return;
      }
      const socket = tls.connect({
        host: target.host,
        port: target.port,
        ca: this.options.tls.ca,
        cert: this.options.tls.cert,
        key: this.options.tls.key,
        minVersion: LINK_MIN_TLS_VERSION,
        ALPNProtocols: [LINK_ALPN],
        ...(isIP(serverName) === 0 ? { servername: serverName } : {}),
        // The CA is pinned and the listener must also carry the expected name or address.
        checkServerIdentity: (_host, cert) => tls.checkServerIdentity(serverName, cert),
      });
      const timer = setTimeout(() => socket.destroy(new Error('TLS handshake timed out')), CONNECT_TIMEOUT_MS);
      const onAbort = (): void => {
        socket.destroy(new Error('stopping'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      socket.once('secureConnect', () => {
        done();
        if (socket.alpnProtocol !== LINK_ALPN) {
          socket.destroy();
          reject(new LinkProtocolError(this.targetText(), 'the peer did not negotiate acknowledged delivery (not a decnet listener?)'));
          return;
        }
        socket.on('error', (err: NodeJS.ErrnoException) => this.options.log.debug('link error', { code: err.code, err: err.message }));
        resolve(socket);
      });
      socket.once('error', (err) => {
        done();
        reject(err);
      });
    });
  }

  private acknowledge(count: number): void {
    let last: Inflight | undefined;
    for (let i = 0; i < count; i++) {
      last = this.inflight[this.head++];
      if (last) this.inflightBytes -= last.frame.length;
    }
    if (this.head > 1024 && this.head * 2 > this.inflight.length) {
      this.inflight.splice(0, this.head);
      this.head = 0;
    }
    if (!last) return;
    this.counters.acked += count;
    this.position = { ...last.generation, offset: last.end };
    this.options.onAcked(this.position, count);
  }

  /** One connection's life; resolves true when the listener acknowledged anything on it. */
  private async session(socket: tls.TLSSocket): Promise<boolean> {
    const { signal, windowLines, windowBytes, ackTimeoutMs, pollMs, source } = this.options;
    socket.setKeepAlive(true, KEEPALIVE_MS);
    let sentHere = 0;
    let ackedHere = 0;
    let delivered = false;
    let progressAt = Date.now();
    const decoder = createOctetCountingDecoder({ maxFrameBytes: MAX_ACK_FRAME_BYTES });
    const violation = (reason: string): void => {
      this.counters.protocolErrors++;
      this.lastError = reason;
      this.warnLink({ target: this.targetText(), reason });
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.type === 'error') return violation(`bad frame from listener: ${event.code}`);
        const message = decodeLinkMessage(event.bytes);
        if (message.type !== 'ack') return violation('listener sent something other than an ack');
        if (message.count < ackedHere || message.count > sentHere) return violation('listener acknowledged lines never sent');
        const count = message.count - ackedHere;
        ackedHere = message.count;
        progressAt = Date.now();
        if (count > 0) {
          delivered = true;
          this.acknowledge(count);
        }
      }
      this.waker.wake();
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    void closed.then(() => this.waker.wake());

    const write = async (frames: Buffer[]): Promise<void> => {
      if (frames.length === 0 || socket.destroyed) return;
      if (!socket.write(Buffer.concat(frames))) {
        await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
      }
    };

    // Everything not acknowledged on earlier connections goes first, in its original order.
    const resend = this.inflight.slice(this.head).map((f) => f.frame);
    sentHere = resend.length;
    this.counters.resent += resend.length;
    await write(resend);

    while (!socket.destroyed) {
      if (signal.aborted) {
        const until = Date.now() + STOP_FLUSH_MS;
        while (this.pending > 0 && !socket.destroyed && Date.now() < until) await this.waker.wait(50);
        socket.end();
        break;
      }
      while (this.pending < windowLines && this.inflightBytes < windowBytes && !socket.destroyed && !signal.aborted) {
        const lines = await source.read(windowLines - this.pending, windowBytes - this.inflightBytes);
        if (lines.length === 0) break;
        const frames: Buffer[] = [];
        for (const line of lines) {
          const frame = encodeLineFrame(line.generation.stream, line.offset, line.bytes);
          frames.push(frame);
          this.inflight.push({ frame, generation: line.generation, end: line.end });
          this.inflightBytes += frame.length;
        }
        if (this.pending === lines.length) progressAt = Date.now();
        sentHere += lines.length;
        this.counters.sent += lines.length;
        await write(frames);
      }
      if (this.pending === 0) progressAt = Date.now();
      else if (Date.now() - progressAt > ackTimeoutMs) {
        this.counters.ackTimeouts++;
        this.lastError = 'no acknowledgement within the ack timeout';
        this.warnLink({ target: this.targetText(), reason: this.lastError, pending: this.pending });
        socket.destroy();
        break;
      }
      await this.waker.wait(pollMs);
    }
    await closed;
    return delivered;
  }
}
