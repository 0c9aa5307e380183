// The pipeline group as an operator runs it: `decnet supervise pipeline` hosts collector, listener
// and ingester in one process on the real Kafka and a scratch Postgres (migrated with `decnet db
// migrate`, certificates from `decnet pki`). Lines arrive from util-linux `logger` (UDP and TCP
// octet-counted), from a file the collector tails, from `decnet run forwarder` and `openssl
// s_client` over mutual TLS, and every one must land in `logs` exactly once; garbage on both
// ports must not take the group down; SIGTERM mid-stream exits 0 and a restart loses nothing.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { credentials, logs, openDatabase, type Database } from '@decnet/db';
import { tableRows } from '@decnet/db/testing';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT, bundle, ensureCommands, freePort, startProcess, tcpOpen, waitFor, type Proc } from './index.js';

const run = promisify(execFile);

/** The host's shutdown deadline (DEFAULT_SHUTDOWN_DEADLINE_MS): SIGTERM must end the group within it. */
const SHUTDOWN_DEADLINE_MS = 15_000;
/** Frame cap on both ports, small so an oversized frame is cheap to send (and fits in a datagram). */
const MAX_FRAME_BYTES = 4096;
/** Client certificate names: the forwarder's host, and a plain RFC 5425 sender. */
const AGENT_CN = 'agent-07';
const SENDER_CN = 'sender-02';
const MEMBERS = ['collector', 'ingester', 'listener'] as const;

let scratch: ScratchDatabase;
let database: Database;
let root: string;
/** DECNET_HOME of the master (group, CLI, PKI) and of the decky host (forwarder). */
let master: string;
let agent: string;
let collectorPort: number;
let listenerPort: number;
/** The file the collector tails on the master, and the one the forwarder ships from the decky. */
let localLog: string;
let deckyLog: string;
let groupEnv: Record<string, string | undefined>;
let group: Proc;
let forwarder: Proc;
/** Every good line's MSG sent so far: each must be stored exactly once, nothing else may be. */
const sent = new Set<string>();

