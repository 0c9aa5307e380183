// Migrations: the embedded copy matches the committed SQL and the schema, migrate() builds an
// empty database, is idempotent, serialises concurrent callers, and rolls back a failure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { GENERATED_FILE, MIGRATIONS_DIR, renderEmbeddedMigrations } from '../scripts/embed-migrations.js';
import { openDatabase, type Database } from './connection.js';
import { MigrationError } from './errors.js';
import { MIGRATIONS_TABLE, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations.generated.js';
import * as schema from './schema/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scratch(): Promise<ScratchDatabase> {
  const database = await createScratchDatabase();
  cleanups.push(() => database.drop());
  return database;
}

async function open(url: string): Promise<Database> {
  const database = await openDatabase(testConfig({ DATABASE_URL: url }), silentLogger);
  cleanups.push(() => database.close());
  return database;
}

async function publicTableCount(database: Database): Promise<number> {
  const { rows } = await database.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`,
  );
  return rows[0]!.n;
}

async function recordedHashes(database: Database): Promise<string[]> {
  const { rows } = await database.pool.query<{ hash: string }>(`SELECT hash FROM ${MIGRATIONS_TABLE} ORDER BY id`);
  return rows.map((r) => r.hash);
}

describe('the embedded migrations are the committed ones', () => {
  it('matches what scripts/embed-migrations.ts renders from migrations/', () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(renderEmbeddedMigrations());
  });

  it("agrees with drizzle's own reader on hashes, timestamps and statements", () => {
    const drizzles = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR });
    expect(MIGRATIONS.map((m) => m.hash)).toEqual(drizzles.map((m) => m.hash));
    expect(MIGRATIONS.map((m) => m.when)).toEqual(drizzles.map((m) => m.folderMillis));
    expect(MIGRATIONS.map((m) => m.statements)).toEqual(
      drizzles.map((m) => m.sql.map((s) => s.trim()).filter((s) => s.length > 0)),
    );
  });

  it('has no schema change left without a migration (drizzle-kit diff is empty)', async () => {
    const last = MIGRATIONS.at(-1)!.tag.split('_')[0]!;
    const snapshot = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', `${last}_snapshot.json`), 'utf8'));
    const current = generateDrizzleJson(schema, snapshot.id);
    expect(await generateMigration(snapshot, current)).toEqual([]);
    // The check can fail: a snapshot missing a table yields its CREATE TABLE.
    const older = { ...snapshot, tables: { ...(snapshot.tables as Record<string, unknown>) } };
    delete older.tables['public.state'];
    expect((await generateMigration(older, current)).join('\n')).toContain('CREATE TABLE "state"');
  });

  it('names nothing longer than the 63 bytes Postgres keeps', () => {
    const identifiers = MIGRATIONS.flatMap((m) => m.statements.join('\n').match(/"[^"]+"/g) ?? []);
    expect(identifiers.length).toBeGreaterThan(100);
    expect(identifiers.filter((id) => Buffer.byteLength(id.slice(1, -1)) > 63)).toEqual([]);
  });
});

describe('migrate() builds and keeps the schema', () => {
  it('applies every migration to an empty database and records each once', async () => {
    const database = await open((await scratch()).url);
    expect(await publicTableCount(database)).toBe(0);
    const report = await migrate(database.db, silentLogger);
    expect(report).toEqual({
      applied: MIGRATIONS.map((m) => m.tag),
      recorded: MIGRATIONS.length,
      known: MIGRATIONS.length,
    });
    expect(await publicTableCount(database)).toBe(39);
    expect(await recordedHashes(database)).toEqual(MIGRATIONS.map((m) => m.hash));
  });

  it('is idempotent: a second run applies nothing and changes nothing', async () => {
    const database = await open((await scratch()).url);
    await migrate(database.db, silentLogger);
    const again = await migrate(database.db, silentLogger);
    expect(again.applied).toEqual([]);
    expect(again.recorded).toBe(MIGRATIONS.length);
    expect(await recordedHashes(database)).toEqual(MIGRATIONS.map((m) => m.hash));
  });

  it('lets two concurrent callers on separate pools both succeed, applying each migration once', async () => {
    const { url } = await scratch();
    const [a, b] = await Promise.all([open(url), open(url)]);
    const [ra, rb] = await Promise.all([migrate(a.db, silentLogger), migrate(b.db, silentLogger)]);
    expect([...ra.applied, ...rb.applied].sort()).toEqual(MIGRATIONS.map((m) => m.tag).sort());
    expect(await recordedHashes(a)).toEqual(MIGRATIONS.map((m) => m.hash));
    expect(await publicTableCount(b)).toBe(39);
  });

  it('rolls back a failing migration, names it, and releases the lock', async () => {
    const database = await open((await scratch()).url);
    await migrate(database.db, silentLogger);
    const broken = {
      tag: '9999_broken',
      when: MIGRATIONS.at(-1)!.when + 1,
      hash: 'f'.repeat(64),
      statements: ['CREATE TABLE half_done (id int)', 'SELECT * FROM no_such_table'],
    };
    const error = await migrate(database.db, silentLogger, [...MIGRATIONS, broken]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).tag).toBe('9999_broken');
    const { rows } = await database.pool.query(`SELECT to_regclass('public.half_done') AS t`);
    expect(rows[0].t).toBeNull();
    expect(await recordedHashes(database)).toEqual(MIGRATIONS.map((m) => m.hash));
    const locks = await database.pool.query(
      `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(locks.rowCount).toBe(0);
  });
});

