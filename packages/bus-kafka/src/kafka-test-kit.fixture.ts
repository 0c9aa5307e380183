// Shared helpers for this package's integration tests: the test broker's address, unique topic
// prefixes (cleaned up afterwards), core's recording logger, and a private broker driven through
// the tools/kafka CLI for tests that kill it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

const run = promisify(execFile);

/** Repository root, from this file's place in packages/bus-kafka/src. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const KAFKA_CLI = join(REPO_ROOT, 'tools/kafka/kafka.mjs');

/** Bootstrap servers of the shared test broker (tools/testing/kafka-setup.ts sets them). */
export function testBrokers(): string[] {
  const value = process.env.KAFKA_BROKERS;
  if (!value) throw new Error('KAFKA_BROKERS is not set: run through vitest (kafka-setup.ts) or set it');
  return value.split(',');
}

/** A topic prefix no other test run uses. */
export function uniquePrefix(name: string): string {
  return `t-${name}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every topic whose name starts with `<prefix>.` (best effort). */
export async function deleteTopics(brokers: readonly string[], prefix: string): Promise<void> {
  const admin = new Kafka({ clientId: 'test-cleanup', brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch {
    // cleanup only
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

// The recording logger is core's test kit's; re-exported so this package's tests keep one import.
export { recordingLogger, type LogLine } from '@decnet/core/testing';

/** A broker of its own, started through the tools/kafka CLI so a test may kill it. */
export interface PrivateBroker {
  readonly brokers: string[];
  readonly port: number;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Stops it and deletes its data. */
  stop(): Promise<void>;
}

async function cli(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [KAFKA_CLI, ...args, '--json'], { cwd: REPO_ROOT, timeout: 180_000 });
  return JSON.parse(stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
}

/**
 * Starts a private single-node broker (free port, temp data dir). It is registered with this
 * process as owner, so a later start reaps it if the test process dies without `stop()`.
 */
export async function startPrivateBroker(): Promise<PrivateBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'decnet-kafka-test-'));
  const started = await cli(['start', '--data-dir', dataDir, '--port', '0', '--owner-pid', String(process.pid)]);
  const port = started['port'] as number;
  return {
    brokers: [`127.0.0.1:${port}`],
    port,
    kill: async () => {
      await cli(['kill', '--data-dir', dataDir]);
    },
    restart: async () => {
      await cli(['start', '--data-dir', dataDir, '--owner-pid', String(process.pid)]);
    },
    stop: async () => {
      await cli(['stop', '--data-dir', dataDir]).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
