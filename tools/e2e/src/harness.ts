// What every end-to-end test needs: bundles built, child processes whose output is kept for
// failure messages, free loopback ports, and waiting with that output attached.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '@decnet/core/testing';

const run = promisify(execFile);

/** The repository root: bundles live under dist/ here. */
export const WORKSPACE_ROOT = resolve(import.meta.dirname, '../../..');

/** Builds the named bundles (e.g. `worker-collector`, `cli`, `service-ssh`) if their sources changed. */
export async function bundle(ids: readonly string[]): Promise<void> {
  await run(process.execPath, ['tools/bundle/bundle.mjs', '--quiet', ...ids], { cwd: WORKSPACE_ROOT, timeout: 300_000 });
}

/** A spawned process with the tail of its output kept for failure messages. */
export interface Proc {
  readonly child: ChildProcess;
  readonly name: string;
  output(): string;
  /** Sends `signal` (if still running) and resolves with the exit code. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Runs `node <args>` from the workspace root with `env` layered over this process's environment. */
export function startProcess(name: string, args: readonly string[], env: Record<string, string | undefined>): Proc {
  const child = spawn(process.execPath, args, { cwd: WORKSPACE_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    child,
    name,
    output: () => out,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** A loopback port free for both TCP and UDP. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((done, fail) => {
      const s = createServer();
      s.once('error', fail);
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => done(p));
      });
    });
    const udpFree = await new Promise<boolean>((done) => {
      const u = createSocket('udp4');
      u.once('error', () => done(false));
      u.bind(port, '127.0.0.1', () => u.close(() => done(true)));
    });
    if (udpFree) return port;
  }
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export async function tcpOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      done(true);
    });
    s.once('error', () => done(false));
  });
}

/** Waits until `what` holds; on timeout the error carries the output of `procs`. */
export async function waitFor(what: () => Promise<boolean>, timeoutMs: number, procs: readonly Proc[]): Promise<void> {
  try {
    await eventually(what, timeoutMs, 200);
  } catch (err) {
    const outputs = procs.map((p) => `--- ${p.name} ---\n${p.output()}`).join('\n');
    throw new Error(`${(err as Error).message}\n${outputs}`, { cause: err });
  }
}
