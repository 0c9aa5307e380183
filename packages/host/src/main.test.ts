// hostMain as a process runs it (main-child.fixture.ts in a child process): uncaught exceptions
// and unhandled rejections restart only the worker that raised them, a failure outside any worker
// is fatal, SIGTERM stops everything within the deadline with exit 0, a bad config exits 2.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '@decnet/core/testing';

const ROOT = resolve(import.meta.dirname, '../../..');
const CHILD = fileURLToPath(new URL('./main-child.fixture.ts', import.meta.url));

interface Hosted {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; at: number }>;
}

const started: ChildProcess[] = [];

function host(mode: string, env: Record<string, string> = {}): Hosted {
  const child = spawn(process.execPath, ['--conditions=@decnet/source', '--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: { ...process.env, DECNET_BUS: 'memory', DECNET_LOG_LEVEL: 'warn', DECNET_INSTANCE_ID: 'host-test', HOST_TEST_MODE: mode, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  const exit = new Promise<{ code: number | null; at: number }>((done) => child.once('exit', (code) => done({ code, at: Date.now() })));
  return { child, lines, stderr: () => stderr, exit };
}

/** The child's diagnostics: JSON log lines on stderr (other lines are skipped). */
function logged(h: Hosted): Record<string, unknown>[] {
  return h
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const hosting = (h: Hosted): Promise<void> => eventually(() => h.lines.some((l) => l['hosting'] === true) || h.child.exitCode !== null, 60_000, 20);

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('hostMain attributes uncaught failures to the worker that raised them', () => {
  it('restarts the faulty worker after an uncaught exception and an unhandled rejection; its sibling runs on', async () => {
    const h = host('faults');
    await hosting(h);
    await eventually(() => h.lines.some((l) => l['start'] === 'faulty' && l['n'] === 3) || h.child.exitCode !== null, 30_000, 20);
    expect(h.child.exitCode).toBeNull();
    expect(h.lines.filter((l) => l['start'] === 'faulty').map((l) => l['n'])).toEqual([1, 2, 3]);
    expect(h.lines.filter((l) => l['start'] === 'steady')).toHaveLength(1);
    const restarts = logged(h).filter((l) => l['msg'] === 'worker failed; restarting');
    expect(restarts.map((l) => [l['worker'], l['err'], l['backoffMs']])).toEqual([
      ['faulty', 'Error: uncaught in faulty', 1000],
      ['faulty', 'Error: rejection in faulty', 2000],
    ]);
    h.child.kill('SIGTERM');
    expect((await h.exit).code).toBe(0);
  }, 90_000);

  it('exits 1 on a failure that no hosted worker owns', async () => {
    const h = host('outside');
    const { code } = await h.exit;
    expect(code).toBe(1);
    const fatal = logged(h).find((l) => l['msg'] === 'fatal failure outside any worker');
    expect(fatal).toMatchObject({ kind: 'uncaughtException', err: expect.stringContaining('uncaught outside any worker') });
  }, 90_000);
});

describe('hostMain owns the process signals', () => {
  it('stops every worker on SIGTERM and exits 0 well within the deadline', async () => {
    const h = host('steady');
    await hosting(h);
    await eventually(() => h.lines.some((l) => l['start'] === 'steady'), 10_000, 20);
    const t0 = Date.now();
    h.child.kill('SIGTERM');
    const { code, at } = await h.exit;
    expect(code).toBe(0);
    expect(at - t0).toBeLessThan(15_000);
    expect(h.lines).toContainEqual({ stop: 'steady' });
  }, 90_000);

  it('exits 0 at the shutdown deadline when a worker ignores its signal', async () => {
    const h = host('stubborn', { HOST_TEST_DEADLINE_MS: '1000' });
    await hosting(h);
    const t0 = Date.now();
    h.child.kill('SIGTERM');
    const { code, at } = await h.exit;
    expect(code).toBe(0);
    expect(at - t0).toBeGreaterThanOrEqual(950);
    expect(at - t0).toBeLessThan(10_000);
    expect(logged(h)).toContainEqual(expect.objectContaining({ msg: 'shutdown deadline passed; exiting anyway', deadlineMs: 1000 }));
  }, 90_000);

  it('exits 1 at once on a second signal while stopping', async () => {
    const h = host('stubborn');
    await hosting(h);
    h.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    h.child.kill('SIGINT');
    const { code, at } = await h.exit;
    expect(code).toBe(1);
    expect(at - t0).toBeLessThan(5_000);
  }, 90_000);

  it('exits 2 with one line per invalid configuration key', async () => {
    const h = host('steady', { DECNET_BUS: 'carrier-pigeon' });
    const { code } = await h.exit;
    expect(code).toBe(2);
    expect(h.stderr()).toMatch(/^decnet: invalid configuration: DECNET_BUS/m);
    expect(h.lines).toEqual([]);
  }, 90_000);
});
