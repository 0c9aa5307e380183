// `decnet up` as a user runs it: one process, in-memory bus, migrations applied, heartbeats
// readable from another process with `decnet workers status`, SIGTERM exits 0.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { eventually } from '@decnet/core/testing';

const ROOT = resolve(import.meta.dirname, '../../..');
const { CATALOG } = await import('@decnet/supervise');
const expectedCount = (): number => CATALOG.filter((w) => !w.fixture && w.embedded !== false).length;
const run = promisify(execFile);

async function upAndDown(extraEnv: Record<string, string | undefined>, timeoutMs: number): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'decnet-up-'));
  // mkdtemp makes 0700; as root, the embedded Postgres runs as the postgres user and must reach it.
  chmodSync(home, 0o755);
  const env = { ...process.env, DECNET_HOME: home, DECNET_LOG_LEVEL: 'warn', DECNET_HEALTH_INTERVAL_MS: '500', ...extraEnv };
  const child = spawn(process.execPath, ['apps/cli/bin/decnet.js', 'up'], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  try {
    let status: { workers: { worker: string; state: string; health: string }[] } | undefined;
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`decnet up exited with ${child.exitCode}`);
        try {
          const { stdout } = await run(process.execPath, ['apps/cli/bin/decnet.js', 'workers', 'status', '--json'], { cwd: ROOT, env });
          status = JSON.parse(stdout) as typeof status;
          const all = status?.workers ?? [];
          return all.length >= Math.max(2, expectedCount()) && all.every((w) => w.state === 'running');
        } catch {
          return false;
        }
      },
      timeoutMs,
      500,
    ).catch((err: unknown) => {
      throw new Error(`fleet not healthy in time; last status: ${JSON.stringify(status?.workers)}`, { cause: err });
    });
    const expected = CATALOG.filter((w) => !w.fixture && w.embedded !== false).map((w) => w.name);
    expect(status?.workers.map((w) => w.worker).sort()).toEqual((expected.length > 0 ? expected : ['fixture', 'fixture-db']).sort());
    expect(status?.workers.map((w) => `${w.worker}:${w.state}:${w.health}`)).toEqual(
      status?.workers.map((w) => `${w.worker}:running:ok`),
    );
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
}

describe('decnet up runs the fleet in one process', () => {
  it('on DATABASE_URL: migrates, reports health to workers status, exits 0 on SIGTERM', async () => {
    await upAndDown({ DATABASE_URL: process.env.DECNET_TEST_DATABASE_URL }, 60_000);
  });
  it('without DATABASE_URL: starts the embedded Postgres under DECNET_HOME', async () => {
    await upAndDown({ DATABASE_URL: undefined }, 110_000);
  });
});
