// Connecting: an unreachable server is waited out with one redacted log line and backoff,
// abortable; fatal refusals fail fast; the per-process database is shared and closable.
import { randomUUID } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { IllegalStateError, silentLogger } from '@decnet/core';
import { runShutdownHooks } from '@decnet/host';
import { eventually, recordingLogger, testConfig } from '@decnet/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '@decnet/testing/postgres';
import { getDatabase, openDatabase, type Database } from './connection.js';
import { DatabaseUnavailableError } from './errors.js';

const UNREACHABLE = 'postgres://decnet:s3cret-pw@127.0.0.1:1/decnet';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('an unreachable server is retried with one clear, redacted log line', () => {
  it('logs the redacted address, keeps waiting, and rejects when aborted', async () => {
    const log = recordingLogger();
    const controller = new AbortController();
    const opening = openDatabase(testConfig({ DATABASE_URL: UNREACHABLE }), log, { signal: controller.signal });
    opening.catch(() => undefined);
    await eventually(() => log.lines.some((l) => l.level === 'warn'));
    const warn = log.lines.find((l) => l.level === 'warn')!;
    expect(warn.message).toBe('database unreachable; retrying');
    expect(warn.meta.address).toBe('postgres://decnet:***@127.0.0.1:1/decnet');
    expect(warn.meta.retryInMs).toBe(1_000);
    expect(JSON.stringify(log.lines)).not.toContain('s3cret-pw');
    controller.abort();
    const error = await opening.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as DatabaseUnavailableError).address).toBe('postgres://decnet:***@127.0.0.1:1/decnet');
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it('fails at once, with one error line, when retry is off', async () => {
    const log = recordingLogger();
    const error = await openDatabase(testConfig({ DATABASE_URL: UNREACHABLE }), log, { retry: false }).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(log.lines.map((l) => [l.level, l.message])).toEqual([['error', 'database unreachable']]);
  });

  it('connects once the server comes up, after backing off', async () => {
    const target = new URL(testDatabaseUrl());
    // A loopback port that refuses until a proxy to the real server starts listening on it.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    const url = new URL(target);
    url.port = String(port);
    const log = recordingLogger();
    const opening = openDatabase(testConfig({ DATABASE_URL: url.toString() }), log);
    await eventually(() => log.lines.some((l) => l.level === 'warn'));
    const sockets = new Set<Socket>();
    const proxy: Server = createServer((client) => {
      const upstream = createConnection({ host: target.hostname, port: Number(target.port || 5432) });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          proxy.close(() => resolve());
        }),
    );
    const database = await opening;
    cleanups.push(() => database.close());
    expect(log.lines.find((l) => l.message === 'database reachable')?.meta.attempts).toBeGreaterThanOrEqual(2);
    expect((await database.pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });
});

describe('refusals that retrying cannot fix fail fast', () => {
  it('rejects a database that does not exist without retrying', async () => {
    const url = new URL(testDatabaseUrl());
    url.pathname = `/decnet_missing_${randomUUID().slice(0, 8)}`;
    const log = recordingLogger();
    const error = await openDatabase(testConfig({ DATABASE_URL: url.toString() }), log).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toContain('does not exist');
    expect(log.lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});

describe('getDatabase shares one database per process', () => {
  it('returns the same pool to every caller and reopens after close', async () => {
    const config = testConfig({ DATABASE_URL: testDatabaseUrl() });
    const [a, b] = await Promise.all([getDatabase(config, silentLogger), getDatabase(config, silentLogger)]);
    expect(a.pool).toBe(b.pool);
    expect(a.embedded).toBe(false);
    await a.close();
    const c = await getDatabase(config, silentLogger);
    cleanups.push(() => c.close());
    expect(c.pool).not.toBe(a.pool);
    expect((await c.pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  });

  it('refuses a second, different database in the same process', async () => {
    const database = await getDatabase(testConfig({ DATABASE_URL: testDatabaseUrl() }), silentLogger);
    cleanups.push(() => database.close());
    await expect(getDatabase(testConfig({ DATABASE_URL: UNREACHABLE }), silentLogger)).rejects.toBeInstanceOf(
      IllegalStateError,
    );
  });

  it('closes through the process shutdown hooks', async () => {
    const database: Database = await getDatabase(testConfig({ DATABASE_URL: testDatabaseUrl() }), silentLogger);
    await runShutdownHooks(silentLogger);
    expect(database.pool.ended).toBe(true);
  });

  it('abandons the shared open only when every waiter has aborted', async () => {
    const config = testConfig({ DATABASE_URL: UNREACHABLE });
    const first = new AbortController();
    const second = new AbortController();
    const a = getDatabase(config, silentLogger, { signal: first.signal }).catch((err: unknown) => err);
    const b = getDatabase(config, silentLogger, { signal: second.signal }).catch((err: unknown) => err);
    first.abort();
    expect(await a).toBeInstanceOf(DatabaseUnavailableError);
    second.abort();
    expect(await b).toBeInstanceOf(DatabaseUnavailableError);
    // The abandoned open is gone: the process may now open another database.
    await eventually(async () => {
      const database = await getDatabase(testConfig({ DATABASE_URL: testDatabaseUrl() }), silentLogger).catch(
        () => undefined,
      );
      if (database) cleanups.push(() => database.close());
      return database !== undefined;
    });
  });
});
