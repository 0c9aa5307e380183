// The `format` column against real Postgres: it admits exactly the formats this worker renders,
// the subscriptions round-trip it, and migration 0002 gives a subscription stored the old way (URL
// fragment, else host) the same format and URL that `decnet webhook add` gives one today.
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { MIGRATIONS, migrate, openDatabase, webhook_subscriptions, type Database } from '@decnet/db';
import { constraintDefinition, insertRows, migratedScratchDatabase } from '@decnet/db/testing';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_FORMATS } from './handlers/formats.js';
import { normaliseSubscription } from './handlers/subscription.js';
import { findSubscription, insertSubscription, listSubscriptions } from './subscriptions.js';

const SECRET = 'store-test-secret-0123';

describe('the format column', () => {
  let scratch: ScratchDatabase;
  let database: Database;
  beforeAll(async () => {
    ({ scratch, database } = await migratedScratchDatabase());
  });
  afterAll(async () => {
    await database.close();
    await scratch.drop();
  });

  it('stores and reads back every format this worker renders', async () => {
    for (const format of WEBHOOK_FORMATS) {
      const row = await insertSubscription(database.pool, normaliseSubscription({ name: `f-${format}`, url: 'https://siem.example.com/in', patterns: ['a.b'], secret: SECRET, format }));
      expect(row.format).toBe(format);
      expect((await findSubscription(database.pool, `f-${format}`))?.format).toBe(format);
    }
    expect((await listSubscriptions(database.pool)).map((r) => r.format).sort()).toEqual([...WEBHOOK_FORMATS].sort());
  });

  it('refuses any other value in the database itself', async () => {
    const def = await constraintDefinition(database, 'webhook_subscriptions_format_known');
    expect([...(def?.matchAll(/'([a-z]+)'/g) ?? [])].map((m) => m[1])).toEqual([...WEBHOOK_FORMATS]);
    await expect(
      insertRows(database, webhook_subscriptions, [{ name: 'bad', url: 'https://x.example/', secret: SECRET, format: 'teams' }]),
    ).rejects.toMatchObject({ code: '23514' });
  });
});

describe('migration 0002 agrees with decnet webhook add', () => {
  let scratch: ScratchDatabase;
  let database: Database;
  beforeAll(async () => {
    scratch = await createScratchDatabase();
    database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 2 });
  });
  afterAll(async () => {
    await database.close();
    await scratch.drop();
  });

  it('derives the same format and URL from a URL stored before the column', async () => {
    const urls = [
      'https://relay.example.com/slack-proxy#format=slack',
      'https://relay.example.com/discord-proxy#format=discord',
      'https://hooks.slack.com/services/T0/B0/X0',
      'https://hooks.slack.com:8443/services/T0/B0/X0',
      'https://hooks.slack.com/services/T1/B1/X1#format=json',
      'https://discord.com/api/webhooks/1/abc',
      'https://discordapp.com/api/webhooks/2/abc',
      'https://ptb.discord.com/api/webhooks/3/abc',
      'https://canary.discordapp.com/api/webhooks/4/abc?wait=true',
      'https://discord.com/channels/1',
      'https://notdiscord.com/api/webhooks/5/abc',
      'https://siem.example.com/in?x=1#keep=1&format=discord&also=2',
      'http://127.0.0.1:8080/hook#format=slack',
      'https://siem.example.com/in#section',
      'https://siem.example.com/in',
    ];
    const before = MIGRATIONS.findIndex((m) => m.tag.startsWith('0002_'));
    await migrate(database.db, silentLogger, MIGRATIONS.slice(0, before));
    for (const [i, url] of urls.entries()) {
      await insertRows(database, webhook_subscriptions, [{ name: `s${String(i).padStart(2, '0')}`, url, secret: SECRET }]);
    }
    await migrate(database.db, silentLogger);
    const migrated = (await listSubscriptions(database.pool)).map((r) => ({ url: r.url, format: r.format }));
    const added = urls.map((url) => {
      const n = normaliseSubscription({ name: 'n', url, patterns: ['a.b'], secret: SECRET });
      return { url: n.url, format: n.format };
    });
    expect(migrated).toEqual(added);
    expect(migrated.filter((m) => m.url.includes('format='))).toEqual([]);
  });
});
