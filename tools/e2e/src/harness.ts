// What every end-to-end test needs: bundles built, child processes whose output is kept for
// failure messages, free loopback ports, and waiting with that output attached; plus running
// clients and the CLI, starting a service bundle, reading worker status, and an HTTP receiver
// that checks webhook signatures as a real one would.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { connect, createServer } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '@decnet/core/testing';

const run = promisify(execFile);

/** The repository root: bundles live under dist/ here. */
export const WORKSPACE_ROOT = resolve(import.meta.dirname, '../../..');

/** Builds the named bundles (e.g. `worker-collector`, `cli`, `service-ssh`) if their sources changed. */
export async function bundle(ids: readonly string[]): Promise<void> {
  await run(process.execPath, ['tools/bundle/bundle.mjs', '--quiet', ...ids], { cwd: WORKSPACE_ROOT, timeout: 300_000 });
}

/** A spawned process with the tail of its output kept for failure messages. */
export interface Proc {
  readonly child: ChildProcess;
  readonly name: string;
  output(): string;
  /** Sends `signal` (if still running) and resolves with the exit code. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Runs `node <args>` from the workspace root with `env` layered over this process's environment. */
export function startProcess(name: string, args: readonly string[], env: Record<string, string | undefined>): Proc {
  const child = spawn(process.execPath, args, { cwd: WORKSPACE_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    child,
    name,
    output: () => out,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A loopback port free for both TCP and UDP. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((done, fail) => {
      const s = createServer();
      s.once('error', fail);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => done(p));
      });
    });
    const udpFree = await new Promise<boolean>((done) => {
      const u = createSocket('udp4');
      u.once('error', () => done(false));
      u.bind(port, '127.0.0.1', () => u.close(() => done(true)));
    });
    if (udpFree) return port;
  }
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export async function tcpOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      done(true);
    });
    s.once('error', () => done(false));
  });
}

/** Waits until `what` holds; on timeout the error carries the output of `procs`. */
export async function waitFor(what: () => Promise<boolean>, timeoutMs: number, procs: readonly Proc[]): Promise<void> {
  try {
    await eventually(what, timeoutMs, 200);
  } catch (err) {
    const outputs = procs.map((p) => `--- ${p.name} ---\n${p.output()}`).join('\n');
    throw new Error(`${(err as Error).message}\n${outputs}`, { cause: err });
  }
}

/** What {@link runCommand} returns. */
export interface CommandResult {
  /** Exit status, `null` when killed (see `timedOut`). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs `command` to completion with `input` on stdin and a hard time limit; never rejects. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number; env?: Record<string, string | undefined>; cwd?: string } = {},
): Promise<CommandResult> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: options.cwd ?? WORKSPACE_ROOT, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => (stderr += String(err)));
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, timedOut });
    });
    // A client that exits before reading its input must not fail the test with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `decnet <args>` (the CLI bundle) with `env` layered over this process's environment. */
export function decnet(args: readonly string[], env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<CommandResult> {
  return runCommand(process.execPath, ['apps/cli/bin/decnet.js', ...args], { env, timeoutMs });
}

/** True when `command` is on PATH. */
function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$0"', command], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure each command (key) is on PATH, installing its Debian package (value) with apt-get
 * when running as root; otherwise fails naming the apt-get line to run.
 */
export async function ensureCommands(packages: Readonly<Record<string, string>>): Promise<void> {
  const missing = [...new Set(Object.entries(packages).filter(([cmd]) => !hasCommand(cmd)).map(([, pkg]) => pkg))].sort();
  if (missing.length === 0) return;
  const line = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) throw new Error(`missing test clients; install them with: ${line}`);
  const apt = (args: string[]) =>
    runCommand('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { env: { DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 600_000 });
  let r = await apt(['install', '-y', '--no-install-recommends', ...missing]);
  // A fresh machine has no package lists yet.
  if (r.code !== 0) r = await apt(['update']).then(() => apt(['install', '-y', '--no-install-recommends', ...missing]));
  const still = Object.keys(packages).filter((cmd) => !hasCommand(cmd));
  if (r.code !== 0 || still.length > 0) throw new Error(`could not install ${missing.join(' ')} (${line}):\n${r.stdout}${r.stderr}`.slice(0, 4000));
}

/**
 * Starts a service bundle (`dist/services/<slug>/main.js`) on 127.0.0.1 and an ephemeral port
 * (`portEnv`=0) and resolves with the port from its RFC 5424 `startup` event.
 */
export async function startServiceBundle(slug: string, portEnv: string, env: Record<string, string | undefined>, timeoutMs = 30_000): Promise<{ proc: Proc; port: number }> {
  const proc = startProcess(`service-${slug}`, [`dist/services/${slug}/main.js`], { DECNET_SERVICE_BIND: '127.0.0.1', [portEnv]: '0', ...env });
  let port = 0;
  await waitFor(
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`service-${slug} exited with ${proc.child.exitCode}:\n${proc.output()}`);
      const m = /^<\d+>1 \S+ \S+ \S+ \S+ startup \[[^\]]*\bport="(\d+)"/m.exec(proc.output());
      port = Number(m?.[1] ?? 0);
      return port > 0;
    },
    timeoutMs,
    [proc],
  );
  return { proc, port };
}

