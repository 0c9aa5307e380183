// Where a service's RFC 5424 lines go: its stdout (what the host collector reads), and optionally
// a syslog target named by LOG_TARGET over TCP (RFC 6587 octet counting, reconnecting, with a
// bounded backlog and a drop counter) or UDP. A sink never throws and never blocks on the network.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { everyNth, type Logger } from '@decnet/core';
import { encodeOctetCounted } from '@decnet/syslog';

/** Counters every sink reports. */
export interface SinkStats {
  readonly name: string;
  /** Lines handed to the transport. */
  readonly written: number;
  /** Lines given up on (backlog full, datagram refused). */
  readonly dropped: number;
  /** Lines waiting in the backlog. */
  readonly queued: number;
  /** Transport errors seen (write failures, connection errors). */
  readonly errors: number;
  /** For network sinks: whether a connection is up now. */
  readonly connected?: boolean;
}

/** Receives formatted event lines (no trailing newline). */
export interface EventSink {
  /** Queues or writes one line. Never throws. */
  write(line: string): void;
  /** Flushes what it can within its deadline, then releases the transport. Idempotent. */
  close(): Promise<void>;
  stats(): SinkStats;
}

/**
 * A sink writing `line + "\n"` through `write` (e.g. `process.stdout.write`). On Linux, writes
 * to a pipe or file are synchronous, so a slow reader slows the service instead of growing memory.
 */
export function createLineSink(write: (text: string) => unknown, name = 'stdout'): EventSink {
  let written = 0;
  let errors = 0;
  return {
    write(line) {
      try {
        write(`${line}\n`);
        written++;
      } catch {
        errors++;
      }
    },
    close: () => Promise.resolve(),
    stats: () => ({ name, written, dropped: 0, queued: 0, errors }),
  };
}

/** A sink that keeps every line in memory (tests, `decnet service run` capture). */
export interface MemorySink extends EventSink {
  readonly lines: string[];
}

/** Creates a {@link MemorySink}. */
export function createMemorySink(): MemorySink {
  const lines: string[] = [];
  return {
    lines,
    write(line) {
      lines.push(line);
    },
    close: () => Promise.resolve(),
    stats: () => ({ name: 'memory', written: lines.length, dropped: 0, queued: 0, errors: 0 }),
  };
}

/** Writes every line to each sink; stats are summed. */
export function createFanoutSink(sinks: readonly EventSink[]): EventSink {
  if (sinks.length === 1 && sinks[0]) return sinks[0];
  return {
    write(line) {
      for (const s of sinks) s.write(line);
    },
    async close() {
      await Promise.all(sinks.map((s) => s.close()));
    },
    stats() {
      const all = sinks.map((s) => s.stats());
      return {
        name: all.map((s) => s.name).join('+'),
        written: all.reduce((n, s) => n + s.written, 0),
        dropped: all.reduce((n, s) => n + s.dropped, 0),
        queued: all.reduce((n, s) => n + s.queued, 0),
        errors: all.reduce((n, s) => n + s.errors, 0),
      };
    },
  };
}

/** A parsed LOG_TARGET. */
export interface LogTarget {
  readonly protocol: 'tcp' | 'udp';
  readonly host: string;
  readonly port: number;
}

/**
 * Reads LOG_TARGET: `host:port` (TCP), `tcp://host:port`, `udp://host:port`; an IPv6 host is
 * written in brackets (`[::1]:514`). Returns `null` for anything else. Never throws.
 */