describe('0002 moves the profiler state and the webhook format out of the columns that carried them', () => {
  const UPTO_0001 = MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.tag.startsWith('0002_')));
  const STATE = { v: 1, timing: { n: 3, k: 2, recentBack: [0, 1000] }, headerTools: ['curl'] };

  async function behaviorRows(database: Database) {
    const { rows } = await database.pool.query<{ ip: string; timing_stats: unknown; profile_state: unknown }>(
      `SELECT a.ip, b.timing_stats, b.profile_state FROM attacker_behavior b JOIN attackers a ON a.uuid = b.attacker_uuid`,
    );
    return new Map(rows.map((r) => [r.ip, r]));
  }

  it('is preceded by 0001, so the pre-0002 state can be built', () => {
    expect(UPTO_0001.map((m) => m.tag)).toEqual(['0000_baseline', '0001_logs_source_worker']);
  });

  it('moves timing_stats._state into profile_state and strips #format= into the format column', async () => {
    const database = await open((await scratch()).url);
    expect((await migrate(database.db, silentLogger, UPTO_0001)).applied).toHaveLength(2);
    const behavior = async (ip: string, timingStats: unknown): Promise<void> => {
      const { rows } = await database.pool.query<{ uuid: string }>(`INSERT INTO attackers (ip) VALUES ($1) RETURNING uuid`, [ip]);
      await database.pool.query(`INSERT INTO attacker_behavior (attacker_uuid, timing_stats) VALUES ($1, $2::jsonb)`, [
        rows[0]!.uuid,
        JSON.stringify(timingStats),
      ]);
    };
    await behavior('198.51.100.1', { mean: 1.5, event_count: 3, _state: STATE });
    await behavior('198.51.100.2', { mean: null, event_count: 0 });
    await behavior('198.51.100.3', { _state: null, mean: 2 });
    const subscriptions: [name: string, url: string][] = [
      ['relay', 'https://relay.example.com/slack-proxy#format=slack'],
      ['slack-host', 'https://hooks.slack.com/services/T0/B0/X0'],
      ['slack-as-json', 'https://hooks.slack.com/services/T1/B1/X1#format=json'],
      ['discord-host', 'https://discord.com/api/webhooks/1/abc'],
      ['discord-chat', 'https://discord.com/channels/1'],
      ['keeps-other', 'https://siem.example.com/in?x=1#keep=1&format=discord&also=2'],
      ['unknown-format', 'https://siem.example.com/in#format=xml'],
      ['plain', 'https://siem.example.com/in'],
      ['other-fragment', 'https://siem.example.com/in#section'],
    ];
    for (const [name, url] of subscriptions) {
      await database.pool.query(`INSERT INTO webhook_subscriptions (name, url, secret) VALUES ($1, $2, 'secret-0123456789abcdef')`, [name, url]);
    }

    const report = await migrate(database.db, silentLogger);
    expect(report.applied).toEqual(MIGRATIONS.slice(UPTO_0001.length).map((m) => m.tag));

    const rows = await behaviorRows(database);
    expect(rows.get('198.51.100.1')).toMatchObject({ timing_stats: { mean: 1.5, event_count: 3 }, profile_state: STATE });
    expect(rows.get('198.51.100.1')?.timing_stats).not.toHaveProperty('_state');
    expect(rows.get('198.51.100.2')).toMatchObject({ timing_stats: { mean: null, event_count: 0 }, profile_state: null });
    expect(rows.get('198.51.100.3')).toEqual({ ip: '198.51.100.3', timing_stats: { mean: 2 }, profile_state: null });
    const left = await database.pool.query(`SELECT 1 FROM attacker_behavior WHERE timing_stats ? '_state'`);
    expect(left.rowCount).toBe(0);

    const { rows: subs } = await database.pool.query<{ name: string; url: string; format: string }>(
      `SELECT name, url, format FROM webhook_subscriptions`,
    );
    expect(Object.fromEntries(subs.map((s) => [s.name, [s.format, s.url]]))).toEqual({
      relay: ['slack', 'https://relay.example.com/slack-proxy'],
      'slack-host': ['slack', 'https://hooks.slack.com/services/T0/B0/X0'],
      'slack-as-json': ['json', 'https://hooks.slack.com/services/T1/B1/X1'],
      'discord-host': ['discord', 'https://discord.com/api/webhooks/1/abc'],
      'discord-chat': ['json', 'https://discord.com/channels/1'],
      'keeps-other': ['discord', 'https://siem.example.com/in?x=1#keep=1&also=2'],
      'unknown-format': ['json', 'https://siem.example.com/in'],
      plain: ['json', 'https://siem.example.com/in'],
      'other-fragment': ['json', 'https://siem.example.com/in#section'],
    });
  });

  it('defaults a new subscription to json and refuses a format the worker does not render', async () => {
    const database = await open((await scratch()).url);
    await migrate(database.db, silentLogger);
    const insert = (format?: string) =>
      database.pool.query<{ format: string }>(
        format === undefined
          ? `INSERT INTO webhook_subscriptions (name, url, secret) VALUES ('d', 'https://x.example/', 's') RETURNING format`
          : `INSERT INTO webhook_subscriptions (name, url, secret, format) VALUES ($1, 'https://x.example/', 's', $1) RETURNING format`,
        format === undefined ? [] : [format],
      );
    expect((await insert()).rows[0]?.format).toBe('json');
    expect((await insert('discord')).rows[0]?.format).toBe('discord');
    await expect(insert('xml')).rejects.toMatchObject({ code: '23514', constraint: 'webhook_subscriptions_format_known' });
  });
});