/** A `decnet` command to completion; fails with its output unless it exits 0. */
async function cli(args: string[], env: Record<string, string | undefined>): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, ['apps/cli/bin/decnet.js', ...args], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`decnet ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: err });
  }
}

/** util-linux `logger` in RFC 5424 mode against the collector. */
const logger = (args: string[]) => run('logger', ['--rfc5424=notq', '-n', '127.0.0.1', '-P', String(collectorPort), ...args]);

/** An RFC 5424 line whose MSG is `token` (what the collector and listener store as `msg`). */
const line = (host: string, service: string, token: string, n: number): string =>
  `<134>1 2026-05-02T06:00:25Z ${host} ${service} - command [relay@55555 src_ip="198.51.100.${n % 250}"] ${token}`;

/** Appends lines for `tokens` to `file`, `perTick` at a time with a pause between, as a live log grows. */
async function appendLines(file: string, host: string, service: string, tokens: readonly string[], perTick = 20, tickMs = 50): Promise<void> {
  for (let i = 0; i < tokens.length; i += perTick) {
    const chunk = tokens.slice(i, i + perTick);
    for (const t of chunk) sent.add(t);
    appendFileSync(file, chunk.map((t, k) => `${line(host, service, t, i + k)}\n`).join(''));
    await new Promise((r) => setTimeout(r, tickMs));
  }
}

const tokens = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

/** Sends `msgs` with `logger`, over TCP with octet counting (one connection) or one datagram each. */
async function loggerSend(transport: 'tcp' | 'udp', service: string, msgs: readonly string[]): Promise<void> {
  const file = join(root, `logger-${service}-${msgs[0] ?? 'none'}.txt`);
  writeFileSync(file, msgs.join('\n') + '\n');
  for (const m of msgs) sent.add(m);
  await logger([...(transport === 'tcp' ? ['--octet-count', '-T'] : ['-d']), '-t', service, '--msgid', 'command', '-f', file]);
}

/** `openssl s_client` with a decnet client certificate: a plain RFC 5425 sender (no acks). */
function sClient(port: number, certName: string, input: Uint8Array, endInput = true): { child: ReturnType<typeof spawn>; exited: Promise<number | null>; output: () => string } {
  const pki = join(master, 'pki');
  const child = spawn('openssl', [
    's_client', '-connect', `127.0.0.1:${port}`, '-CAfile', join(pki, 'ca.crt'), '-verify_return_error', '-quiet',
    '-cert', join(pki, `${certName}.crt`), '-key', join(pki, `${certName}.key`),
  ], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  child.stdin.write(input);
  // -quiet implies -ign_eof: the client stays connected after its input ends, until the server closes.
  if (endInput) child.stdin.end();
  return { child, exited, output: () => out };
}

/** True when the server ended an s_client connection within 20 s (the client never closes on its own). */
async function closedByServer(client: ReturnType<typeof sClient>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((done) => (timer = setTimeout(() => done(false), 20_000)));
  const closed = await Promise.race([client.exited.then(() => true as const), timedOut]);
  clearTimeout(timer);
  if (!closed) client.child.kill('SIGKILL');
  return closed;
}

/** An RFC 5425 frame: the byte length, a space, the message. */
const frame = (msg: string): Buffer => {
  const body = Buffer.from(msg);
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
};

/** Random bytes that cannot start a syslog frame (`<` or a digit), so no parser can take them for one. */
const garbage = (size: number): Buffer => {
  const b = randomBytes(size);
  b[0] = 0xfe;
  return b;
};

/** Writes `bytes` on a raw TCP connection; resolves true when the server closed it within `timeoutMs`. */
async function rawTcp(port: number, bytes: Buffer, opts: { end: boolean; timeoutMs?: number }): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      s.destroy();
      done(false);
    }, opts.timeoutMs ?? 20_000);
    s.on('error', () => undefined);
    s.once('close', () => {
      clearTimeout(timer);
      done(true);
    });
    s.once('connect', () => {
      s.write(bytes);
      if (opts.end) s.end();
    });
  });
}

async function udp(port: number, datagrams: readonly Buffer[]): Promise<void> {
  const sock = createSocket('udp4');
  for (const d of datagrams) await new Promise<void>((done, fail) => sock.send(d, port, '127.0.0.1', (err) => (err ? fail(err) : done())));
  await new Promise<void>((done) => sock.close(() => done()));
}

/** How the stored rows compare with {@link sent}: by content, each good line exactly once. */
async function tally(): Promise<{ missing: string[]; duplicated: string[]; unexpected: string[] }> {
  const stored = new Map<string, number>();
  for (const r of await tableRows(database, logs)) stored.set(r.msg ?? '(null)', (stored.get(r.msg ?? '(null)') ?? 0) + 1);
  return {
    missing: [...sent].filter((m) => !stored.has(m)),
    duplicated: [...stored].filter(([m, n]) => sent.has(m) && n > 1).map(([m, n]) => `${m} x${n}`),
    unexpected: [...stored.keys()].filter((m) => !sent.has(m)).map((m) => m.slice(0, 80)),
  };
}

/** Waits until every sent line is stored, lets stragglers arrive, then expects each exactly once. */
async function expectEachStoredOnce(timeoutMs: number): Promise<void> {
  try {
    await waitFor(async () => (await tally()).missing.length === 0, timeoutMs, [group, forwarder].filter((p) => p !== undefined));
  } catch (err) {
    const t = await tally();
    throw new Error(`${t.missing.length} of ${sent.size} lines missing (first: ${t.missing.slice(0, 10).join(', ')})\n${(err as Error).message}`, { cause: err });
  }
  // A duplicate would arrive after the last missing line did; absence cannot be awaited.
  await new Promise((r) => setTimeout(r, 1_500));
  expect(await tally()).toEqual({ missing: [], duplicated: [], unexpected: [] });
}

/** One row of `decnet workers status --json`. */
interface StatusRow {
  worker: string;
  instance: string;
  pid: number;
  state: string;
  health: string;
  restarts: number;
}

/** The group's members as `decnet workers status --json` hears them on Kafka, once all three are heard running. */
async function memberStatus(): Promise<StatusRow[]> {
  let rows: StatusRow[] = [];
  await waitFor(
    async () => {
      const out = await cli(['workers', 'status', '--json', '--seconds', '5'], groupEnv);
      rows = (JSON.parse(out) as { workers: StatusRow[] }).workers.filter((r) => (MEMBERS as readonly string[]).includes(r.worker));
      // A beat can look stale when the command itself was slow to finish on a loaded machine: ask again.
      return MEMBERS.every((m) => rows.some((r) => r.worker === m && r.state === 'running' && r.health === 'ok'));
    },
    60_000,
    [group],
  );
  return rows.sort((a, b) => a.worker.localeCompare(b.worker));
}

/** True when the host logged `stopped` with `clean: true` (every worker finished before the deadline). */
function stoppedCleanly(output: string): boolean {
  return output.split('\n').some((l) => {
    try {
      const o = JSON.parse(l) as { msg?: string; clean?: boolean };
      return o.msg === 'stopped' && o.clean === true;
    } catch {
      return false;
    }
  });
}

/** `decnet supervise pipeline`, as an operator (or a `decnet-supervise-pipeline` unit) starts it. */
function startGroup(): Proc {
  return startProcess('decnet supervise pipeline', ['apps/cli/bin/decnet.js', 'supervise', 'pipeline'], groupEnv);
}

/** Waits until both of the group's ports accept connections (the listener only once its PKI is loaded). */
async function groupListening(p: Proc): Promise<void> {
  await waitFor(
    async () => {
      if (p.child.exitCode !== null) throw new Error(`the group exited with ${p.child.exitCode}`);
      return (await tcpOpen(collectorPort)) && (await tcpOpen(listenerPort));
    },
    90_000,
    [p],
  );
}

/** The operator's PKI steps on the master ($DECNET_HOME/pki), and the agent's files copied to the decky host. */
async function makePki(): Promise<void> {
  // The operator's PKI steps, in the master's default directory ($DECNET_HOME/pki).
  const pkiEnv = { DECNET_HOME: master };
  await cli(['pki', 'init'], pkiEnv);
  await cli(['pki', 'issue', 'listener', '--server', '--san', 'IP:127.0.0.1'], pkiEnv);
  await cli(['pki', 'issue', AGENT_CN, '--client'], pkiEnv);
  await cli(['pki', 'issue', SENDER_CN, '--client'], pkiEnv);
  // ...and the agent's certificate copied to the decky host under the forwarder's default names.
  const agentPki = join(agent, 'pki');
  mkdirSync(agentPki, { recursive: true, mode: 0o700 });
  for (const [from, to] of [[`${AGENT_CN}.crt`, 'forwarder.crt'], [`${AGENT_CN}.key`, 'forwarder.key'], ['ca.crt', 'ca.crt']] as const) {
    copyFileSync(join(master, 'pki', from), join(agentPki, to));
    chmodSync(join(agentPki, to), 0o600);
  }
}

/** `decnet run forwarder` on the decky host: its own home, no bus, the listener as target. */
function startForwarder(): Proc {
  return startProcess('decnet run forwarder', ['apps/cli/bin/decnet.js', 'run', 'forwarder'], {
    DECNET_BUS: 'none',
    DECNET_HOME: agent,
    DATABASE_URL: undefined,
    DECNET_LOG_LEVEL: 'info',
    DECNET_INSTANCE_ID: 'forwarder-e2e',
    DECNET_FORWARDER_FILE: deckyLog,
    DECNET_FORWARDER_TARGET: `127.0.0.1:${listenerPort}`,
    DECNET_FORWARDER_POLL_MS: '50',
    DECNET_FORWARDER_RECONNECT_MIN_MS: '200',
    DECNET_FORWARDER_RECONNECT_MAX_MS: '1000',
  });
}

beforeAll(async () => {
  await ensureCommands({ logger: 'bsdutils', openssl: 'openssl' });
  await bundle(['cli']);
  root = mkdtempSync(join(tmpdir(), 'pipeline-group-e2e-'));
  master = join(root, 'master');
  agent = join(root, 'agent');
  mkdirSync(master);
  localLog = join(master, 'local.log');
  deckyLog = join(root, 'decky.log');
  writeFileSync(localLog, '');
  writeFileSync(deckyLog, '');
  scratch = await createScratchDatabase();
  database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 2 });
  // The group does not migrate (only `decnet up` does): an operator runs this first.
  await cli(['db', 'migrate'], { DATABASE_URL: scratch.url, DECNET_HOME: master, DECNET_LOG_LEVEL: 'warn' });

  collectorPort = await freePort();
  listenerPort = await freePort();
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS unset: tools/testing/kafka-setup.ts must be a globalSetup');
  groupEnv = {
    DECNET_BUS: 'kafka',
    KAFKA_BROKERS: brokers,
    DECNET_KAFKA_PREFIX: `e2e-pipegroup-${process.pid}-${Date.now().toString(36)}`,
    DATABASE_URL: scratch.url,
    DECNET_HOME: master,
    DECNET_LOG_LEVEL: 'info',
    DECNET_INSTANCE_ID: 'pipeline-e2e',
    DECNET_HEALTH_INTERVAL_MS: '1000',
    DECNET_COLLECTOR_PORT: String(collectorPort),
    DECNET_COLLECTOR_FILES: localLog,
    DECNET_COLLECTOR_POLL_MS: '50',
    DECNET_COLLECTOR_MAX_LINE_BYTES: String(MAX_FRAME_BYTES),
    DECNET_LISTENER_PORT: String(listenerPort),
    DECNET_LISTENER_MAX_FRAME_BYTES: String(MAX_FRAME_BYTES),
    DECNET_LISTENER_HANDSHAKE_TIMEOUT_MS: '5000',
    // Look for the certificates often, so the first test need not wait the default 15 s.
    DECNET_LISTENER_PKI_RETRY_MS: '500',
  };
}, 240_000);

afterAll(async () => {
  for (const p of [group, forwarder]) await p?.kill('SIGKILL');
  await database?.close();
  await scratch?.drop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('decnet supervise pipeline: collector, listener and ingester in one process on Kafka + Postgres', () => {
  it('hosts collector and ingester while the listener waits for certificates, and opens the listener once `decnet pki` made them', async () => {
    group = startGroup();
    await waitFor(
      async () => {
        if (group.child.exitCode !== null) throw new Error(`the group exited with ${group.child.exitCode}`);
        return tcpOpen(collectorPort);
      },
      90_000,
      [group],
    );
    await loggerSend('tcp', 'imap', ['a-before-pki']);
    await expectEachStoredOnce(60_000);
    // No certificates yet: the listener idles inside the group instead of taking it down.
    expect(await tcpOpen(listenerPort)).toBe(false);
    expect(group.output()).toContain('listener idle: TLS files missing');
    // ... and says so where an operator looks: not "ok" but "waiting", with the reason.
    await waitFor(
      async () => {
        const out = await cli(['workers', 'status', '--json', '--seconds', '3'], groupEnv);
        const rows = (JSON.parse(out) as { workers: (StatusRow & { note: string | null })[] }).workers;
        return rows.some((r) => r.worker === 'listener' && r.state === 'running' && r.health === 'waiting' && r.note === 'waiting_for_pki');
      },
      60_000,
      [group],
    );
    await makePki();
    await groupListening(group);
    expect(group.child.exitCode).toBeNull();
    forwarder = startForwarder();
  }, 150_000);

  it('stores lines from logger (UDP, TCP), a tailed file, a forwarder and openssl s_client once each, TLS senders by certificate CN', async () => {
    await logger(['-d', '-t', 'ssh', '--msgid', 'auth_attempt', '--sd-id', 'relay@55555',
      '--sd-param', 'src_ip="203.0.113.9"', '--sd-param', 'principal="root"', '--sd-param', 'secret_printable="toor"',
      '--sd-param', `secret_b64="${Buffer.from('toor').toString('base64')}"`, 'a-udp-auth']);
    sent.add('a-udp-auth');
    await loggerSend('tcp', 'ftp', tokens('a-tcp', 200));
    await appendLines(localLog, 'decky-01', 'ssh', tokens('a-file', 100));
    // The syslog HOSTNAME claims a decky; the stored sender must still be the certificate's CN.
    await appendLines(deckyLog, 'decky-07', 'telnet', tokens('a-fwd', 200));
    const plain = tokens('a-plain', 3);
    for (const t of plain) sent.add(t);
    const sender = sClient(listenerPort, SENDER_CN, Buffer.concat(plain.map((t, i) => frame(line('decky-09', 'smtp', t, i)))), false);

    await expectEachStoredOnce(90_000);
    sender.child.kill('SIGTERM');
    await sender.exited;

    const groups = new Map<string, { source_worker: string | null; decky: string; service: string; n: number }>();
    for (const r of await tableRows(database, logs)) {
      const key = JSON.stringify([r.source_worker, r.decky, r.service]);
      const group = groups.get(key) ?? { source_worker: r.source_worker, decky: r.decky, service: r.service, n: 0 };
      group.n++;
      groups.set(key, group);
    }
    // GROUP BY source_worker, decky, service ORDER BY service, n (service names are ASCII here).
    const bySender = [...groups.values()].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.n - b.n));
    // logger stamps this machine's host name as the decky.
    const thisHost = expect.any(String) as unknown as string;
    expect(bySender).toEqual([
      { source_worker: null, decky: thisHost, service: 'ftp', n: 200 },
      { source_worker: null, decky: thisHost, service: 'imap', n: 1 },
      { source_worker: SENDER_CN, decky: 'decky-09', service: 'smtp', n: 3 },
      { source_worker: null, decky: thisHost, service: 'ssh', n: 1 },
      { source_worker: null, decky: 'decky-01', service: 'ssh', n: 100 },
      { source_worker: AGENT_CN, decky: 'decky-07', service: 'telnet', n: 200 },
    ]);
    const auth = (await tableRows(database, logs, { match: { msg: 'a-udp-auth' } })).map((r) => ({ event_type: r.event_type, attacker_ip: r.attacker_ip, fields: r.fields }));
    expect(auth).toEqual([
      {
        event_type: 'auth_attempt',
        attacker_ip: '203.0.113.9',
        fields: { src_ip: '203.0.113.9', principal: 'root', secret_printable: 'toor', secret_b64: 'dG9vcg==' },
      },
    ]);
    expect((await tableRows(database, credentials)).map((r) => ({ principal: r.principal, attempt_count: r.attempt_count }))).toEqual([
      { principal: 'root', attempt_count: 1 },
    ]);
  }, 150_000);

  it('reports collector, listener and ingester running in one process: one pid, one instance', async () => {
    const rows = await memberStatus();
    expect(rows.map((r) => r.worker)).toEqual([...MEMBERS]);
    expect(rows.map((r) => ({ pid: r.pid, instance: r.instance, state: r.state, health: r.health, restarts: r.restarts }))).toEqual(
      MEMBERS.map(() => ({ pid: group.child.pid, instance: 'pipeline-e2e', state: 'running', health: 'ok', restarts: 0 })),
    );
  }, 120_000);

  it('stays up, restarts no member and stores every good line once while garbage hits the collector and listener ports', async () => {
    const pid = group.child.pid;
    const good = Promise.all([
      appendLines(deckyLog, 'decky-07', 'telnet', tokens('b-fwd', 300), 10, 50),
      appendLines(localLog, 'decky-01', 'ssh', tokens('b-file', 300), 10, 50),
      (async () => {
        for (let i = 0; i < 5; i++) {
          await loggerSend('tcp', 'ftp', tokens(`b-tcp${i}`, 40));
          await loggerSend('udp', 'ftp', tokens(`b-udp${i}`, 4));
        }
      })(),
    ]);
    const oversized = (token: string): string => line('decky-01', 'ftp', `${'x'.repeat(MAX_FRAME_BYTES + 500)} ${token}`, 1);
    // Garbage, all at once, alongside the good lines.
    const [, , , , , listenerRaw, tlsOversized, tlsGarbage] = await Promise.all([
      udp(collectorPort, [...Array.from({ length: 50 }, (_, i) => garbage(1 + ((i * 97) % 1400))), Buffer.from(oversized('c-oversize-udp'))]),
      rawTcp(collectorPort, garbage(64 * 1024), { end: true }),
      rawTcp(collectorPort, Buffer.concat([frame(oversized('c-oversize-tcp-frame')), Buffer.from('99999999999 '), garbage(2048)]), { end: true }),
      rawTcp(collectorPort, Buffer.from(`${oversized('c-oversize-tcp-line')}\n`), { end: true }),
      // A frame announcing more bytes than ever come, then the peer hangs up.
      rawTcp(collectorPort, Buffer.from(`500 ${line('decky-01', 'ftp', 'c-truncated-frame', 1)}`), { end: true }),
      // Not TLS at all: the handshake fails and the listener drops the connection.
      rawTcp(listenerPort, garbage(16 * 1024), { end: false }),
      // An authenticated sender whose frame is over the cap, or whose bytes are not frames.
      closedByServer(sClient(listenerPort, AGENT_CN, frame(oversized('c-oversize-tls')))),
      closedByServer(sClient(listenerPort, AGENT_CN, garbage(8192))),
    ]);
    await good;
    // The listener closes each abusive connection itself (the clients would otherwise wait).
    expect(listenerRaw).toBe(true);
    expect(tlsOversized).toBe(true);
    expect(tlsGarbage).toBe(true);

    await expectEachStoredOnce(90_000);
    expect(group.child.exitCode).toBeNull();
    const rows = await memberStatus();
    expect(rows.map((r) => ({ worker: r.worker, pid: r.pid, state: r.state, restarts: r.restarts }))).toEqual(
      MEMBERS.map((worker) => ({ worker, pid, state: 'running', restarts: 0 })),
    );
  }, 150_000);

  it('exits 0 within the deadline on SIGTERM mid-stream, and after a restart every line is stored exactly once', async () => {
    const storedOf = async (prefix: string): Promise<number> =>
      (await tableRows(database, logs)).filter((r) => r.msg?.startsWith(`${prefix}-`)).length;
    // Both files grow all along: before the stop, while the group shuts down, and while it is down
    // (the forwarder keeps retrying the listener; the collector finds the lines on its restart).
    let phase = 'd1';
    let stopWriting = false;
    const writer = (async () => {
      for (let tick = 0; !stopWriting; tick++) {
        const batch = tokens(`${phase}-${tick}`, 5);
        await Promise.all([
          appendLines(deckyLog, 'decky-07', 'telnet', batch.map((t) => `${t}-fwd`), 5, 50),
          appendLines(localLog, 'decky-01', 'ssh', batch.map((t) => `${t}-file`), 5, 50),
        ]);
      }
    })();
    await waitFor(async () => (await storedOf('d1')) >= 100, 60_000, [group, forwarder]);
    phase = 'd2';
    const began = Date.now();
    const code = await group.kill('SIGTERM');
    const elapsed = Date.now() - began;
    phase = 'd3';
    await waitFor(async () => [...sent].filter((t) => t.startsWith('d3-')).length >= 40, 30_000, [forwarder]);
    stopWriting = true;
    await writer;
    expect({ code, elapsed: elapsed < SHUTDOWN_DEADLINE_MS ? 'within the deadline' : `${elapsed} ms` }).toEqual({ code: 0, elapsed: 'within the deadline' });
    expect(stoppedCleanly(group.output())).toBe(true);
    expect(forwarder.child.exitCode).toBeNull();

    group = startGroup();
    await groupListening(group);
    await expectEachStoredOnce(120_000);
    expect(await group.kill('SIGTERM')).toBe(0);
    expect(stoppedCleanly(group.output())).toBe(true);
    expect(await forwarder.kill('SIGTERM')).toBe(0);
  }, 240_000);
});
