// Worker bundles as benchmarks run them: a child process per bundle, its stderr tail printed if
// it dies unexpectedly, stopped with SIGTERM; and a plain sleep between samples.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './args.js';

/** Starts `node [nodeFlags] <bundle>` from the repository root with `env` over this process's. */
export function spawnWorker(bundle: string, env: Record<string, string>, nodeFlags: readonly string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, join(WORKSPACE_ROOT, bundle)], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4000)));
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') process.stderr.write(`${bundle} exited (${code ?? signal}):\n${tail}\n`);
  });
  return child;
}

/** SIGTERM, then waits for the exit (a worker stops within its deadline). */
export async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
