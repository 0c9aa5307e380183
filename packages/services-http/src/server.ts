// Binds the http port through the kit (caps, idle timeouts, one session per TCP connection) and
// hands each admitted socket to a node:http server whose handler reads a bounded body and
// answers from the pure request handler. Malformed requests get Apache's 400 and are logged.
// node:http's own header and request timeouts only run for a server that listen()s itself, and
// this one is handed sockets, so the deadlines are the kit's wall-clock ones: headers within
// HTTP_HEADERS_TIMEOUT_S of a request's first byte, the whole request within
// HTTP_REQUEST_TIMEOUT_S, whatever trickles in meanwhile; idle keep-alive is separate.
import { realpathSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join, sep } from 'node:path';
import type { RunningService, ServiceRuntime, SessionEmitter, TcpConnection } from '@decnet/decky-kit';
import { MAX_BODY_BYTES, badRequest, handleRequest, type ResponsePlan, type SiteConfig } from './handler.js';
import type { HttpOptions } from './options.js';
import { SITES, requestTimeoutPage } from './site.js';

/** Largest file served from FILES_DIR: a response is built whole, so it bounds what one request can make the decoy hold. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Largest request head node:http parses (then 431). */
export const MAX_HEADER_BYTES = 16 * 1024;

/** A FILES_DIR reader that never leaves the directory (symlinks included). */
export function fileReader(dir: string): (path: string) => Buffer | null {
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    return () => null;
  }
  return (path) => {
    try {
      const decoded = decodeURIComponent(path);
      if (decoded.includes('\0')) return null;
      const real = realpathSync(join(root, decoded));
      if (real !== root && !real.startsWith(root + sep)) return null;
      const st = statSync(real);
      if (!st.isFile() || st.size > MAX_FILE_BYTES) return null;
      return readFileSync(real);
    } catch {
      return null;
    }
  };
}

function send(res: ServerResponse, plan: ResponsePlan): void {
  if (res.headersSent) return;
  const headers: [string, string][] = [...plan.headers, ['Content-Length', String(plan.body.length)]];
  res.writeHead(plan.status, headers.flat());
  res.end(plan.body);
}

/**
 * The deadlines of the request in progress on one connection: armed at accept and at the first
 * byte after a response, never pushed back by later bytes. Headers late: Apache's 408 (when a
 * request had begun) and close; request late: 408 unless the response started, then close.
 */
class RequestClock {
  private active = false;
  private bytesAtBegin = 0;
  private current: ServerResponse | null = null;
  private readonly headersMs: number;
  private readonly requestMs: number;

  constructor(
    private readonly connection: TcpConnection<'http'>,
    options: HttpOptions,
    private readonly server: string,
  ) {
    this.headersMs = options.headersTimeoutS * 1000;
    this.requestMs = options.requestTimeoutS * 1000;
  }

  /** A request began (accept, or bytes after the previous response): arms both deadlines. */
  begin(): void {
    if (this.active) return;
    this.active = true;
    this.current = null;
    this.bytesAtBegin = this.connection.socket.bytesRead;
    this.connection.armDeadline('headers', this.headersMs, () => this.timeout());
    this.connection.armDeadline('request', this.requestMs, () => this.timeout());
  }

  /** node:http parsed a request head: headers are in time; the request deadline runs until the response is sent. */
  headersDone(res: ServerResponse): void {
    this.begin();
    this.connection.clearDeadline('headers');
    this.current = res;
    res.once('finish', () => {
      this.connection.clearDeadline('request');
      this.current = null;
      this.active = false;
    });
  }

  /** Apache answers a request that had begun with 408 (silence for one that never did), then closes. */
  private timeout(): void {
    const socket = this.connection.socket;
    if (this.current?.headersSent || socket.bytesRead === this.bytesAtBegin || !socket.writable) return;
    const body = Buffer.from(requestTimeoutPage(this.server), 'latin1');
    const head =
      `HTTP/1.1 408 Request Timeout\r\nDate: ${new Date().toUTCString()}\r\nServer: ${this.server}\r\n` +
      `Content-Length: ${body.length}\r\nConnection: close\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n`;
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  }
}

/** Starts the http service on `options.port`. */
export async function startHttp(options: HttpOptions, runtime: ServiceRuntime<'http'>): Promise<RunningService> {
  const site = SITES[options.fakeApp];
  const config: SiteConfig = {
    site,
    server: options.serverHeader ?? site.server,
    responseCode: options.responseCode,
    ...(options.customBody !== undefined ? { customBody: options.customBody } : {}),
    extraHeaders: options.extraHeaders,
    ...(options.filesDir !== undefined ? { readFile: fileReader(options.filesDir) } : {}),
  };
  const sessions = new WeakMap<Socket, SessionEmitter<'http'>>();
  const requests = new WeakMap<Socket, RequestClock>();

  const http = createServer(
    // requestTimeout/headersTimeout are node's, which never run here (see the header); 0 says so.
    { requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: options.keepAliveTimeoutS * 1000, maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false },
    (req: IncomingMessage, res: ServerResponse) => {
      const session = sessions.get(req.socket);
      requests.get(req.socket)?.headersDone(res);
      const chunks: Buffer[] = [];
      let kept = 0;
      let total = 0;
      req.on('data', (d: Buffer) => {
        total += d.length;
        if (kept < MAX_BODY_BYTES) {
          const part = d.subarray(0, MAX_BODY_BYTES - kept);
          chunks.push(part);
          kept += part.length;
        }
      });
      req.on('error', () => undefined);
      req.on('end', () => {
        const { response, event } = handleRequest(
          {
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            version: req.httpVersion,
            rawHeaders: req.rawHeaders,
            body: Buffer.concat(chunks),
            bodyBytes: total,
            remoteAddr: `${session?.identity.srcIp ?? req.socket.remoteAddress ?? '-'}:${session?.identity.srcPort ?? req.socket.remotePort ?? 0}`,
          },
          config,
        );
        session?.emit('request', event);
        send(res, response);
      });
    },
  );
  http.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const session = sessions.get(socket);
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const raw = (err as unknown as { rawPacket?: unknown }).rawPacket;
    const preview = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
    const { response, event } = badRequest(config.server, `${session?.identity.srcIp ?? '-'}:${session?.identity.srcPort ?? 0}`, err.code ?? 'HPE_INVALID', preview);
    session?.emit('request', event);
    const head = `HTTP/1.1 400 Bad Request\r\n${response.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}Content-Length: ${response.body.length}\r\n\r\n`;
    socket.end(Buffer.concat([Buffer.from(head, 'latin1'), response.body]));
  });

  const listener = await runtime.listen({
    port: options.port,
    onConnection: (connection) => {
      sessions.set(connection.socket, connection.session);
      const clock = new RequestClock(connection, options, config.server);
      requests.set(connection.socket, clock);
      clock.begin();
      http.emit('connection', connection.socket);
      // Added after node:http took the socket, this listener switches it from the native parser
      // path to 'data' events, so the first byte of each keep-alive request starts its deadlines.
      connection.socket.on('data', () => clock.begin());
    },
  });
  return {
    port: listener.port,
    async close() {
      http.closeAllConnections();
      await listener.close();
    },
  };
}
