// The TCP side every service shares: accept with per-IP and global caps, one session emitter per
// connection with identity bound at accept, idle timeouts, bounded write buffers, connect and
// disconnect events, and a driver that runs a pure ProtocolMachine over a socket.
import { createServer, type Server, type Socket } from 'node:net';
import { everyNth, type Logger } from '@decnet/core';
import type { EventTypeFor, ServiceEmitter, SessionEmitter } from './emitter.js';
import { ServiceListenError } from './errors.js';
import type { CloseReason, ProtocolMachine, ProtocolStep } from './protocol.js';
import type { ConnectionTracker } from './tracker.js';

/** Bytes queued for a peer that does not read, beyond which the service stops reading from it. */
export const MAX_WRITE_BUFFER_BYTES = 1024 * 1024;
/** How long `close()` lets connections finish their last step before destroying them. */
export const SHUTDOWN_GRACE_MS = 1_000;

/** One accepted connection. */
export interface TcpConnection<S extends string = string> {
  readonly socket: Socket;
  readonly session: SessionEmitter<S>;
  /** Why it ended; `null` while open. */
  readonly closeReason: CloseReason | null;
  /** Sends bytes unless the connection is closing. Pauses reading while the peer is not reading. */
  write(data: string | Uint8Array): void;
  /** Flushes what was written, then closes. The first reason given wins. Idempotent. */
  end(reason?: CloseReason): void;
  /** Registers `fn` to run once when the connection is gone, before the disconnect event. */
  onClose(fn: (reason: CloseReason) => void): void;
}

/** Options of {@link listenTcp}. */
export interface ListenOptions<S extends string> {
  readonly host: string;
  readonly port: number;
  readonly emitter: ServiceEmitter<S>;
  readonly tracker: ConnectionTracker;
  readonly log: Logger;
  readonly idleTimeoutMs: number;
  /** Called for every admitted connection; the handler owns the protocol from here. */
  readonly onConnection: (connection: TcpConnection<S>) => void;
  /** Event emitted at accept (`connect`, `connection`), or none. */
  readonly connectEvent?: EventTypeFor<S> | null;
  /** Event emitted at close with duration/bytes/reason, or none. */
  readonly disconnectEvent?: EventTypeFor<S> | null;
  /** Bytes written to a refused connection before it is closed (`421 Too many connections\r\n`). */
  readonly refusalReply?: string;
}

/** A listening TCP service. */
export interface TcpListener {
  readonly host: string;
  /** The bound port (useful with port 0). */
  readonly port: number;
  /** Open connections now. */
  readonly connections: number;
  /** Stops accepting, ends every connection (SHUTDOWN_GRACE_MS), resolves when all are gone. Idempotent. */
  close(): Promise<void>;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; other addresses unchanged. */
export function normalizeRemoteIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/**
 * Binds a TCP listener and admits connections through `tracker`.
 * @throws ServiceListenError when the port cannot be bound.
 */
export async function listenTcp<S extends string>(options: ListenOptions<S>): Promise<TcpListener> {
  const live = new Set<Socket>();
  const closers = new Map<Socket, (reason: CloseReason) => void>();
  const warnRefused = everyNth(options.log, 'warn', 'connection refused by limits', 1000);
  const warnHandler = everyNth(options.log, 'warn', 'connection handler failed');
  let closing = false;

  const server: Server = createServer({ noDelay: true, pauseOnConnect: false }, (socket) => {
    const remote = socket.remoteAddress;
    if (closing || remote === undefined) {
      socket.destroy();
      return;
    }
    socket.on('error', () => undefined);
    const srcIp = normalizeRemoteIp(remote);
    const admission = options.tracker.tryAcquire(srcIp);
    if (!admission.ok) {
      warnRefused({ reason: admission.reason });
      if (options.refusalReply) socket.end(options.refusalReply);
      else socket.destroy();
      setTimeout(() => socket.destroy(), SHUTDOWN_GRACE_MS).unref();
      return;
    }
    live.add(socket);
    const session = options.emitter.openSession({
      srcIp,
      srcPort: socket.remotePort ?? 0,
      dstIp: normalizeRemoteIp(socket.localAddress ?? options.host),
      dstPort: socket.localPort ?? 0,
    });
    let reason: CloseReason | null = null;
    const closeFns: ((r: CloseReason) => void)[] = [];
    const end = (why: CloseReason = 'server_closed'): void => {
      if (reason === null) reason = why;
      if (socket.destroyed) return;
      socket.end();
      // A peer that never reads would keep the socket half-closed forever.
      setTimeout(() => socket.destroy(), SHUTDOWN_GRACE_MS).unref();
    };
    closers.set(socket, end);
    const connection: TcpConnection<S> = {
      socket,
      session,
      get closeReason() {
        return socket.destroyed || reason !== null ? reason ?? 'peer_closed' : null;
      },
      write(data) {
        if (socket.destroyed || !socket.writable) return;
        socket.write(data);
        if (socket.writableLength > MAX_WRITE_BUFFER_BYTES && !socket.isPaused()) {
          socket.pause();
          socket.once('drain', () => socket.resume());
        }
      },
      end,
      onClose(fn) {
        closeFns.push(fn);
      },
    };
    socket.setTimeout(options.idleTimeoutMs, () => end('idle_timeout'));
    socket.on('error', () => {
      if (reason === null) reason = 'error';
    });
    socket.once('close', () => {
      live.delete(socket);
      closers.delete(socket);
      admission.lease.release();
      const why = reason ?? 'peer_closed';
      for (const fn of closeFns) {
        try {
          fn(why);
        } catch (err) {
          warnHandler({ err: (err as Error).message });
        }
      }
      if (options.disconnectEvent) {
        session.emit(options.disconnectEvent, {
          duration_s: ((Date.now() - session.startedAt) / 1000).toFixed(3),
          bytes_in: socket.bytesRead,
          bytes_out: socket.bytesWritten,
          reason: why,
        });
      }
      session.close();
    });
    if (options.connectEvent) session.emit(options.connectEvent);
    try {
      options.onConnection(connection);
    } catch (err) {
      warnHandler({ err: (err as Error).message });
      end('error');
    }
  });
  server.on('error', (err) => options.log.error('listener error', { err: err.message }));

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(new ServiceListenError(String(options.emitter.service), options.host, options.port, err.code ?? 'UNKNOWN', { cause: err }));
    };
    server.once('error', onError);
    server.listen({ host: options.host, port: options.port, backlog: 511 }, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  let closed: Promise<void> | null = null;
  return {
    host: options.host,
    port,
    get connections() {
      return live.size;
    },
    close() {
      if (closed) return closed;
      closing = true;
      closed = new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const [, endFn] of closers) endFn('shutdown');
        const deadline = setTimeout(() => {
          for (const s of live) s.destroy();
        }, SHUTDOWN_GRACE_MS);
        deadline.unref();
      });
      return closed;
    },
  };
}

