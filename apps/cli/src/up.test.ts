// `decnet up` as a user runs it: one process, in-memory bus, migrations applied, heartbeats
// readable from another process with `decnet workers status`, SIGTERM exits 0.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { eventually } from '@decnet/core/testing';

const ROOT = resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);

async function upAndDown(extraEnv: Record<string, string | undefined>, timeoutMs: number): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'decnet-up-'));
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
          return (status?.workers.length ?? 0) >= 2;
        } catch {
          return false;
        }
      },
      timeoutMs,
      500,
    );
    expect(status?.workers.map((w) => w.worker).sort()).toEqual(['fixture', 'fixture-db']);
    expect(status?.workers.every((w) => w.state === 'running' && w.health === 'ok')).toBe(true);
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
