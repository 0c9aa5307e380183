// The pipeline end to end with real parts: util-linux `logger` → collector bundle (standalone
// process) → Kafka → ingester bundle (standalone process) → Postgres; SIGKILL of both workers
// mid-stream with every line found exactly once; and `decnet up` hosting both on the in-memory bus.
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bounty, credentials, logs, migrate, openDatabase, state, type Database } from '@decnet/db';
import { countRows, tableRows, truncateTables } from '@decnet/db/testing';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundle, ensureCommands, freePort, startProcess, tcpOpen, waitFor, type Proc } from './index.js';

const run = promisify(execFile);

const logger = (port: number, args: string[]) => run('logger', ['--rfc5424=notq', '-n', '127.0.0.1', '-P', String(port), ...args]);

let scratch: ScratchDatabase;
let database: Database;
let home: string;
const procs: Proc[] = [];

beforeAll(async () => {
  await ensureCommands({ logger: 'bsdutils' });
  await bundle(['worker-collector', 'worker-ingester', 'cli']);
  scratch = await createScratchDatabase();
  database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 2 });
  await migrate(database.db, silentLogger);
}, 180_000);
afterAll(async () => {
  await database.close();
  await scratch.drop();
});
beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'pipeline-e2e-'));
  await truncateTables(database, [logs, credentials, bounty, state]);
});
afterEach(async () => {
  for (const p of procs.splice(0)) await p.kill('SIGKILL');
  rmSync(home, { recursive: true, force: true });
});

const count = (match?: Partial<typeof logs.$inferSelect>): Promise<number> => countRows(database, logs, match);
const logRows = () => tableRows(database, logs);

function kafkaEnv(prefix: string, port: number, extra: Record<string, string> = {}): Record<string, string | undefined> {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS unset: add tools/testing/kafka-setup.ts to globalSetup');
  return {
    DECNET_BUS: 'kafka',
    KAFKA_BROKERS: brokers,
    DECNET_KAFKA_PREFIX: prefix,
    DATABASE_URL: scratch.url,
    DECNET_HOME: home,
    DECNET_LOG_LEVEL: 'warn',
    DECNET_COLLECTOR_PORT: String(port),
    DECNET_COLLECTOR_POLL_MS: '50',
    ...extra,
  };
}

const startCollector = (env: Record<string, string | undefined>) => {
  const p = startProcess('collector', ['dist/workers/collector/main.js'], { ...env, DECNET_INSTANCE_ID: `collector-${procs.length}` });
  procs.push(p);
  return p;
};
const startIngester = (env: Record<string, string | undefined>) => {
  const p = startProcess('ingester', ['dist/workers/ingester/main.js'], { ...env, DECNET_INSTANCE_ID: `ingester-${procs.length}` });
  procs.push(p);
  return p;
};

