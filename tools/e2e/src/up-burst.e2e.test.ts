// A botnet-sized burst into `decnet up`: 200,000 RFC 5424 lines over 4 TCP connections into
// the embedded collector and ingester. The in-memory bus holds the collector back while the
// ingester's queue is full (TCP pushes back on the senders), so every line is stored once.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logs, migrate, openDatabase, type Database } from '@decnet/db';
import { countRows, tableRows } from '@decnet/db/testing';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, freePort, startProcess, tcpOpen, waitFor, type Proc } from './index.js';

const LINES = 200_000;
const CONNECTIONS = 4;

let scratch: ScratchDatabase;
let database: Database;
let home: string;
const procs: Proc[] = [];

beforeAll(async () => {
  await bundle(['worker-collector', 'worker-ingester', 'cli']);
  scratch = await createScratchDatabase();
  database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 2 });
  await migrate(database.db, silentLogger);
  home = mkdtempSync(join(tmpdir(), 'up-burst-e2e-'));
}, 180_000);
afterAll(async () => {
  for (const p of procs.splice(0)) await p.kill('SIGKILL');
  await database.close();
  await scratch.drop();
  rmSync(home, { recursive: true, force: true });
});

/** One RFC 5424 line with octet-counting framing, numbered so each is told apart by content. */
function frame(seq: number): string {
  const ts = new Date(Date.UTC(2026, 0, 1, 0, 0, 0, seq % 1000)).toISOString();
  const line =
    `<134>1 ${ts} decky-burst ssh - command ` +
    `[relay@55555 src_ip="198.51.100.${seq % 250}" command="echo ${seq}"] burst line ${seq}`;
  return `${Buffer.byteLength(line)} ${line}`;
}

/** Sends lines `from..to` (exclusive) on one connection, honouring TCP backpressure. */
function send(port: number, from: number, to: number): Promise<void> {
  return new Promise((done, fail) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      let seq = from;
      const pump = (): void => {
        while (seq < to) {
          let chunk = '';
          for (let k = 0; k < 500 && seq < to; k++, seq++) chunk += frame(seq);
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
        socket.end(() => done());
      };
      pump();
    });
    socket.once('error', fail);
  });
}

/** Peak resident set of `pid` so far (VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

describe('decnet up under a burst', () => {
  it(`stores all ${LINES} lines sent over ${CONNECTIONS} TCP connections exactly once, with bounded memory`, async () => {
    const port = await freePort();
    const up = startProcess('decnet-up', ['apps/cli/bin/decnet.js', 'up', '--workers', 'collector,ingester'], {
      DATABASE_URL: scratch.url,
      DECNET_HOME: home,
      DECNET_LOG_LEVEL: 'warn',
      DECNET_COLLECTOR_PORT: String(port),
      DECNET_COLLECTOR_LISTEN: 'tcp',
      KAFKA_BROKERS: undefined,
    });
    procs.push(up);
    await waitFor(() => tcpOpen(port), 60_000, [up]);
    const started = performance.now();
    const share = LINES / CONNECTIONS;
    await Promise.all(Array.from({ length: CONNECTIONS }, (_, i) => send(port, i * share, (i + 1) * share)));
    await waitFor(async () => (await countRows(database, logs, { decky: 'decky-burst' })) >= LINES, 240_000, [up]);
    const seconds = (performance.now() - started) / 1000;
    const stored = await tableRows(database, logs, { match: { decky: 'decky-burst' } });
    const rows = stored.length;
    // Every numbered line once: as many distinct messages as lines sent.
    expect(new Set(stored.map((r) => r.msg)).size).toBe(LINES);
    const peak = peakRssMiB(up.child.pid as number);
    process.stdout.write(
      `up-burst: ${LINES} lines in ${seconds.toFixed(1)} s (${Math.round(LINES / seconds)} lines/s), ` +
        `peak RSS of decnet up ${peak.toFixed(0)} MiB\n`,
    );
    expect(rows).toBe(LINES);
    // Bounded: the bus holds at most the ingester's queue, not the burst (200k lines ≈ 40 MB of text).
    expect(peak).toBeLessThan(700);
    expect(await up.kill('SIGTERM')).toBe(0);
  }, 300_000);
});
