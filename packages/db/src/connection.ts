// Opening the database: DATABASE_URL when set, else the embedded Postgres under DECNET_HOME.
// An unreachable server is waited out with backoff (one clear log line, abortable), and one
// pool per process is shared by every worker hosted in it.
import {
  IllegalStateError,
  everyNth,
  onProcessShutdown,
  redactUrl,
  sleep,
  type DecnetConfig,
  type Logger,
} from '@decnet/core';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.js';
import { DatabaseUnavailableError } from './errors.js';

/** Connections per process: a supervised group shares them, and ~10 processes fit Postgres's default 100. */
export const POOL_MAX = 10;
/** An idle connection is closed after this, so a quiet worker holds no server backend. */
const IDLE_TIMEOUT_MS = 30_000;
/** A connect that takes longer is a network problem (blackholed host), retried like a refusal. */
const CONNECT_TIMEOUT_MS = 10_000;
/** First wait after a failed connect. */
export const RETRY_INITIAL_MS = 1_000;
/** Cap of the doubling wait between connect attempts. */
export const RETRY_MAX_MS = 30_000;
/** While the server stays down, log the 1st failure and every Nth after it. */
const RETRY_LOG_EVERY = 10;
/** SQLSTATE classes retrying cannot fix: bad credentials (28xxx) and a missing database (3D000). */
const FATAL_SQLSTATE = /^(28...|3D000)$/;

/**
 * Drizzle on the pg pool (`$client`). Queries name their tables (`db.select().from(logs)`); the
 * relational `db.query.*` API is not registered, so a worker bundles only the tables it uses.
 */
export type DecnetDb = NodePgDatabase & { $client: pg.Pool };

/** An open database: drizzle on top of a pg pool. */
export interface Database {
  /** Drizzle on the pool (see {@link DecnetDb}). */
  readonly db: DecnetDb;
  /** The underlying pool: what repository functions and withTransaction take. */
  readonly pool: pg.Pool;
  /** The server URL with its password redacted, for logs. */
  readonly url: string;
  /** True when this is the embedded Postgres (started here or by another decnet process). */
  readonly embedded: boolean;
  /** Ends the pool, then stops the embedded server if this process started it. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link openDatabase} and {@link getDatabase}. */
export interface OpenDatabaseOptions {
  /** Aborting gives up waiting for the server; the call then rejects with DatabaseUnavailableError. */
  signal?: AbortSignal;
  /** Keep retrying an unreachable server (1 s doubling to 30 s). @default true */
  retry?: boolean;
  /** Pool size. @default POOL_MAX */
  poolMax?: number;
}

function describe(err: unknown): { reason: string; code: string | undefined } {
  const e = err as { message?: string; code?: string; errors?: { message?: string }[] };
  // An AggregateError (IPv4 and IPv6 both refused) has an empty message of its own.
  const reason = e.message || e.errors?.map((x) => x.message).join('; ') || String(err);
  return { reason, code: e.code };
}

async function waitUntilReachable(
  pool: pg.Pool,
  address: string,
  log: Logger,
  options: OpenDatabaseOptions,
): Promise<void> {
  const { signal, retry = true } = options;
  const logRetry = everyNth(log, 'warn', 'database unreachable; retrying', RETRY_LOG_EVERY);
  let delay = RETRY_INITIAL_MS;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new DatabaseUnavailableError(address, 'aborted before connecting');
    try {
      await pool.query('SELECT 1');
      if (attempt > 1) log.info('database reachable', { address, attempts: attempt });
      return;
    } catch (err) {
      const { reason, code } = describe(err);
      if (code !== undefined && FATAL_SQLSTATE.test(code)) {
        log.error('database refused the connection', { address, reason, code });
        throw new DatabaseUnavailableError(address, reason, { cause: err });
      }
      if (!retry) {
        log.error('database unreachable', { address, reason });
        throw new DatabaseUnavailableError(address, reason, { cause: err });
      }
      logRetry({ address, reason, retryInMs: delay });
      if (!(await sleep(delay, signal))) {
        throw new DatabaseUnavailableError(address, `gave up (aborted) after ${attempt} attempts: ${reason}`, {
          cause: err,
        });
      }
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }
}

/**
 * Opens the database `config` names: `config.databaseUrl` when set, else the embedded Postgres
 * under `config.home` (joining the one another decnet process runs, or starting it). Waits for
 * an unreachable server, logging one line naming the redacted address and retrying with backoff
 * until `options.signal` aborts. Does not migrate: call {@link migrate} where the schema is owned.
 * @throws DatabaseUnavailableError on bad credentials, a missing database, or abort.
 * @throws EmbeddedPostgresError when the embedded server cannot start.
 */
export async function openDatabase(
  config: DecnetConfig,
  log: Logger,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  let server: EmbeddedServer | undefined;
  let url: string;
  if (config.databaseUrl) {
    url = config.databaseUrl;
  } else {
    server = await startEmbeddedPostgres(config.home, log);
    url = server.url;
  }
  const address = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax ?? POOL_MAX,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'decnet',
  });
  // An idle connection dropped by the server (restart, failover) must not crash the process.
  const logIdleError = everyNth(log, 'warn', 'idle database connection failed');
  pool.on('error', (err) => logIdleError({ address, reason: err.message }));
  try {
    await waitUntilReachable(pool, address, log, options);
  } catch (err) {
    await pool.end().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    throw err;
  }
  const db = drizzle({ client: pool });
  let closing: Promise<void> | undefined;
  return {
    db,
    pool,
    url: address,
    embedded: server !== undefined,
    close: () =>
      (closing ??= (async () => {
        await pool.end();
        await server?.stop();
      })()),
  };
}

