// `decnet webhook`: add validates and refuses private targets unless allowed, prints a
// generated secret once, stores the --format (or the one its URL implies) in the format column,
// list shows it and never a secret, test sends a signed event a receiver can verify in the
// stored format, remove/enable/disable act on names and uuids.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { rootPattern, silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import type { Database } from '@decnet/db';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../io.js';
import { main } from '../main.js';
import { run } from './webhook.js';
import { captureIOReaders as capture } from '../testing.js';

const { deleteWebhookSubscription, findWebhookSubscription, listWebhookSubscriptions, migrate, openDatabase, webhook_subscriptions } = await import('@decnet/db');
const { countRows, updateRows } = await import('@decnet/db/testing');
const { verifySignature } = await import('@decnet/worker-webhook');

let scratch: ScratchDatabase;
let database: Database;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    received.push({ headers: req.headers, body });
    res.writeHead(204).end();
  });
});
let port = 0;

beforeAll(async () => {
  scratch = await createScratchDatabase();
  database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false });
  await migrate(database.db, silentLogger);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await database.close();
  await scratch.drop();
});

const webhook = async (args: string[], env: Record<string, string> = {}) => {
  const io = capture({ DATABASE_URL: scratch.url, DECNET_HOME: '/tmp/decnet-webhook-test', DECNET_BUS: 'memory', ...env });
  const code = await run(args, io);
  return { code, io };
};
const ALLOW = { DECNET_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32' };

describe('decnet webhook add validates before storing', () => {
  it('refuses a loopback URL unless DECNET_WEBHOOK_ALLOW_CIDRS allows it', async () => {
    const refused = await webhook(['add', 'local', `http://localhost:${port}/hook`, '--pattern', rootPattern('attacker')]);
    expect(refused.code).toBe(1);
    expect(refused.io.err()).toContain('loopback');
    expect({ n: await countRows(database, webhook_subscriptions) }).toEqual({ n: 0 });
  });

  it('rejects bad patterns, presets, formats and missing arguments as usage errors', async () => {
    await expect(webhook(['add', 'x', 'https://example.com/', '--pattern', 'a.>.b'])).rejects.toBeInstanceOf(UsageError);
    await expect(webhook(['add', 'x', 'https://example.com/', '--preset', 'Nope'])).rejects.toBeInstanceOf(UsageError);
    await expect(webhook(['add', 'x', 'https://example.com/', '--pattern', 'a.b', '--format', 'xml'])).rejects.toBeInstanceOf(UsageError);
    await expect(webhook(['add', 'x', 'https://example.com/#format=slack', '--pattern', 'a.b', '--format', 'json'])).rejects.toBeInstanceOf(UsageError);
    await expect(webhook(['add', 'x', 'https://example.com/'])).rejects.toBeInstanceOf(UsageError);
    await expect(webhook(['frobnicate'])).rejects.toBeInstanceOf(UsageError);
  });

  it('refuses an unknown --format with one line naming the valid ones and exit 2, before any database work', async () => {
    const io = capture({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DECNET_HOME: '/tmp/decnet-webhook-test', DECNET_BUS: 'memory' });
    const code = await main(['webhook', 'add', 'x', 'https://example.com/', '--pattern', 'a.b', '--format', 'teams'], io);
    expect(code).toBe(2);
    expect(io.err().split('\n')[0]).toBe('decnet webhook: invalid format: "teams" is not one of json, slack, discord');
    expect(io.out()).toBe('');
  });

  it('stores an allowed subscription, prints its generated secret once, and refuses a duplicate name', async () => {
    const added = await webhook(['add', 'local', `http://127.0.0.1:${port}/hook`, '--pattern', rootPattern('attacker'), '--preset', 'SystemStatus'], ALLOW);
    expect(added.code).toBe(0);
    expect(added.io.out()).toMatch(/^added webhook local \([0-9a-f-]{36}\) for system\.>, attacker\.>; format json\nsecret \(shown once, store it now\): [A-Za-z0-9_-]{43}\n$/);
    expect(added.io.err()).toContain('plain http');
    expect(added.io.err()).toContain('reloads subscriptions every 30 s');
    const dup = await webhook(['add', 'local', `http://127.0.0.1:${port}/other`, '--pattern', rootPattern('ttp')], ALLOW);
    expect(dup.code).toBe(1);
    expect(dup.io.err()).toContain('already exists');
  });
});

describe('the format column', () => {
  afterAll(async () => {
    for (const r of await listWebhookSubscriptions(database.pool)) if (r.name.startsWith('fmt-')) await deleteWebhookSubscription(database.pool, r.uuid);
  });

  it('stores --format, the format a Slack or Discord URL implies, or json; a #format= fragment moves into the column', async () => {
    const add = async (name: string, url: string, ...extra: string[]) => {
      const res = await webhook(['add', name, url, '--pattern', rootPattern('attacker'), '--secret', 's'.repeat(16), '--json', ...extra], ALLOW);
      expect(res.code).toBe(0);
      return JSON.parse(res.io.out()) as { url: string; format: string };
    };
    expect(await add('fmt-relay', `http://127.0.0.1:${port}/relay`, '--format', 'slack')).toMatchObject({ format: 'slack', url: `http://127.0.0.1:${port}/relay` });
    expect(await add('fmt-legacy', `http://127.0.0.1:${port}/legacy#format=discord`)).toMatchObject({ format: 'discord', url: `http://127.0.0.1:${port}/legacy` });
    expect(await add('fmt-plain', `http://127.0.0.1:${port}/plain`)).toMatchObject({ format: 'json' });
    const rows = (await listWebhookSubscriptions(database.pool)).filter((r) => r.name.startsWith('fmt-'));
    expect(rows.map((r) => [r.name, r.format, r.url.includes('#')])).toEqual([
      ['fmt-legacy', 'discord', false],
      ['fmt-plain', 'json', false],
      ['fmt-relay', 'slack', false],
    ]);
  });

  it('shows each subscription\'s stored format in the table and in --json', async () => {
    await updateRows(database, webhook_subscriptions, { format: 'discord' }, { name: 'fmt-plain' });
    const table = (await webhook(['list'])).io.out();
    expect(table).toMatch(/fmt-legacy\s+enabled\s+discord\s+attacker\.>/);
    expect(table).toMatch(/fmt-plain\s+enabled\s+discord\s+attacker\.>/);
    expect(table).toMatch(/fmt-relay\s+enabled\s+slack\s+attacker\.>/);
    const json = JSON.parse((await webhook(['list', '--json'])).io.out()) as { name: string; format: string }[];
    expect(json.filter((r) => r.name.startsWith('fmt-')).map((r) => [r.name, r.format])).toEqual([
      ['fmt-legacy', 'discord'],
      ['fmt-plain', 'discord'],
      ['fmt-relay', 'slack'],
    ]);
  });

  it('test delivers in the stored format', async () => {
    const before = received.length;
    expect((await webhook(['test', 'fmt-relay'], ALLOW)).code).toBe(0);
    expect((await webhook(['test', 'fmt-plain'], ALLOW)).code).toBe(0);
    const [slack, discord] = received.slice(before);
    expect(JSON.parse(slack?.body ?? '{}')).toHaveProperty('text');
    expect(JSON.parse(discord?.body ?? '{}')).toHaveProperty('content');
  });
});

describe('list, test, enable/disable and remove', () => {
  it('lists without secrets, as a table and as JSON', async () => {
    const table = await webhook(['list']);
    expect(table.io.out()).toMatch(/^NAME\s+STATE\s+FORMAT\s+PATTERNS/);
    expect(table.io.out()).toMatch(/local\s+enabled\s+json\s+system\.>,attacker\.>\s+0/);
    const json = JSON.parse((await webhook(['list', '--json'])).io.out()) as Record<string, unknown>[];
    expect(json[0]).toMatchObject({ name: 'local', enabled: true, format: 'json', topicPatterns: [rootPattern('system'), rootPattern('attacker')] });
    expect(json[0]).not.toHaveProperty('secret');
  });

  it('sends a signed test event the receiver can verify with the stored secret', async () => {
    const res = await webhook(['test', 'local', '--json'], ALLOW);
    expect(res.code).toBe(0);
    const result = JSON.parse(res.io.out()) as { ok: boolean; status: number; attempts: number; eventId: string };
    expect(result).toMatchObject({ ok: true, status: 204, attempts: 1 });
    const got = received.at(-1);
    expect(got?.headers['x-decnet-event-topic']).toBe('test.ping');
    expect(got?.headers['x-decnet-event-id']).toBe(result.eventId);
    const secret = (await findWebhookSubscription(database.pool, 'local'))?.secret;
    expect(
      verifySignature({
        secret: secret as string,
        body: got?.body ?? '',
        timestamp: got?.headers['x-decnet-timestamp'] as string,
        signature: got?.headers['x-decnet-signature'] as string,
        nowS: Date.now() / 1000,
      }),
    ).toBe(true);
    // Without the allow-list the same test is refused before any request.
    const before = received.length;
    const refused = await webhook(['test', 'local']);
    expect(refused.code).toBe(1);
    expect(refused.io.out()).toContain('refused');
    expect(received).toHaveLength(before);
  });

  it('disables, enables and removes by name or uuid', async () => {
    expect((await webhook(['disable', 'local'])).code).toBe(0);
    expect((await webhook(['list'])).io.out()).toMatch(/local\s+disabled/);
    const uuid = (JSON.parse((await webhook(['list', '--json'])).io.out()) as { uuid: string }[])[0]?.uuid as string;
    expect((await webhook(['enable', uuid])).code).toBe(0);
    expect((await webhook(['list'])).io.out()).toMatch(/local\s+enabled/);
    expect((await webhook(['remove', 'local'])).code).toBe(0);
    expect((await webhook(['remove', 'local'])).code).toBe(1);
    expect((await webhook(['list'])).io.err()).toContain('no webhook subscriptions');
  });
});
