// `decnet logs`: upstream's search syntax as parameterised SQL, newest first, safe terminal
// output, on DATABASE_URL and on the embedded Postgres a running `decnet up` started.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import type { Database } from '@decnet/db';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../io.js';
import { parseSearch, printable, run, splitShellWords } from './logs.js';
import { captureIOReaders as capture } from '../testing.js';

// The CLI loads the database layer lazily; tests do the same.
const { buildLogsQuery, logs: logsTable, migrate, openDatabase } = await import('@decnet/db');
const { countRows, insertRows } = await import('@decnet/db/testing');

async function insertLog(database: Database, row: { ts: string; decky: string; service: string; event: string; ip: string; fields: object; msg?: string; raw: string }) {
  await insertRows(database, logsTable, [
    {
      timestamp: new Date(row.ts),
      decky: row.decky,
      service: row.service,
      event_type: row.event,
      attacker_ip: row.ip,
      fields: row.fields as Record<string, string>,
      msg: row.msg ?? '',
      raw_line: row.raw,
    },
  ]);
}

describe('search strings split like a shell and map to upstream filters', () => {
  it('splits on whitespace, honouring quotes and backslashes', () => {
    expect(splitShellWords(`a "b c" 'd "e"' f\\ g "h\\"i"  `)).toEqual(['a', 'b c', 'd "e"', 'f g', 'h"i']);
    expect(splitShellWords('"unterminated quote')).toEqual(['unterminated quote']);
    expect(splitShellWords("''")).toEqual(['']);
  });
  it('maps column aliases, field keys and bare words', () => {
    expect(parseSearch('decky:d1 service:ssh event:login attacker:1.2.3.4 attacker-ip:5.6.7.8 attacker_ip:9.9.9.9 username:root "Failed password" http://x')).toEqual([
      { kind: 'column', column: 'decky', value: 'd1' },
      { kind: 'column', column: 'service', value: 'ssh' },
      { kind: 'column', column: 'event_type', value: 'login' },
      { kind: 'column', column: 'attacker_ip', value: '1.2.3.4' },
      { kind: 'column', column: 'attacker_ip', value: '5.6.7.8' },
      { kind: 'column', column: 'attacker_ip', value: '9.9.9.9' },
      { kind: 'field', key: 'username', value: 'root' },
      { kind: 'word', word: 'Failed password' },
      { kind: 'field', key: 'http', value: '//x' },
    ]);
    expect(parseSearch(':x y: ::')).toEqual([
      { kind: 'word', word: ':x' },
      { kind: 'word', word: 'y:' },
      { kind: 'word', word: '::' },
    ]);
  });
  it('never puts search text into the SQL', () => {
    const evil = `'; DROP TABLE logs; -- "x`;
    const q = buildLogsQuery(parseSearch(`decky:${JSON.stringify(evil)} ${JSON.stringify(evil)}:v ${JSON.stringify(evil)} 100%_`), 5);
    expect(q.text).not.toContain('DROP');
    expect(q.text).not.toContain('100');
    expect(q.values).toContain(evil);
    expect(q.values).toContain('%100\\%\\_%');
  });
  it('escapes control characters so attacker text cannot drive the terminal', () => {
    expect(printable('a\u001b[31mb\u009bc\n')).toBe('a\\x1b[31mb\\x9bc\\x0a');
  });
});

