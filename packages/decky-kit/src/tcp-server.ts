// The TCP side every service shares: fair admission (a cap sheds the idlest connection of whoever
// holds the most, never the newcomer), one session emitter per connection with identity bound at
// accept, idle timeouts, wall-clock deadlines a trickle cannot reset, per-connection and
// per-service byte budgets, the process memory guard, bounded write buffers, connect/disconnect
// events, and a driver that runs a pure ProtocolMachine over a socket with back-pressure.
import { createServer, type Server, type Socket } from 'node:net';
import { everyNth, type Logger } from '@decnet/core';
import type { EventTypeFor, ServiceEmitter, SessionEmitter } from './emitter.js';
import { ServiceListenError } from './errors.js';
import type { MemoryGuard } from './memory-guard.js';
import type { CloseReason, DeadlineChange, ProtocolMachine, ProtocolStep } from './protocol.js';
import { networkOf, type ConnectionTracker, type ShedReason, type TrackedConnection } from './tracker.js';

/** Bytes queued for a peer that does not read, beyond which the service stops reading from it. */
export const MAX_WRITE_BUFFER_BYTES = 1024 * 1024;
/** How long `close()` lets connections finish their last step before destroying them. */
export const SHUTDOWN_GRACE_MS = 1_000;
/** How often open connections are swept: activity, write back-log, byte budgets. */
export const SWEEP_INTERVAL_MS = 250;
/** Default bytes one connection may hold (socket buffers plus what its protocol reader reports). */
export const DEFAULT_CONNECTION_BUDGET_BYTES = 4 * 1024 * 1024;
/** Default bytes all connections of one service may hold together. */
export const DEFAULT_SERVICE_BUDGET_BYTES = 64 * 1024 * 1024;

const EMPTY = new Uint8Array(0);

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
  /**
   * Arms the wall-clock deadline `name` to expire `ms` from now, unless one of that name is
   * already armed (received bytes never push a deadline back). On expiry `onExpire` runs (a last
   * reply), a `deadline_exceeded` event is emitted and the connection ends with reason `deadline`.
   */
  armDeadline(name: string, ms: number, onExpire?: () => void): void;
  /** Disarms the deadline `name` (every deadline without a name). */
  clearDeadline(name?: string): void;
  /** Stops reading from the peer until every hold `reason` placed is released. */
  holdInput(reason: string): void;
  releaseInput(reason: string): void;
  /** Tells the byte budget what the protocol reader buffers besides the socket (a parser's pending bytes). */
  reportHeld(fn: () => number): void;
  /** Bytes this connection holds now: socket buffers plus what {@link reportHeld} reports. */
  heldBytes(): number;
}

