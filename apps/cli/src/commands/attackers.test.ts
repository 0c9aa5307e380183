// `decnet attackers`: most recently seen first, behaviour and tools shown, the profiler's
// internal accumulator never printed, attacker text escaped, a bad --limit refused.
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import type { Database } from '@decnet/db';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, type CommandIO } from '../io.js';
import { captureIOReaders } from '../testing.js';
import { run } from './attackers.js';

const { attacker_behavior, attackers: attackersTable, migrate, openDatabase } = await import('@decnet/db');
const { insertRows } = await import('@decnet/db/testing');

const capture = captureIOReaders;

let scratch: ScratchDatabase;
let database: Database;

beforeAll(async () => {
  scratch = await createScratchDatabase();
  database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false });
  await migrate(database.db, silentLogger);
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});

const attackers = async (args: string[]) => {
  const io = capture({ DATABASE_URL: scratch.url, DECNET_HOME: '/tmp/decnet-attackers-test' });
  const code = await run(args, io);
  return { code, io };
};

describe('decnet attackers lists what the profiler built', () => {
  it('says so when there are none yet', async () => {
    const { code, io } = await attackers([]);
    expect(code).toBe(0);
    expect(io.err()).toContain('no attackers yet');
  });

  it('prints a table newest first and JSON without the accumulator', async () => {
    const uuid = '7a1c0e52-3c1f-4d43-9a54-0c6f2b1d9e01';
    await insertRows(database, attackersTable, [
      {
        uuid,
        ip: '198.51.100.7',
        first_seen: new Date('2026-05-02T06:00:00Z'),
        last_seen: new Date('2026-05-02T06:10:00Z'),
        event_count: 42,
        service_count: 2,
        decky_count: 2,
        services: ['http', 'ssh'],
        deckies: ['decky-01', 'decky-03'],
        traversal_path: 'decky-01 → decky-03',
        is_traversal: true,
      },
      {
        ip: '203.0.113.9',
        first_seen: new Date('2026-05-02T05:00:00Z'),
        last_seen: new Date('2026-05-02T05:01:00Z'),
        event_count: 3,
        service_count: 1,
        decky_count: 1,
        services: ['ssh\u001b[2J'],
        deckies: ['decky-02'],
        traversal_path: null,
        is_traversal: false,
      },
    ]);
    await insertRows(database, attacker_behavior, [
      { attacker_uuid: uuid, behavior_class: 'brute_force', tool_guesses: ['hydra', 'curl'], timing_stats: { mean: 1.5, event_count: 42 }, profile_state: { v: 1 } },
    ]);
    const table = await attackers([]);
    expect(table.code).toBe(0);
    const lines = table.io.out().split('\n');
    expect(lines[0]).toMatch(/^IP\s+FIRST SEEN \(UTC\)\s+LAST SEEN \(UTC\)\s+EVENTS\s+SERVICES\s+DECKIES\s+CLASS\s+TOOLS$/);
    expect(lines[1]).toMatch(/^198\.51\.100\.7\s+2026-05-02 06:00:00\s+2026-05-02 06:10:00\s+42\s+http,ssh\s+decky-01→decky-03\s+brute_force\s+hydra,curl$/);
    expect(lines[2]).toContain('ssh\\x1b[2J');
    expect(table.io.out()).not.toContain('\u001b');

    const json = JSON.parse((await attackers(['--json', '--limit', '1'])).io.out()) as Record<string, unknown>[];
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ ip: '198.51.100.7', event_count: 42, behavior_class: 'brute_force', timing_stats: { mean: 1.5, event_count: 42 }, last_seen: '2026-05-02T06:10:00.000Z' });
    expect(json[0]?.timing_stats).not.toHaveProperty('_state');
    expect(json[0]).not.toHaveProperty('profile_state');
  });

  it('refuses a bad --limit with a usage error', async () => {
    await expect(attackers(['--limit', '0'])).rejects.toBeInstanceOf(UsageError);
    await expect(attackers(['--limit', '10001'])).rejects.toBeInstanceOf(UsageError);
  });
});