/** Options of {@link driveMachine}. */
export interface DriveOptions<T extends string, A> {
  /**
   * Performs a protocol action (an FTP data transfer...). `resume` feeds a later step back into
   * the connection (its replies are sent, its events emitted, its close honoured).
   */
  readonly onAction?: (action: A, resume: (step: ProtocolStep<T, A>) => void) => void;
  /** Called when the machine throws (a bug): the connection is closed and the failure counted. */
  readonly onFault?: (err: Error) => void;
}

/**
 * Runs a pure protocol machine over a connection: sends `start()`, feeds every chunk, sends
 * replies, emits events through the connection's session, performs actions, honours `close`, and
 * calls `end(reason)` exactly once when the connection goes away (its events are emitted, its
 * replies dropped). The returned `inject` applies a step the server obtained from the machine
 * outside `feed` (a timer-driven nudge); it is ignored once the connection ended.
 */
export function driveMachine<S extends string, A = never>(
  connection: TcpConnection<S>,
  machine: ProtocolMachine<EventTypeFor<S>, A>,
  options: DriveOptions<EventTypeFor<S>, A> = {},
): MachineDriver<EventTypeFor<S>, A> {
  let ended = false;
  const apply = (step: ProtocolStep<EventTypeFor<S>, A>, live: boolean): void => {
    for (const e of step.events) connection.session.emit(e.type, e.fields, e.options);
    if (!live) return;
    for (const r of step.replies) connection.write(r);
    if (step.actions && options.onAction) {
      for (const a of step.actions) options.onAction(a, (next) => !ended && apply(next, true));
    }
    if (step.close) connection.end('server_closed');
  };
  const guarded = (fn: () => ProtocolStep<EventTypeFor<S>, A>, live: boolean): void => {
    let step: ProtocolStep<EventTypeFor<S>, A>;
    try {
      step = fn();
    } catch (err) {
      options.onFault?.(err as Error);
      connection.end('error');
      return;
    }
    apply(step, live);
  };
  connection.onClose((reason) => {
    if (ended) return;
    ended = true;
    guarded(() => machine.end(reason), false);
  });
  guarded(() => machine.start(), true);
  connection.socket.on('data', (chunk: Buffer) => {
    if (ended || connection.closeReason !== null) return;
    guarded(() => machine.feed(chunk), true);
  });
  return {
    inject(fn) {
      if (ended || connection.closeReason !== null) return;
      guarded(fn, true);
    },
  };
}

/** Handle returned by {@link driveMachine}. */
export interface MachineDriver<T extends string, A> {
  /** Runs `fn` (a machine method) and applies its step, unless the connection has ended. */
  inject(fn: () => ProtocolStep<T, A>): void;
}
