// Binds the FTP control port through the kit and runs one pure FTP machine per connection; owns
// the side effects the machine asks for: passive data listeners (only the control connection's
// client may connect, one connection each, short deadlines) and the transfers over them.
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { normalizeRemoteIp, type RunningService, type ServiceRuntime, type TcpConnection } from '@decnet/decky-kit';
import type { FtpOptions } from './options.js';
import { createFtpMachine, type FtpAction, type FtpMachine, type TransferResult } from './protocol.js';

/** How long a passive listener waits for the client's data connection. */
export const DATA_CONNECT_TIMEOUT_MS = 10_000;
/** Longest a data transfer may take before it is abandoned. */
export const DATA_TRANSFER_TIMEOUT_MS = 30_000;

/** One passive data channel: a listener that admits one connection from the control client. */
class PassiveChannel {
  private socket: Socket | null = null;
  private waiters: ((s: Socket | null) => void)[] = [];
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {
    this.timer = setTimeout(() => this.close(), DATA_CONNECT_TIMEOUT_MS);
    this.timer.unref();
  }

  static open(host: string, clientIp: string): Promise<PassiveChannel | null> {
    return new Promise((resolve) => {
      let channel: PassiveChannel | null = null;
      const server = createServer((s) => {
        s.on('error', () => undefined);
        if (!channel || channel.socket || normalizeRemoteIp(s.remoteAddress ?? '') !== clientIp) {
          s.destroy();
          return;
        }
        channel.accept(s);
      });
      server.on('error', () => resolve(null));
      server.listen({ host, port: 0, backlog: 4 }, () => {
        const address = server.address();
        channel = new PassiveChannel(server, typeof address === 'object' && address ? address.port : 0);
        resolve(channel);
      });
    });
  }

  private accept(s: Socket): void {
    this.socket = s;
    clearTimeout(this.timer);
    this.server.close();
    for (const w of this.waiters.splice(0)) w(s);
  }

  private connection(): Promise<Socket | null> {
    if (this.socket) return Promise.resolve(this.socket);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async send(data: Buffer): Promise<TransferResult> {
    const s = await this.connection();
    if (!s) return { ok: false };
    return new Promise((resolve) => {
      const timer = setTimeout(() => s.destroy(), DATA_TRANSFER_TIMEOUT_MS);
      s.once('close', () => {
        clearTimeout(timer);
        resolve({ ok: true, bytes: data.length });
        this.close();
      });
      s.end(data);
    });
  }

  async receive(maxBytes: number): Promise<TransferResult> {
    const s = await this.connection();
    if (!s) return { ok: false };
    return new Promise((resolve) => {
      const hash = createHash('sha256');
      let bytes = 0;
      let truncated = false;
      const timer = setTimeout(() => s.destroy(), DATA_TRANSFER_TIMEOUT_MS);
      s.on('data', (d: Buffer) => {
        if (bytes + d.length > maxBytes) {
          hash.update(d.subarray(0, maxBytes - bytes));
          bytes = maxBytes;
          truncated = true;
          s.destroy();
          return;
        }
        bytes += d.length;
        hash.update(d);
      });
      s.once('close', () => {
        clearTimeout(timer);
        resolve({ ok: true, bytes, sha256: hash.digest('hex'), truncated });
        this.close();
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.server.close();
    this.socket?.destroy();
    for (const w of this.waiters.splice(0)) w(null);
  }
}

/** Handles one control connection. */
function serveConnection(connection: TcpConnection<'ftp'>, options: FtpOptions, runtime: ServiceRuntime<'ftp'>): void {
  const machine: FtpMachine = createFtpMachine({
    banner: options.banner,
    accept: options.accept,
    anonymous: options.anonymous,
    maxLineBytes: runtime.common.maxLineBytes,
    commandDeadlineMs: options.commandTimeoutS * 1000,
  });
  let channel: PassiveChannel | null = null;
  const clientIp = connection.session.identity.srcIp;
  const localIp = normalizeRemoteIp(connection.socket.localAddress ?? runtime.common.bind);
  connection.onClose(() => channel?.close());
  runtime.drive<FtpAction>(connection, machine, {
    onAction(action, resume) {
      switch (action.kind) {
        case 'open_passive':
          channel?.close();
          channel = null;
          void PassiveChannel.open(localIp, clientIp).then((c) => {
            if (connection.closeReason !== null) {
              c?.close();
              return;
            }
            channel = c;
            resume(machine.passiveOpened(c ? { ok: true, host: options.pasvAddress ?? localIp, port: c.port } : { ok: false }, action.extended));
          });
          return;
        case 'send': {
          const c = channel;
          channel = null;
          void (c ? c.send(action.data) : Promise.resolve<TransferResult>({ ok: false })).then((r) => resume(machine.transferFinished(r)));
          return;
        }
        case 'receive': {
          const c = channel;
          channel = null;
          void (c ? c.receive(action.maxBytes) : Promise.resolve<TransferResult>({ ok: false })).then((r) => resume(machine.transferFinished(r)));
          return;
        }
        case 'close_data':
          channel?.close();
          channel = null;
          return;
      }
    },
  });
}

/** Starts the FTP service on `options.port`. */
export async function startFtp(options: FtpOptions, runtime: ServiceRuntime<'ftp'>): Promise<RunningService> {
  const listener = await runtime.listen({
    port: options.port,
    connectEvent: 'connection',
    disconnectEvent: 'disconnect',
    refusalReply: '421 There are too many connections from your internet address.\r\n',
    onConnection: (connection) => serveConnection(connection, options, runtime),
  });
  return { port: listener.port, close: () => listener.close() };
}