describe('logger → collector → Kafka → ingester → Postgres, standalone bundles', () => {
  it('stores lines sent with `logger --rfc5424` over UDP and over TCP with octet counting', async () => {
    const port = await freePort();
    const env = kafkaEnv(`e2e-logger-${process.pid}`, port);
    const collector = startCollector(env);
    const ingester = startIngester(env);
    await waitFor(() => tcpOpen(port), 30_000, [collector]);
    await logger(port, ['-d', '-t', 'ssh', '--msgid', 'auth_attempt', '--sd-id', 'relay@55555',
      '--sd-param', 'src_ip="203.0.113.9"', '--sd-param', 'principal="root"', '--sd-param', 'secret_printable="toor"',
      '--sd-param', `secret_b64="${Buffer.from('toor').toString('base64')}"`, 'udp attempt']);
    const file = join(home, 'lines.txt');
    writeFileSync(file, Array.from({ length: 300 }, (_, i) => `tcp line ${i} src_ip=198.51.100.${i % 250}`).join('\n') + '\n');
    await logger(port, ['--octet-count', '-T', '-t', 'ftp', '--msgid', 'command', '-f', file]);
    await waitFor(async () => (await count()) === 301, 90_000, [collector, ingester]);
    expect(new Set((await logRows()).filter((r) => r.service === 'ftp' && r.msg !== null).map((r) => r.msg)).size).toBe(300);
    const udp = (await tableRows(database, logs, { match: { service: 'ssh' } })).map((r) => ({
      service: r.service,
      event_type: r.event_type,
      attacker_ip: r.attacker_ip,
      fields: r.fields,
      msg: r.msg,
    }));
    expect(udp).toEqual([
      {
        service: 'ssh',
        event_type: 'auth_attempt',
        attacker_ip: '203.0.113.9',
        fields: { src_ip: '203.0.113.9', principal: 'root', secret_printable: 'toor', secret_b64: 'dG9vcg==' },
        msg: 'udp attempt',
      },
    ]);
    expect((await tableRows(database, credentials)).map((r) => ({ principal: r.principal, attempt_count: r.attempt_count }))).toEqual([
      { principal: 'root', attempt_count: 1 },
    ]);
    expect(await count({ attacker_ip: '198.51.100.7' })).toBe(2);
    expect(await collector.kill('SIGTERM')).toBe(0);
    expect(await ingester.kill('SIGTERM')).toBe(0);
  });

  it('finds every line of a growing file exactly once after SIGKILLs of collector and ingester', async () => {
    const port = await freePort();
    const file = join(home, 'decnet.log');
    writeFileSync(file, '');
    const env = kafkaEnv(`e2e-kill-${process.pid}`, port, { DECNET_COLLECTOR_FILES: file, DECNET_COLLECTOR_LISTEN: 'none' });
    const TOTAL = 2_000;
    // Every 50th line is written twice: identical lines are distinct events and must both stay.
    const lines: string[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const line = `<134>1 2026-05-02T06:00:25Z decky-01 ssh - login [relay@55555 seq="${i}" src_ip="10.9.${(i >> 8) & 255}.${i & 255}"]`;
      lines.push(line);
      if (i % 50 === 0) lines.push(line);
    }
    let collector = startCollector(env);
    let ingester = startIngester(env);
    let written = 0;
    const writer = (async () => {
      // About 7 s of writing, so every kill below lands mid-stream.
      while (written < lines.length) {
        const chunk = lines.slice(written, written + 20);
        appendFileSync(file, chunk.map((l) => `${l}\n`).join(''));
        written += chunk.length;
        await new Promise((r) => setTimeout(r, 70));
      }
    })();
    const at = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const midStream: number[] = [];
    await at(1_500);
    midStream.push(written);
    await collector.kill('SIGKILL');
    collector = startCollector(env);
    await at(1_500);
    midStream.push(written);
    await ingester.kill('SIGKILL');
    ingester = startIngester(env);
    await at(1_500);
    midStream.push(written);
    await Promise.all([collector.kill('SIGKILL'), ingester.kill('SIGKILL')]);
    collector = startCollector(env);
    ingester = startIngester(env);
    await writer;
    expect(midStream.every((n) => n > 0 && n < lines.length)).toBe(true);
    await waitFor(async () => (await count()) >= lines.length, 150_000, [collector, ingester]);
    await at(1_000);
    expect(await count()).toBe(lines.length);
    const bySeq = new Map<string | undefined, number>();
    for (const r of await logRows()) {
      const seq = typeof r.fields.seq === 'string' ? r.fields.seq : undefined;
      bySeq.set(seq, (bySeq.get(seq) ?? 0) + 1);
    }
    // count(DISTINCT …) leaves rows without a seq out.
    expect([...bySeq.keys()].filter((k) => k !== undefined)).toHaveLength(TOTAL);
    const repeated = [...bySeq]
      .filter(([, n]) => n > 1)
      .map(([seq, n]) => ({ seq: seq as string, n: String(n) }))
      .sort((a, b) => Number(a.seq) - Number(b.seq));
    expect(repeated.map((r) => [Number(r.seq), Number(r.n)])).toEqual(
      Array.from({ length: TOTAL / 50 }, (_, k) => [k * 50, 2]),
    );
    expect(await collector.kill('SIGTERM')).toBe(0);
    expect(await ingester.kill('SIGTERM')).toBe(0);
  }, 240_000);
});