describe('decnet logs reads DATABASE_URL, newest first', () => {
  let scratch: ScratchDatabase;
  let database: Database;
  beforeAll(async () => {
    scratch = await createScratchDatabase();
    database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false });
    await migrate(database.db, silentLogger);
    await insertLog(database, { ts: '2026-05-02T06:00:01Z', decky: 'd1', service: 'ssh', event: 'auth_attempt', ip: '1.2.3.4', fields: { username: 'root' }, raw: 'r1 Failed password' });
    await insertLog(database, { ts: '2026-05-02T06:00:03Z', decky: 'd2', service: 'http', event: 'request', ip: '5.6.7.8', fields: { path: '/x' }, msg: 'evil \u001b[2J', raw: 'r2' });
    await insertLog(database, { ts: '2026-05-02T06:00:02Z', decky: 'd1', service: 'ssh', event: 'auth_attempt', ip: '5.6.7.8', fields: { username: 'admin' }, raw: 'r3 failed PASSWORD' });
  });
  afterAll(async () => {
    await database.close();
    await scratch.drop();
  });

  const logs = async (args: string[]) => {
    const io = capture({ DATABASE_URL: scratch.url, DECNET_HOME: '/tmp/decnet-logs-test' });
    const code = await run(args, io);
    return { code, io };
  };
  it('lists every event newest first as JSON', async () => {
    const { code, io } = await logs(['--json']);
    expect(code).toBe(0);
    expect(ids(io.out())).toEqual(['r2', 'r3 failed PASSWORD', 'r1 Failed password']);
    expect(JSON.parse(io.out())[0]).toMatchObject({ decky: 'd2', service: 'http', event_type: 'request', attacker_ip: '5.6.7.8', timestamp: '2026-05-02T06:00:03.000Z' });
  });
  it('filters by columns, JSON fields and bare words, and honours --limit', async () => {
    expect(ids((await logs(['--json', '--search', 'service:ssh'])).io.out())).toEqual(['r3 failed PASSWORD', 'r1 Failed password']);
    expect(ids((await logs(['--json', '--search', 'username:root'])).io.out())).toEqual(['r1 Failed password']);
    expect(ids((await logs(['--json', '--search', 'attacker:5.6.7.8 event:auth_attempt'])).io.out())).toEqual(['r3 failed PASSWORD']);
    expect(ids((await logs(['--json', '--search', '"failed password"'])).io.out())).toEqual(['r3 failed PASSWORD', 'r1 Failed password']);
    expect(ids((await logs(['--json', '--search', "'; DROP TABLE logs; --"])).io.out())).toEqual([]);
    expect(ids((await logs(['--json', '--limit', '1'])).io.out())).toEqual(['r2']);
  });
  it('prints a table with control characters escaped', async () => {
    const { code, io } = await logs(['--search', 'decky:d2']);
    expect(code).toBe(0);
    expect(io.out()).toMatch(/^ID\s+TIME \(UTC\)\s+DECKY\s+SERVICE\s+EVENT\s+ATTACKER\s+MESSAGE\n/);
    expect(io.out()).toContain('2026-05-02 06:00:03  d2');
    expect(io.out()).toContain('evil \\x1b[2J');
    expect(io.out()).not.toContain('\u001b');
  });
  it('refuses a bad --limit with a usage error', async () => {
    await expect(logs(['--limit', '0'])).rejects.toBeInstanceOf(UsageError);
    await expect(logs(['--limit', 'x'])).rejects.toBeInstanceOf(UsageError);
  });
});

describe('decnet logs finds the embedded Postgres a running `decnet up` started', () => {
  it('joins the running server under DECNET_HOME instead of starting another', async () => {
    const home = mkdtempSync(join(tmpdir(), 'decnet-logs-embedded-'));
    chmodSync(home, 0o755);
    // What `decnet up` does without DATABASE_URL: start the embedded server and migrate.
    const upDatabase = await openDatabase(testConfig({ DECNET_HOME: home }), silentLogger);
    try {
      expect(upDatabase.embedded).toBe(true);
      await migrate(upDatabase.db, silentLogger);
      await insertLog(upDatabase, { ts: '2026-05-02T06:00:01Z', decky: 'emb', service: 'ssh', event: 'login', ip: '1.2.3.4', fields: {}, raw: 'embedded row' });
      const io = capture({ DECNET_HOME: home });
      expect(await run(['--json'], io)).toBe(0);
      expect(ids(io.out())).toEqual(['embedded row']);
      // The command joined the server and left it running for `up`.
      expect({ n: await countRows(upDatabase, logsTable) }).toEqual({ n: 1 });
    } finally {
      await upDatabase.close();
      rmSync(home, { recursive: true, force: true });
    }
  }, 180_000);
});

function ids(json: string): string[] {
  return (JSON.parse(json) as { raw_line: string }[]).map((r) => r.raw_line);
}