interface SharedDatabase {
  readonly key: string;
  readonly controller: AbortController;
  readonly promise: Promise<Database>;
  waiters: number;
  settled: boolean;
}

let shared: SharedDatabase | undefined;

function describeKey(key: string): string {
  return key.startsWith('embedded:') ? key : redactUrl(key);
}

/**
 * The process's database, opened on first call and shared by every later caller (all workers of
 * a supervised group share one pool). Registers `onProcessShutdown('db', close)`. A caller's
 * `signal` abandons only its own wait; the shared open is abandoned once every waiter has.
 * After `close()`, the next call opens afresh.
 * @throws IllegalStateError when asked for a different database than the one already open.
 * @throws DatabaseUnavailableError / EmbeddedPostgresError as {@link openDatabase}.
 */
export async function getDatabase(
  config: DecnetConfig,
  log: Logger,
  options: Pick<OpenDatabaseOptions, 'signal'> = {},
): Promise<Database> {
  const key = config.databaseUrl ?? `embedded:${config.home}`;
  if (shared && shared.key !== key) {
    throw new IllegalStateError(`open ${describeKey(key)}`, `the process database is ${describeKey(shared.key)}`);
  }
  const entry = shared ?? startShared(key, config, log);
  entry.waiters++;
  try {
    return await raceAbort(
      entry.promise,
      options.signal,
      () => new DatabaseUnavailableError(describeKey(key), 'aborted'),
    );
  } finally {
    entry.waiters--;
    if (!entry.settled && entry.waiters === 0) entry.controller.abort();
  }
}

function startShared(key: string, config: DecnetConfig, log: Logger): SharedDatabase {
  const controller = new AbortController();
  const entry: SharedDatabase = {
    key,
    controller,
    waiters: 0,
    settled: false,
    promise: openDatabase(config, log, { signal: controller.signal }).then(
      (database) => {
        entry.settled = true;
        let unregister: () => void = () => undefined;
        const close = (): Promise<void> => {
          unregister();
          if (shared === entry) shared = undefined;
          return database.close();
        };
        unregister = onProcessShutdown('db', close);
        return { ...database, close };
      },
      (err: unknown) => {
        entry.settled = true;
        if (shared === entry) shared = undefined;
        throw err;
      },
    ),
  };
  // Waiters may all have gone; a rejection nobody awaits must not surface as unhandled.
  entry.promise.catch(() => undefined);
  shared = entry;
  return entry;
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, error: () => Error): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(error());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(error());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}
