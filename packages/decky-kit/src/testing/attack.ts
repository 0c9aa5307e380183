// Attacks the hardening tests run against a service bundle: a huge declared length followed by a
// stream of bytes as fast as loopback takes them (reconnecting when the decoy hangs up), a
// 1-byte trickle timed against a deadline, and a horde of idle connections from many loopback
// addresses. Plus an RSS sampler for the child under attack.
import { connect, type Socket } from 'node:net';
import { readRssKb } from './harness.js';

/** Options of {@link streamAttack}. */
export interface StreamAttackOptions {
  readonly port: number;
  /** Bytes sent first on every connection (an identification line and a length field). */
  readonly prefix: Buffer;
  /** Parallel attackers. @default 3 */
  readonly connections?: number;
  /** Bytes each attacker tries to stream in total, over as many connections as it takes. @default 1 GiB */
  readonly bytesPerAttacker?: number;
  /** Each attacker stops after this long even if it could not send everything. @default 8000 */
  readonly maxDurationMs?: number;
  /** Filler byte. @default 0 */
  readonly fill?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

/** What a {@link streamAttack} did. */
export interface StreamAttackReport {
  /** Bytes written into sockets (accepted by the local kernel), all attackers together. */
  readonly bytesSent: number;
  readonly connectionsOpened: number;
  /** Connections the decoy closed (or reset) while the attacker was still sending. */
  readonly closedByDecoy: number;
  readonly durationMs: number;
}

const CHUNK = Buffer.alloc(1024 * 1024);

/** The RSS a decoy must stay under while attacked (issue 20): about three times an idle service. */
export const MAX_ATTACK_RSS_KB = 150 * 1024;
/** The idle horde of issue 20: 600 connections from 20 addresses (each in its own /24). */
export const HORDE = { addresses: 20, perAddress: 30 } as const;
/** How long a newcomer may wait for a complete exchange while the horde holds the decoy. */
export const NEWCOMER_DEADLINE_MS = 5_000;

/**
 * Opens the {@link HORDE} against `port` (from 127.1.0.1 … 127.20.0.1, so a client on 127.0.0.1 is
 * a new address in a new network), runs `exchange` and times it, then closes the horde.
 */
export async function duringIdleHorde<T>(
  port: number,
  exchange: () => Promise<T>,
): Promise<{ result: T; ms: number; opened: number; stillOpen: number }> {
  const horde = await idleHorde({ port, addresses: loopbackAddresses(HORDE.addresses), perAddress: HORDE.perAddress });
  try {
    const started = Date.now();
    const result = await exchange();
    const ms = Date.now() - started;
    return { result, ms, opened: horde.opened, stillOpen: horde.open() };
  } finally {
    horde.close();
  }
}

/** Streams on one connection until `budget` bytes are written or the peer goes away; resolves with the bytes written. */
function streamOne(
  port: number,
  host: string,
  prefix: Buffer,
  budget: number,
  fill: Buffer,
  deadline: number,
): Promise<{ sent: number; closed: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host, port });
    let sent = 0;
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ sent, closed });
    };
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('data', () => undefined);
    const pump = (): void => {
      while (!done && sent < budget && Date.now() < deadline) {
        const piece = budget - sent >= fill.length ? fill : fill.subarray(0, budget - sent);
        sent += piece.length;
        if (!socket.write(piece)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!done) finish(false);
    };
    socket.once('connect', () => {
      socket.write(prefix);
      sent += prefix.length;
      pump();
    });
  });
}

/**
 * Runs `connections` attackers in parallel; each connects, sends `prefix`, then streams filler as
 * fast as the socket takes it, reconnecting whenever the decoy closes, until it streamed
 * `bytesPerAttacker` or `maxDurationMs` passed. Never rejects.
 */
export async function streamAttack(options: StreamAttackOptions): Promise<StreamAttackReport> {
  const started = Date.now();
  const deadline = started + (options.maxDurationMs ?? 8_000);
  const fill = options.fill === undefined || options.fill === 0 ? CHUNK : Buffer.alloc(CHUNK.length, options.fill);
  const perAttacker = options.bytesPerAttacker ?? 1024 * 1024 * 1024;
  let bytesSent = 0;
  let connectionsOpened = 0;
  let closedByDecoy = 0;
  const attacker = async (): Promise<void> => {
    let sent = 0;
    while (sent < perAttacker && Date.now() < deadline) {
      connectionsOpened++;
      const r = await streamOne(
        options.port,
        options.host ?? '127.0.0.1',
        options.prefix,
        perAttacker - sent,
        fill,
        deadline,
      );
      sent += r.sent;
      if (r.closed) closedByDecoy++;
    }
    bytesSent += sent;
  };
  await Promise.all(Array.from({ length: options.connections ?? 3 }, attacker));
  return { bytesSent, connectionsOpened, closedByDecoy, durationMs: Date.now() - started };
}