describe('ingester instances share one Kafka consumer group', () => {
  it('stores each event once across two instances, including events published before they joined', async () => {
    const port = await freePort();
    const file = join(home, 'shared.log');
    const line = (i: number) => `<134>1 2026-05-02T06:00:25Z decky-01 ssh - login [relay@55555 seq="${i}" src_ip="10.8.${i >> 8}.${i & 255}"]\n`;
    const EARLY = 300;
    const TOTAL = 1_500;
    writeFileSync(file, Array.from({ length: EARLY }, (_, i) => line(i)).join(''));
    const env = kafkaEnv(`e2e-group-${process.pid}`, port, { DECNET_COLLECTOR_FILES: file, DECNET_COLLECTOR_LISTEN: 'none' });
    const collector = startCollector(env);
    // Let the collector publish the first lines before any ingester exists: the group must
    // start from the oldest retained event, not from the end.
    await new Promise((r) => setTimeout(r, 4_000));
    const a = startIngester({ ...env, DECNET_LOG_LEVEL: 'info' });
    const b = startIngester({ ...env, DECNET_LOG_LEVEL: 'info' });
    await waitFor(async () => (await count()) >= EARLY, 120_000, [collector, a, b]);
    // Both members are in the group by now; later lines spread over both (keyed by address).
    await waitFor(async () => [a, b].every((p) => p.output().includes('"ingester started"')), 30_000, [a, b]);
    await new Promise((r) => setTimeout(r, 3_000));
    appendFileSync(file, Array.from({ length: TOTAL - EARLY }, (_, i) => line(EARLY + i)).join(''));
    await waitFor(async () => (await count()) >= TOTAL, 120_000, [collector, a, b]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await count()).toBe(TOTAL);
    expect(await a.kill('SIGTERM')).toBe(0);
    expect(await b.kill('SIGTERM')).toBe(0);
    expect(await collector.kill('SIGTERM')).toBe(0);
    const insertedBy = (p: Proc) => {
      const stopped = p.output().split('\n').find((l) => l.includes('"ingester stopped"'));
      return stopped ? (JSON.parse(stopped) as { inserted: number }).inserted : -1;
    };
    expect(insertedBy(a) + insertedBy(b)).toBe(TOTAL);
    expect(insertedBy(a)).toBeGreaterThan(0);
    expect(insertedBy(b)).toBeGreaterThan(0);
  }, 240_000);
});

describe('decnet up hosts collector and ingester on the in-memory bus', () => {
  it('stores lines sent with logger while `decnet up --workers collector,ingester` runs', async () => {
    const port = await freePort();
    const up = startProcess('decnet-up', ['apps/cli/bin/decnet.js', 'up', '--workers', 'collector,ingester'], {
      DATABASE_URL: scratch.url,
      DECNET_HOME: home,
      DECNET_LOG_LEVEL: 'warn',
      DECNET_COLLECTOR_PORT: String(port),
      KAFKA_BROKERS: undefined,
    });
    procs.push(up);
    await waitFor(() => tcpOpen(port), 60_000, [up]);
    // Sent the moment the collector listens, possibly before the ingester has subscribed: the
    // in-memory bus retains recent events for a group that starts fromBeginning, as Kafka does.
    await logger(port, ['-T', '--octet-count', '-t', 'probe', 'first line']);
    const file = join(home, 'up-lines.txt');
    writeFileSync(file, Array.from({ length: 100 }, (_, i) => `up line ${i}`).join('\n') + '\n');
    await logger(port, ['-T', '--octet-count', '-t', 'telnet', '--msgid', 'command', '-f', file]);
    await logger(port, ['-d', '-t', 'telnet', '--msgid', 'command', 'over udp']);
    await waitFor(async () => (await count({ service: 'telnet' })) === 101, 30_000, [up]);
    await waitFor(async () => (await count({ service: 'probe' })) === 1, 30_000, [up]);
    expect(await up.kill('SIGTERM')).toBe(0);
  }, 120_000);
});
