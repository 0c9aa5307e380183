// A bounded connection flood against one loopback port: bursts of connections that hold
// half-open, send binary garbage, send an oversized line, reset at once, or half-close. Used by
// every service's flood test (the service must keep answering and keep its memory bounded).
import { connect, type Socket } from 'node:net';

/** Options of {@link floodTcp}. */
export interface FloodOptions {
  /** @default 500 */
  readonly connections?: number;
  /** Connections opened at once. @default 50 */
  readonly burst?: number;
  /** Bytes of garbage per garbage connection. @default 4096 */
  readonly garbageBytes?: number;
  /** Length of the oversized line. @default 256 KiB */
  readonly longLineBytes?: number;
  /** Per-connection time limit. @default 2000 */
  readonly connectionTimeoutMs?: number;
  /** Seed of the garbage generator. @default 1 */
  readonly seed?: number;
}

/** What the flood saw. */
export interface FloodReport {
  readonly attempted: number;
  /** Connections the server accepted (the TCP handshake completed). */
  readonly connected: number;
  /** Connections that errored (reset or refused by limits). */
  readonly errors: number;
  /** Bytes the server sent back in total. */
  readonly bytesReceived: number;
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Floods `host:port` with `connections` connections in bursts. Held (half-open) sockets stay
 * open until the flood ends, then all are destroyed. Never rejects.
 */
export async function floodTcp(port: number, options: FloodOptions = {}, host = '127.0.0.1'): Promise<FloodReport> {
  const total = options.connections ?? 500;
  const burst = options.burst ?? 50;
  const timeoutMs = options.connectionTimeoutMs ?? 2_000;
  const random = prng(options.seed ?? 1);
  const garbage = (n: number): Buffer => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
    return b;
  };
  const held: Socket[] = [];
  let connected = 0;
  let errors = 0;
  let bytesReceived = 0;

  const one = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const s = connect({ host, port });
      let settled = false;
      const done = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        if (i % 5 !== 0) s.destroy();
        done();
      }, timeoutMs);
      s.on('data', (d: Buffer) => (bytesReceived += d.length));
      s.on('error', () => {
        errors++;
        done();
      });
      s.on('close', done);
      s.on('connect', () => {
        connected++;
        switch (i % 5) {
          case 0:
            held.push(s);
            done();
            break;
          case 1:
            s.write(garbage(options.garbageBytes ?? 4096));
            s.end();
            break;
          case 2:
            s.write(Buffer.alloc(options.longLineBytes ?? 256 * 1024, 0x41));
            setTimeout(() => s.destroy(), 200);
            break;
          case 3:
            s.resetAndDestroy();
            done();
            break;
          default:
            s.end(garbage(512));
            break;
        }
      });
    });

  for (let start = 0; start < total; start += burst) {
    const batch: Promise<void>[] = [];
    for (let i = start; i < Math.min(total, start + burst); i++) batch.push(one(i));
    await Promise.all(batch);
  }
  for (const s of held) s.destroy();
  return { attempted: total, connected, errors, bytesReceived };
}