export function parseLogTarget(value: string): LogTarget | null {
  let rest = value.trim();
  let protocol: 'tcp' | 'udp' = 'tcp';
  const scheme = /^([a-z]+):\/\//i.exec(rest);
  if (scheme) {
    const s = scheme[1]?.toLowerCase();
    if (s !== 'tcp' && s !== 'udp') return null;
    protocol = s;
    rest = rest.slice(scheme[0].length);
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(rest);
  if (!m) return null;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return null;
  const host = m[1] ?? m[2];
  if (!host) return null;
  return { protocol, host, port };
}

/** Lines kept while the TCP target is unreachable; beyond this, the oldest are dropped and counted. */
export const MAX_PENDING_LINES = 10_000;
/** Bytes kept while the target is unreachable: bounds memory whatever the line sizes. */
export const MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** First reconnect delay; doubles per failure up to {@link RECONNECT_MAX_MS}. */
export const RECONNECT_MIN_MS = 1_000;
/** Longest reconnect delay: a target back after an outage is found within this. */
export const RECONNECT_MAX_MS = 30_000;
/** How long close() waits for the backlog to reach the target before giving up. */
export const FLUSH_TIMEOUT_MS = 2_000;
/** Largest UDP datagram sent; longer lines are cut (RFC 5426 allows receivers to do the same). */
export const MAX_DATAGRAM_BYTES = 65_000;

/** Options of {@link createSyslogTcpSink}. */
export interface TcpSinkOptions {
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  /** @default MAX_PENDING_LINES */
  readonly maxPendingLines?: number;
  /** @default RECONNECT_MIN_MS */
  readonly reconnectMinMs?: number;
}

/**
 * A syslog-over-TCP sink with RFC 6587 octet-counted frames. It connects at once, keeps a bounded
 * backlog while the target is down or slow (dropping the oldest line and counting it when full),
 * reconnects with exponential backoff, and on close flushes within {@link FLUSH_TIMEOUT_MS}.
 * Delivery is at most once: a frame in flight when the connection breaks is lost.
 */
export function createSyslogTcpSink(options: TcpSinkOptions): EventSink {
  const maxLines = options.maxPendingLines ?? MAX_PENDING_LINES;
  const minDelay = options.reconnectMinMs ?? RECONNECT_MIN_MS;
  const name = `tcp://${options.host}:${options.port}`;
  const queue: Uint8Array[] = [];
  let queuedBytes = 0;
  let socket: Socket | null = null;
  let connected = false;
  let blocked = false;
  let closing = false;
  let delay = minDelay;
  let timer: NodeJS.Timeout | null = null;
  let written = 0;
  let dropped = 0;
  let errors = 0;
  const warnError = everyNth(options.log, 'warn', 'syslog target unreachable');
  const warnDrop = everyNth(options.log, 'warn', 'syslog backlog full, dropping oldest', 1000);

  const flush = (): void => {
    while (socket && connected && !blocked && queue.length > 0) {
      const frame = queue.shift() as Uint8Array;
      queuedBytes -= frame.byteLength;
      written++;
      if (!socket.write(frame)) blocked = true;
    }
  };

  const schedule = (): void => {
    if (closing || timer) return;
    timer = setTimeout(() => {
      timer = null;
      open();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, RECONNECT_MAX_MS);
  };

  const open = (): void => {
    if (closing) return;
    const s = connect({ host: options.host, port: options.port });
    socket = s;
    s.setNoDelay(true);
    s.on('connect', () => {
      connected = true;
      blocked = false;
      delay = minDelay;
      flush();
    });
    s.on('drain', () => {
      blocked = false;
      flush();
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      errors++;
      warnError({ target: name, code: err.code });
    });
    s.on('close', () => {
      if (socket === s) {
        socket = null;
        connected = false;
        blocked = false;
      }
      schedule();
    });
    // A target that never reads must not keep this process alive at exit.
    s.unref();
  };

  open();

  return {
    write(line) {
      const frame = encodeOctetCounted(line);
      if (socket && connected && !blocked && queue.length === 0) {
        written++;
        if (!socket.write(frame)) blocked = true;
        return;
      }
      queue.push(frame);
      queuedBytes += frame.byteLength;
      while (queue.length > maxLines || queuedBytes > MAX_PENDING_BYTES) {
        const old = queue.shift() as Uint8Array;
        queuedBytes -= old.byteLength;
        dropped++;
        warnDrop({ target: name });
      }
    },
    async close() {
      if (closing) return;
      closing = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const s = socket;
      if (s) await new Promise<void>((resolve) => {
        const deadline = setTimeout(() => {
          s.destroy();
          resolve();
        }, FLUSH_TIMEOUT_MS);
        const finish = (): void => {
          clearTimeout(deadline);
          resolve();
        };
        s.once('close', finish);
        const end = (): void => {
          flush();
          if (queue.length === 0) s.end();
          else s.once('drain', end);
        };
        if (connected) end();
        else s.once('connect', end);
      });
      dropped += queue.length;
      queue.length = 0;
      queuedBytes = 0;
    },
    stats: () => ({ name, written, dropped, queued: queue.length, errors, connected }),
  };
}

/** Options of {@link createSyslogUdpSink}. */
export interface UdpSinkOptions {
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
}

/** Datagrams handed to the kernel but not yet confirmed; beyond this, lines are dropped and counted. */
export const MAX_UDP_IN_FLIGHT = 1_000;

/** A syslog-over-UDP sink (RFC 5426): one line per datagram, cut at {@link MAX_DATAGRAM_BYTES}. */
export function createSyslogUdpSink(options: UdpSinkOptions): EventSink {
  const name = `udp://${options.host}:${options.port}`;
  const family = options.host.includes(':') ? 'udp6' : 'udp4';
  const socket: UdpSocket = createSocket(family);
  socket.unref();
  let written = 0;
  let dropped = 0;
  let errors = 0;
  let inFlight = 0;
  let closed = false;
  const warnError = everyNth(options.log, 'warn', 'syslog datagram failed');
  socket.on('error', () => {
    errors++;
  });
  return {
    write(line) {
      if (closed || inFlight >= MAX_UDP_IN_FLIGHT) {
        dropped++;
        return;
      }
      let bytes = Buffer.from(line, 'utf8');
      if (bytes.byteLength > MAX_DATAGRAM_BYTES) bytes = bytes.subarray(0, MAX_DATAGRAM_BYTES);
      inFlight++;
      socket.send(bytes, options.port, options.host, (err) => {
        inFlight--;
        if (err) {
          errors++;
          dropped++;
          warnError({ target: name, code: (err as NodeJS.ErrnoException).code });
        } else {
          written++;
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const deadline = Date.now() + FLUSH_TIMEOUT_MS;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
    stats: () => ({ name, written, dropped, queued: inFlight, errors }),
  };
}

/** Builds the sink for a parsed LOG_TARGET. */
export function createTargetSink(target: LogTarget, log: Logger): EventSink {
  return target.protocol === 'udp'
    ? createSyslogUdpSink({ host: target.host, port: target.port, log })
    : createSyslogTcpSink({ host: target.host, port: target.port, log });
}