/** Samples a process's RSS every `intervalMs` until stopped; `stop()` returns the largest sample in KiB. */
export function sampleRss(pid: number, intervalMs = 50): { stop(): number; readonly maxKb: number } {
  let max = readRssKb(pid);
  const timer = setInterval(() => {
    max = Math.max(max, readRssKb(pid));
  }, intervalMs);
  return {
    get maxKb() {
      return max;
    },
    stop() {
      clearInterval(timer);
      max = Math.max(max, readRssKb(pid));
      return max;
    },
  };
}

/** Options of {@link trickle}. */
export interface TrickleOptions {
  readonly port: number;
  /** Bytes sent one at a time, in order, cycling (a request or command line that never ends). */
  readonly bytes: Buffer;
  /** @default 5000 */
  readonly intervalMs?: number;
  /** Gives up (the decoy never cut it) after this long. @default 120000 */
  readonly giveUpMs?: number;
  /** Bytes sent at once before the trickle starts (a greeting answer, `DATA\r\n`...). */
  readonly preamble?: Buffer;
  /** Wait for this text from the decoy before the preamble. */
  readonly waitFor?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

/** How a trickle ended. */
export interface TrickleReport {
  /** Milliseconds from the first trickled byte (or connect) to the decoy's close; `null` when it never closed. */
  readonly closedAfterMs: number | null;
  /** Milliseconds from connect to the decoy's close. */
  readonly sinceConnectMs: number | null;
  readonly bytesTrickled: number;
  /** What the decoy sent. */
  readonly received: string;
}

/**
 * Connects, optionally waits for `waitFor` and sends `preamble`, then sends one byte of `bytes`
 * every `intervalMs` (the first at once) until the decoy closes the connection. Never rejects.
 */
export function trickle(options: TrickleOptions): Promise<TrickleReport> {
  return new Promise((resolve) => {
    const socket = connect({ host: options.host ?? '127.0.0.1', port: options.port });
    const connectedAt = Date.now();
    let startedAt = connectedAt;
    let received = '';
    let sent = 0;
    let timer: NodeJS.Timeout | null = null;
    let started = false;
    const giveUp = setTimeout(() => finish(false), options.giveUpMs ?? 120_000);
    const finish = (closed: boolean): void => {
      if (timer) clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      const now = Date.now();
      resolve({
        closedAfterMs: closed ? now - startedAt : null,
        sinceConnectMs: closed ? now - connectedAt : null,
        bytesTrickled: sent,
        received,
      });
    };
    const start = (): void => {
      if (started) return;
      started = true;
      if (options.preamble) socket.write(options.preamble);
      startedAt = Date.now();
      const one = (): void => {
        socket.write(options.bytes.subarray(sent % options.bytes.length, (sent % options.bytes.length) + 1));
        sent++;
      };
      one();
      timer = setInterval(one, options.intervalMs ?? 5_000);
    };
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
      if (options.waitFor !== undefined && received.includes(options.waitFor)) start();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => finish(true));
    socket.once('connect', () => {
      if (options.waitFor === undefined) start();
    });
  });
}

/** Options of {@link idleHorde}. */
export interface IdleHordeOptions {
  readonly port: number;
  /** Source addresses (loopback: all of 127/8 works on Linux). */
  readonly addresses: readonly string[];
  /** Connections per address. */
  readonly perAddress: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

/** The open connections of a horde. */
export interface IdleHorde {
  /** Connections that completed the TCP handshake. */
  readonly opened: number;
  /** Of those, connections still open (the decoy shed the rest). */
  open(): number;
  close(): void;
}

/** `count` loopback source addresses, one per /24 (127.<i+1>.0.1): each its own address and network. */
export function loopbackAddresses(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.${i + 1}.0.1`);
}

/**
 * Opens `perAddress` connections from each address and leaves them idle (they read what the decoy
 * sends and send nothing). Resolves once every attempt connected or failed.
 */
export async function idleHorde(options: IdleHordeOptions): Promise<IdleHorde> {
  const sockets: Socket[] = [];
  let opened = 0;
  const one = (localAddress: string): Promise<void> =>
    new Promise((resolve) => {
      const s = connect({ host: options.host ?? '127.0.0.1', port: options.port, localAddress });
      s.on('data', () => undefined);
      s.on('error', () => resolve());
      s.once('connect', () => {
        opened++;
        sockets.push(s);
        resolve();
      });
    });
  for (const address of options.addresses) {
    await Promise.all(Array.from({ length: options.perAddress }, () => one(address)));
  }
  return {
    opened,
    open: () => sockets.filter((s) => !s.destroyed && s.readyState === 'open').length,
    close() {
      for (const s of sockets) s.destroy();
    },
  };
}
