// Binds the http port through the kit (caps, idle timeouts, one session per TCP connection) and
// hands each admitted socket to a node:http server whose handler reads a bounded body and
// answers from the pure request handler. Malformed requests get Apache's 400 and are logged.
import { realpathSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { join, sep } from 'node:path';
import type { RunningService, ServiceRuntime, SessionEmitter } from '@decnet/decky-kit';
import { MAX_BODY_BYTES, badRequest, handleRequest, type ResponsePlan, type SiteConfig } from './handler.js';
import type { HttpOptions } from './options.js';
import { SITES } from './site.js';

/** Largest file served from FILES_DIR. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Time allowed for a request's headers (slowloris bound). */
export const HEADERS_TIMEOUT_MS = 15_000;
/** Time allowed for a whole request. */
export const REQUEST_TIMEOUT_MS = 30_000;

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

  const http = createServer(
    { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024, requireHostHeader: false },
    (req: IncomingMessage, res: ServerResponse) => {
      const session = sessions.get(req.socket);
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
      http.emit('connection', connection.socket);
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
