// The mutual-TLS server: TLS 1.2+, a client certificate chaining to the decnet CA is required,
// the sender is its certificate's CN (checked here, fail closed), and each connection gets a
// LinkSession. Bad handshakes, bad identities and bad bytes are counted and logged at a
// bounded rate; none of them affects another connection.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { everyNth, type Logger } from '@decnet/core';
import { LINK_ALPN, LINK_MIN_TLS_VERSION, peerIdentity } from '@decnet/pki';
import { ListenError, ListenerTlsError } from './errors.js';
import type { CompiledListenerOptions } from './options.js';
import type { PublishItem } from './record.js';
import { LinkSession, emptyCounters, type CloseReason, type ListenerCounters, type PublishResult } from './session.js';

/** PEM texts the server presents and trusts. */
export interface ListenerTlsMaterial {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** Everything {@link ListenerServer} needs. */
export interface ListenerServerOptions
  extends Pick<CompiledListenerOptions, 'bind' | 'port' | 'maxFrameBytes' | 'maxConnections' | 'idleTimeoutSec' | 'handshakeTimeoutMs' | 'maxInflight'> {
  readonly tls: ListenerTlsMaterial;
  /** Publishes one event; must settle (see {@link PublishResult}). */
  readonly publish: (item: PublishItem) => Promise<PublishResult>;
  readonly log: Logger;
  /** @default Date.now */
  readonly now?: () => number;
  readonly onPublished?: () => void;
}

/** TCP keepalive probes start after this much silence, so dead peers are noticed. */
const KEEPALIVE_MS = 60_000;

/** After draining, how long ended connections get to flush their last ack before being destroyed. */
const CLOSE_GRACE_MS = 1_000;

/** Counters of the server: the sessions' plus connections refused at the limit. */
export interface ServerCounters extends ListenerCounters {
  refusedLimit: number;
  active: number;
}

/** A listening mutual-TLS syslog server. */
export class ListenerServer {
  private readonly shared: ListenerCounters = emptyCounters();
  private refusedLimit = 0;
  private readonly server: tls.Server;
  private readonly sessions = new Map<tls.TLSSocket, LinkSession>();
  private readonly warnTls: (meta?: Record<string, unknown>) => number;
  private readonly warnIdentity: (meta?: Record<string, unknown>) => number;
  private readonly warnClosed: (meta?: Record<string, unknown>) => number;
  private readonly warnMalformed: (meta?: Record<string, unknown>) => number;
  private closing = false;

  /** @throws ListenerTlsError when the key, certificate or CA cannot be used. */
  constructor(private readonly options: ListenerServerOptions) {
    const { log } = options;
    this.warnTls = everyNth(log, 'warn', 'TLS handshake refused');
    this.warnIdentity = everyNth(log, 'warn', 'client certificate has no usable CN; connection refused');
    this.warnClosed = everyNth(log, 'warn', 'connection closed: bad input');
    this.warnMalformed = everyNth(log, 'info', 'line is not RFC 5424; skipped', 1000);
    try {
      this.server = tls.createServer({
        cert: options.tls.cert,
        key: options.tls.key,
        ca: options.tls.ca,
        requestCert: true,
        rejectUnauthorized: true,
        minVersion: LINK_MIN_TLS_VERSION,
        ALPNProtocols: [LINK_ALPN],
        handshakeTimeout: options.handshakeTimeoutMs,
      });
    } catch (err) {
      throw new ListenerTlsError('certificate/key/CA', (err as Error).message, { cause: err });
    }
    this.server.maxConnections = options.maxConnections;
    this.server.on('drop', () => {
      this.refusedLimit++;
    });
    this.server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
      this.shared.refusedTls++;
      // Node closes the socket itself: a refused chain never reaches 'secureConnection'.
      this.warnTls({ code: err.code, reason: err.message.slice(0, 200), remote: socket.remoteAddress });
    });
    this.server.on('secureConnection', (socket) => this.accept(socket));
  }

  /** Counters so far. */
  get counters(): ServerCounters {
    return { ...this.shared, refusedLimit: this.refusedLimit, active: this.sessions.size };
  }

  /** The bound address, once listening. */
  get address(): AddressInfo | undefined {
    const address = this.server.address();
    return address && typeof address === 'object' ? address : undefined;
  }

  /**
   * Binds and starts accepting.
   * @throws ListenError when the address cannot be bound.
   */
  listen(): Promise<AddressInfo> {
    const { bind, port } = this.options;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(new ListenError(bind, port, { cause: err }));
      this.server.once('error', onError);
      this.server.listen(port, bind, () => {
        this.server.off('error', onError);
        this.server.on('error', (err) => this.options.log.error('listener server error', { err: err.message }));
        resolve(this.address as AddressInfo);
      });
    });
  }

  /**
   * Stops accepting, lets each connection finish its outstanding publishes (up to `drainMs`)
   * and acknowledge them, then closes every connection. Idempotent.
   */
  async close(drainMs: number): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.sessions.values()].map((session) => session.drain(drainMs)));
    // Drained sessions ended their sockets gracefully so the last acks get out; give them a moment.
    const deadline = Date.now() + CLOSE_GRACE_MS;
    while (this.sessions.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const socket of this.sessions.keys()) socket.destroy();
    await closed;
  }

  private accept(socket: tls.TLSSocket): void {
    if (this.closing || !socket.authorized) {
      socket.destroy();
      return;
    }
    const identity = peerIdentity(socket.getPeerCertificate());
    if (!identity.ok) {
      this.shared.refusedIdentity++;
      this.warnIdentity({ reason: identity.reason, remote: socket.remoteAddress });
      socket.destroy();
      return;
    }
    const peer = identity.name;
    const acked = socket.alpnProtocol === LINK_ALPN;
    this.shared.connections++;
    if (acked) this.shared.ackedConnections++;
    const remote = socket.remoteAddress;
    const session = new LinkSession(
      {
        peer,
        acked,
        connectionId: randomUUID(),
        maxFrameBytes: this.options.maxFrameBytes,
        maxInflight: this.options.maxInflight,
        publish: this.options.publish,
        counters: this.shared,
        now: this.options.now ?? Date.now,
        onMalformed: (code) => this.warnMalformed({ peer, code }),
        ...(this.options.onPublished ? { onPublished: this.options.onPublished } : {}),
      },
      {
        write: (bytes) => {
          if (!socket.destroyed) socket.write(bytes);
        },
        close: (reason: CloseReason) => {
          if (reason !== 'stopping') this.warnClosed({ peer, reason, remote });
          if (reason === 'stopping') socket.end();
          else socket.destroy();
        },
        pause: () => socket.pause(),
        resume: () => socket.resume(),
      },
    );
    this.sessions.set(socket, session);
    socket.setKeepAlive(true, KEEPALIVE_MS);
    socket.setTimeout(this.options.idleTimeoutSec * 1000, () => {
      this.shared.idleTimeouts++;
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => session.push(chunk));
    socket.on('end', () => session.end());
    socket.on('error', (err: NodeJS.ErrnoException) => this.options.log.debug('connection error', { peer, code: err.code }));
    socket.on('close', () => {
      session.detach();
      this.sessions.delete(socket);
    });
  }
}
