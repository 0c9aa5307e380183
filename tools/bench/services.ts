// Benchmark of the honeypot service bundles on loopback: idle RSS of each bundle
// (node dist/services/<slug>/main.js), and connections per second it accepts, answers and logs
// (each connection waits for the service's first reply, then closes).
// Run: node tools/bundle/bundle.mjs service-ssh service-telnet service-http service-ftp service-smtp service-redis service-mysql service-postgres
//      npx tsx --conditions=@decnet/source tools/bench/services.ts [--json] [--connections N] [--only a,b]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSyslog } from '@decnet/syslog';
import { WORKSPACE_ROOT, argValue, asJson } from './lib/args.js';

const ROOT = WORKSPACE_ROOT;
/** Seconds a freshly started bundle is left alone before its idle RSS is read. */
const SETTLE_MS = 3_000;
/** Connections open at once during the rate measurement. */
const CONCURRENCY = 32;
/** Per-connection limit: a connection that gets no reply by then counts as failed. */
const CONNECTION_TIMEOUT_MS = 5_000;

const CONNECTIONS = Number(argValue('--connections') ?? 2_000);
const ONLY = argValue('--only')?.split(',') ?? null;

interface Target {
  slug: string;
  portEnv: string;
  /** Bytes sent after connecting (http needs a request before it answers). */
  hello?: string;
  /** The event that proves a connection was logged. */
  loggedAs: string;
}

const TARGETS: Target[] = [
  { slug: 'ssh', portEnv: 'SSH_PORT', loggedAs: 'connect' },
  { slug: 'telnet', portEnv: 'TELNET_PORT', loggedAs: 'connect' },
  { slug: 'http', portEnv: 'HTTP_PORT', hello: 'GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n', loggedAs: 'request' },
  { slug: 'ftp', portEnv: 'FTP_PORT', loggedAs: 'connection' },
  { slug: 'smtp', portEnv: 'SMTP_PORT', loggedAs: 'connect' },
  { slug: 'redis', portEnv: 'REDIS_PORT', hello: 'PING\r\n', loggedAs: 'command' },
  { slug: 'mysql', portEnv: 'MYSQL_PORT', loggedAs: 'connect' },
  // A v3 StartupMessage (user "bench"), all ASCII bytes; the reply is the MD5 challenge.
  { slug: 'postgres', portEnv: 'POSTGRES_PORT', hello: '\x00\x00\x00\x14\x00\x03\x00\x00user\x00bench\x00\x00', loggedAs: 'connect' },
];

function rssKb(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

interface Running {
  pid: number;
  port: number;
  counts: Map<string, number>;
  stop(): Promise<void>;
}

async function start(t: Target): Promise<Running> {
  const main = join(ROOT, 'dist/services', t.slug, 'main.js');
  if (!existsSync(main)) throw new Error(`no bundle at ${main}; run node tools/bundle/bundle.mjs service-${t.slug}`);
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: process.env['HOME'] ?? '/tmp',
      NODE_NAME: 'bench',
      DECNET_SERVICE_BIND: '127.0.0.1',
      DECNET_SERVICE_MAX_PER_IP: String(CONCURRENCY * 2),
      DECNET_LOG_LEVEL: 'warn',
      SSH_HOST_KEY_DIR: join(mkdtempSync(join(tmpdir(), 'bench-ssh-')), 'keys'),
      [t.portEnv]: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const counts = new Map<string, number>();
  let partial = '';
  let port = 0;
  const ready = new Promise<void>((res, rej) => {
    child.once('exit', (code) => rej(new Error(`${t.slug} exited with ${code}`)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const r = parseSyslog(line);
        if (!r.ok) continue;
        const type = r.message.msgId ?? '-';
        counts.set(type, (counts.get(type) ?? 0) + 1);
        if (type === 'startup') {
          port = Number(r.message.structuredData[0]?.params['port']);
          res();
        }
      }
    });
  });
  await ready;
  return {
    pid: child.pid as number,
    port,
    counts,
    stop: () =>
      new Promise((res) => {
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}

function oneConnection(port: number, hello: string | undefined): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      s.destroy();
      res(false);
    }, CONNECTION_TIMEOUT_MS);
    s.on('error', () => {
      clearTimeout(timer);
      res(false);
    });
    s.once('data', () => {
      clearTimeout(timer);
      s.destroy();
      res(true);
    });
    s.on('connect', () => {
      if (hello) s.write(hello);
    });
  });
}

async function rate(t: Target, port: number): Promise<{ ok: number; seconds: number }> {
  let next = 0;
  let ok = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < CONNECTIONS) {
      next++;
      if (await oneConnection(port, t.hello)) ok++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { ok, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

const results: { service: string; idleRssMiB: number; connectionsPerSecond: number; answered: number; logged: number; rssAfterMiB: number }[] = [];
for (const t of TARGETS.filter((x) => !ONLY || ONLY.includes(x.slug))) {
  const svc = await start(t);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const idle = rssKb(svc.pid);
  const r = await rate(t, svc.port);
  await until(() => (svc.counts.get(t.loggedAs) ?? 0) >= r.ok, 10_000);
  const after = rssKb(svc.pid);
  results.push({
    service: t.slug,
    idleRssMiB: Math.round((idle / 1024) * 10) / 10,
    connectionsPerSecond: Math.round(r.ok / r.seconds),
    answered: r.ok,
    logged: svc.counts.get(t.loggedAs) ?? 0,
    rssAfterMiB: Math.round((after / 1024) * 10) / 10,
  });
  await svc.stop();
}

if (asJson) {
  process.stdout.write(`${JSON.stringify({ connections: CONNECTIONS, concurrency: CONCURRENCY, results }, null, 2)}\n`);
} else {
  process.stdout.write(`service bundles on loopback: ${CONNECTIONS} connections, ${CONCURRENCY} at a time, each waits for the first reply\n`);
  process.stdout.write('SERVICE  IDLE RSS   CONN/S  ANSWERED  LOGGED  RSS AFTER\n');
  for (const x of results) {
    process.stdout.write(
      `${x.service.padEnd(8)} ${`${x.idleRssMiB} MiB`.padStart(9)} ${String(x.connectionsPerSecond).padStart(8)} ${String(x.answered).padStart(9)} ${String(x.logged).padStart(7)} ${`${x.rssAfterMiB} MiB`.padStart(10)}\n`,
    );
  }
}