/** Byte budgets of a listener. */
export interface ByteBudgets {
  /** What one connection may hold; beyond, it is shed (`connection_budget`). */
  readonly connectionBytes: number;
  /** What all connections together may hold; beyond, the largest holders are shed (`service_budget`). */
  readonly serviceBytes: number;
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
  /** Bytes written to a connection shed to make room before it is closed (`421 Too many connections\r\n`). */
  readonly refusalReply?: string;
  /** @default DEFAULT_CONNECTION_BUDGET_BYTES and DEFAULT_SERVICE_BUDGET_BYTES */
  readonly budgets?: ByteBudgets;
  /** The process memory guard; none in tests that do not want one. */
  readonly memoryGuard?: MemoryGuard;
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

/** The per-connection state the listener keeps (and the tracker sees). */
interface Live<S extends string> extends TrackedConnection {
  readonly socket: Socket;
  readonly connection: TcpConnection<S>;
  lastBytesRead: number;
  shed(reason: ShedReason, fields: Record<string, string | number>): void;
}

/**
 * Binds a TCP listener and admits connections through `tracker`.
 * @throws ServiceListenError when the port cannot be bound.
 */
export async function listenTcp<S extends string>(options: ListenOptions<S>): Promise<TcpListener> {
  const live = new Map<Socket, Live<S>>();
  const warnShed = everyNth(options.log, 'warn', 'connection shed', 1000);
  const warnHandler = everyNth(options.log, 'warn', 'connection handler failed');
  const budgets = options.budgets ?? {
    connectionBytes: DEFAULT_CONNECTION_BUDGET_BYTES,
    serviceBytes: DEFAULT_SERVICE_BUDGET_BYTES,
  };
  const tracker = options.tracker as ConnectionTracker<Live<S>>;
  let closing = false;
  let sweeper: NodeJS.Timeout | null = null;

  const sweep = (): void => {
    const now = Date.now();
    let total = 0;
    const holders: [Live<S>, number][] = [];
    for (const entry of live.values()) {
      const read = entry.socket.bytesRead;
      if (read !== entry.lastBytesRead) {
        entry.lastBytesRead = read;
        entry.lastActivityAt = now;
      }
      if (entry.socket.writableLength > MAX_WRITE_BUFFER_BYTES) holdUntilDrained(entry.connection, entry.socket);
      const held = entry.connection.heldBytes();
      if (held > budgets.connectionBytes) {
        entry.shed('connection_budget', { held_bytes: held, budget_bytes: budgets.connectionBytes });
        continue;
      }
      total += held;
      holders.push([entry, held]);
    }
    if (total > budgets.serviceBytes) {
      holders.sort((a, b) => b[1] - a[1]);
      for (const [entry, held] of holders) {
        if (total <= budgets.serviceBytes) break;
        entry.shed('service_budget', { held_bytes: held, service_bytes: total, budget_bytes: budgets.serviceBytes });
        total -= held;
      }
    }
  };

  const server: Server = createServer({ noDelay: true, pauseOnConnect: false }, (socket) => {
    const remote = socket.remoteAddress;
    if (closing || remote === undefined) {
      socket.destroy();
      return;
    }
    socket.on('error', () => undefined);
    const srcIp = normalizeRemoteIp(remote);
    const session = options.emitter.openSession({
      srcIp,
      srcPort: socket.remotePort ?? 0,
      dstIp: normalizeRemoteIp(socket.localAddress ?? options.host),
      dstPort: socket.localPort ?? 0,
    });
    let reason: CloseReason | null = null;
    const closeFns: ((r: CloseReason) => void)[] = [];
    const deadlines = new Map<string, NodeJS.Timeout>();
    const holds = new Set<string>();
    let heldReporter: (() => number) | null = null;
    let unguard: () => void = () => undefined;

    const end = (why: CloseReason = 'server_closed'): void => {
      if (reason === null) reason = why;
      if (socket.destroyed) return;
      // Nothing read after the end is used: leave it in the kernel (the peer is back-pressured).
      holds.add('closing');
      socket.pause();
      socket.end();
      // A peer that never reads would keep the socket half-closed forever.
      setTimeout(() => socket.destroy(), SHUTDOWN_GRACE_MS).unref();
    };
    const clearDeadline = (name?: string): void => {
      for (const [key, timer] of deadlines) {
        if (name !== undefined && key !== name) continue;
        clearTimeout(timer);
        deadlines.delete(key);
      }
    };
    const connection: TcpConnection<S> = {
      socket,
      session,
      get closeReason() {
        return socket.destroyed || reason !== null ? (reason ?? 'peer_closed') : null;
      },
      write(data) {
        if (socket.destroyed || !socket.writable) return;
        socket.write(data);
        if (socket.writableLength > MAX_WRITE_BUFFER_BYTES) holdUntilDrained(connection, socket);
      },
      end,
      onClose(fn) {
        closeFns.push(fn);
      },
      armDeadline(name, ms, onExpire) {
        if (deadlines.has(name) || reason !== null || socket.destroyed) return;
        const armedAt = Date.now();
        const timer = setTimeout(() => {
          deadlines.delete(name);
          if (reason !== null || socket.destroyed) return;
          session.emit('deadline_exceeded' as EventTypeFor<S>, {
            deadline: name,
            limit_s: (ms / 1000).toFixed(3),
            elapsed_s: ((Date.now() - armedAt) / 1000).toFixed(3),
            bytes_in: socket.bytesRead,
          });
          try {
            onExpire?.();
          } catch (err) {
            warnHandler({ err: (err as Error).message });
          }
          end('deadline');
        }, ms);
        timer.unref();
        deadlines.set(name, timer);
      },
      clearDeadline,
      holdInput(why) {
        holds.add(why);
        if (!socket.isPaused()) socket.pause();
      },
      releaseInput(why) {
        if (!holds.delete(why) || holds.size > 0) return;
        if (!socket.destroyed) socket.resume();
      },
      reportHeld(fn) {
        heldReporter = fn;
      },
      heldBytes() {
        let extra = 0;
        try {
          extra = heldReporter?.() ?? 0;
        } catch {
          extra = 0;
        }
        return socket.writableLength + socket.readableLength + extra;
      },
    };

    const now = Date.now();
    const entry: Live<S> = {
      ip: srcIp,
      prefix: networkOf(srcIp),
      openedAt: now,
      lastActivityAt: now,
      lastBytesRead: 0,
      socket,
      connection,
      shed(why, fields) {
        if (reason !== null || socket.destroyed) return;
        reason = 'shed';
        warnShed({ reason: why });
        session.emit('connection_shed' as EventTypeFor<S>, { reason: why, ...fields }, { severity: 'warning' });
        if (options.refusalReply && why !== 'memory_guard' && socket.writable && socket.writableLength === 0)
          socket.write(options.refusalReply);
        // Shedding frees memory and room now: no grace, the peer may not be reading.
        socket.destroy();
      },
    };
    const admission = tracker.admit(entry);
    for (const e of admission.evicted) {
      e.victim.shed(e.reason, { held_by_source: e.heldBySource, limit: limitOf(tracker, e.reason) });
    }
    live.set(socket, entry);
    if (options.memoryGuard) {
      unguard = options.memoryGuard.register({
        openedAt: entry.openedAt,
        shedForMemory: (rssMb, ceilingMb) => entry.shed('memory_guard', { rss_mb: rssMb, ceiling_mb: ceilingMb }),
      });
    }
    if (!sweeper) {
      sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
      sweeper.unref();
    }

    socket.setTimeout(options.idleTimeoutMs, () => end('idle_timeout'));
    socket.on('error', () => {
      if (reason === null) reason = 'error';
    });
    socket.once('close', () => {
      live.delete(socket);
      admission.lease.release();
      unguard();
      clearDeadline();
      if (live.size === 0 && sweeper) {
        clearInterval(sweeper);
        sweeper = null;
      }
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
    if (options.memoryGuard?.underPressure) {
      // The newest connection of all: under memory pressure it is the first to go.
      entry.shed('memory_guard', {
        rss_mb: options.memoryGuard.lastRssMb,
        ceiling_mb: Math.round(options.memoryGuard.ceilingBytes / 1048576),
      });
      return;
    }
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
      reject(
        new ServiceListenError(String(options.emitter.service), options.host, options.port, err.code ?? 'UNKNOWN', {
          cause: err,
        }),
      );
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
        for (const entry of live.values()) entry.connection.end('shutdown');
        const deadline = setTimeout(() => {
          for (const s of live.keys()) s.destroy();
        }, SHUTDOWN_GRACE_MS);
        deadline.unref();
      });
      return closed;
    },
  };
}

function limitOf(tracker: ConnectionTracker<TrackedConnection>, reason: ShedReason): number {
  if (reason === 'per_ip_limit') return tracker.limits.maxPerIp;
  if (reason === 'per_prefix_limit') return tracker.limits.maxPerPrefix;
  return tracker.limits.maxConnections;
}

/** Sockets already waiting for 'drain' to release their write_backlog hold. */
const drainWaiters = new WeakSet<Socket>();

/** Stops reading from a peer that is not reading our replies, until its queue drains. */
function holdUntilDrained(connection: TcpConnection<string>, socket: Socket): void {
  if (socket.destroyed || drainWaiters.has(socket)) return;
  drainWaiters.add(socket);
  connection.holdInput('write_backlog');
  socket.once('drain', () => {
    drainWaiters.delete(socket);
    connection.releaseInput('write_backlog');
  });
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
 * replies, emits events through the connection's session, performs actions, applies deadline
 * changes, honours `close`, and calls `end(reason)` exactly once when the connection goes away
 * (its events are emitted, its replies dropped). While the machine reports `pending()` (it
 * stopped early to bound one step's output), reading is held and the machine is fed an empty
 * chunk each time the socket drains. The returned `inject` applies a step the server obtained
 * from the machine outside `feed` (a timer-driven nudge); it is ignored once the connection ended.
 */
export function driveMachine<S extends string, A = never>(
  connection: TcpConnection<S>,
  machine: ProtocolMachine<EventTypeFor<S>, A>,
  options: DriveOptions<EventTypeFor<S>, A> = {},
): MachineDriver<EventTypeFor<S>, A> {
  let ended = false;
  let pumping = false;
  const socket = connection.socket;
  if (machine.held) connection.reportHeld(() => machine.held?.() ?? 0);

  const expire = (name: string) => (): void => {
    if (ended || !machine.expire) return;
    guarded(() => (machine.expire as (n: string) => ProtocolStep<EventTypeFor<S>, A>)(name), true);
  };
  const applyDeadlines = (changes: readonly DeadlineChange[]): void => {
    for (const d of changes) {
      if (d.ms === null) connection.clearDeadline(d.name);
      else connection.armDeadline(d.name, d.ms, expire(d.name));
    }
  };
  let scheduled = false;
  const pump = (): void => {
    if (ended || connection.closeReason !== null || !machine.pending?.()) {
      if (pumping) {
        pumping = false;
        connection.releaseInput('machine_pending');
      }
      return;
    }
    if (!pumping) {
      pumping = true;
      connection.holdInput('machine_pending');
    }
    if (scheduled) return;
    scheduled = true;
    const next = (): void => {
      scheduled = false;
      if (ended || connection.closeReason !== null) return;
      const step = guarded(() => machine.feed(EMPTY), true);
      // A machine waiting for an action's outcome makes no progress: input stays held and the
      // action's resume pumps again.
      if (step && (step.replies.length > 0 || step.events.length > 0 || (step.actions?.length ?? 0) > 0 || step.close))
        pump();
    };
    if (socket.writableLength > 0) socket.once('drain', next);
    else setImmediate(next);
  };
  const apply = (step: ProtocolStep<EventTypeFor<S>, A>, live: boolean): void => {
    for (const e of step.events) connection.session.emit(e.type, e.fields, e.options);
    if (!live) return;
    for (const r of step.replies) connection.write(r);
    if (step.deadlines) applyDeadlines(step.deadlines);
    if (step.actions && options.onAction) {
      for (const a of step.actions) {
        options.onAction(a, (next) => {
          if (ended) return;
          apply(next, true);
          pump();
        });
      }
    }
    if (step.close) connection.end('server_closed');
  };
  const guarded = (
    fn: () => ProtocolStep<EventTypeFor<S>, A>,
    live: boolean,
  ): ProtocolStep<EventTypeFor<S>, A> | null => {
    let step: ProtocolStep<EventTypeFor<S>, A>;
    try {
      step = fn();
    } catch (err) {
      options.onFault?.(err as Error);
      connection.end('error');
      return null;
    }
    apply(step, live);
    return step;
  };
  connection.onClose((reason) => {
    if (ended) return;
    ended = true;
    guarded(() => machine.end(reason), false);
  });
  guarded(() => machine.start(), true);
  socket.on('data', (chunk: Buffer) => {
    if (ended || connection.closeReason !== null) return;
    guarded(() => machine.feed(chunk), true);
    if (!pumping) pump();
  });
  return {
    inject(fn) {
      if (ended || connection.closeReason !== null) return;
      guarded(fn, true);
      if (!pumping) pump();
    },
  };
}

/** Handle returned by {@link driveMachine}. */
export interface MachineDriver<T extends string, A> {
  /** Runs `fn` (a machine method) and applies its step, unless the connection has ended. */
  inject(fn: () => ProtocolStep<T, A>): void;
}