/** One row of `decnet worker status --json`. */
export interface WorkerStatus {
  readonly worker: string;
  readonly instance: string;
  readonly state: string;
  readonly health: string;
  readonly lastProgressAgoS: number | null;
  readonly eventsHandled: number;
  readonly restarts: number;
}

/**
 * The workers `decnet worker status --json` reports under `env` (the embedded fleet's health
 * file, or `seconds` of heartbeats on Kafka), or undefined when the command fails.
 */
export async function workersStatus(env: Record<string, string | undefined>, seconds?: number): Promise<WorkerStatus[] | undefined> {
  const r = await decnet(['worker', 'status', '--json', ...(seconds === undefined ? [] : ['--seconds', String(seconds)])], env, 60_000);
  if (r.code !== 0) return undefined;
  try {
    return (JSON.parse(r.stdout) as { workers: WorkerStatus[] }).workers;
  } catch {
    return undefined;
  }
}

/** A request an {@link HttpReceiver} got. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body exactly as received (what a signature covers). */
  readonly body: string;
  /** Unix seconds at arrival. */
  readonly receivedS: number;
}

/** An HTTP server on 127.0.0.1 that answers 204 to every request and keeps them. */
export interface HttpReceiver {
  readonly port: number;
  readonly requests: readonly ReceivedRequest[];
  close(): Promise<void>;
}

/** Largest request body kept; a bigger one is answered 413. */
const MAX_RECEIVER_BODY = 1024 * 1024;

/** Starts an {@link HttpReceiver}. */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_RECEIVER_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_RECEIVER_BODY) {
        res.writeHead(413).end();
        return;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedS: Date.now() / 1000 });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  return {
    port: (server.address() as { port: number }).port,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/**
 * Checks a decnet webhook request as its documentation tells a receiver to: `X-Decnet-Signature`
 * must be `sha256=` + hex HMAC-SHA256(secret, `<X-Decnet-Timestamp>.<raw body>`), compared in
 * constant time, and the timestamp within `toleranceS` of `nowS`. Written from the documented
 * format, not imported from the worker, so a change on either side shows up here.
 */
export function verifyWebhookSignature(req: { secret: string; timestamp: string | undefined; signature: string | undefined; body: string; nowS: number; toleranceS?: number }): boolean {
  if (req.timestamp === undefined || req.signature === undefined || !/^\d{1,12}$/.test(req.timestamp)) return false;
  if (Math.abs(req.nowS - Number(req.timestamp)) > (req.toleranceS ?? 300)) return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', req.secret).update(`${req.timestamp}.${req.body}`).digest('hex')}`);
  const given = Buffer.from(req.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
