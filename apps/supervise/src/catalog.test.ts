// The catalog comes from each worker package's own package.json (`decnet.worker`): a new worker
// needs only that field, bad manifests fail naming the package and field, and the bundle built by
// tools/bundle carries every worker the source scan finds.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, catalogFrom, groupMembers, populatedGroups } from './catalog.js';
import { GROUPS } from './groups.js';
import { workerPackages, type WorkerPackage } from './worker-packages.js';

const ROOT = resolve(import.meta.dirname, '../../..');

function fakePackage(packageName: string, manifest: unknown): WorkerPackage {
  return { packageName, manifest, load: () => Promise.reject(new Error('not loadable')) };
}

describe('the catalog is read from each worker package.json', () => {
  it('lists every workspace package that declares decnet.worker, and loads its spec by name', async () => {
    const declared = workerPackages().map((p) => p.packageName);
    expect(CATALOG.map((w) => w.packageName).sort()).toEqual(declared.sort());
    expect(CATALOG.map((w) => w.name)).toContain('fixture');
    for (const entry of CATALOG) {
      const spec = await entry.load();
      expect(spec.name).toBe(entry.name);
      expect([...spec.needs].sort()).toEqual([...entry.needs].sort());
      expect(entry.packageName).toBe(`@decnet/worker-${entry.name}`);
    }
  });

  it('finds a worker added later from its package.json alone', () => {
    const root = mkdtempSync(join(tmpdir(), 'decnet-catalog-'));
    mkdirSync(join(root, 'packages', 'workers-newcomer'), { recursive: true });
    mkdirSync(join(root, 'packages', 'not-a-worker'), { recursive: true });
    const manifest = { name: 'newcomer', needs: ['bus'], group: 'herd', description: 'arrived later' };
    writeFileSync(join(root, 'packages/workers-newcomer/package.json'), JSON.stringify({ name: '@decnet/worker-newcomer', decnet: { worker: manifest } }));
    writeFileSync(join(root, 'packages/not-a-worker/package.json'), JSON.stringify({ name: '@decnet/lib' }));
    const found = workerPackages(root);
    expect(found.map((p) => [p.packageName, p.manifest])).toEqual([['@decnet/worker-newcomer', manifest]]);
    expect(catalogFrom(found)).toMatchObject([{ name: 'newcomer', group: 'herd', needs: ['bus'], fixture: false }]);
  });

  it('derives group membership from the manifests', () => {
    expect(groupMembers('fixtures')).toEqual(['fixture', 'fixture-db']);
    expect(populatedGroups().every((g) => g in GROUPS)).toBe(true);
    expect(populatedGroups()).toContain('fixtures');
    expect(populatedGroups()).not.toContain('batch');
  });
});

describe('a bad manifest fails loudly, naming the package and the field', () => {
  const valid = { name: 'good', needs: ['bus'], group: 'herd', description: 'fine' };

  it('rejects a missing or mistyped field', () => {
    expect(() => catalogFrom([fakePackage('@decnet/worker-bad', { ...valid, needs: ['bus', 'gpu'] })])).toThrow(
      /@decnet\/worker-bad: invalid worker manifest in package\.json \(decnet\.worker\.needs\.1: /,
    );
    expect(() => catalogFrom([fakePackage('@decnet/worker-bad', { needs: ['bus'], group: 'herd', description: 'x' })])).toThrow(
      /decnet\.worker\.name/,
    );
  });

  it('rejects a group that is not declared', () => {
    expect(() => catalogFrom([fakePackage('@decnet/worker-lost', { ...valid, group: 'nowhere' })])).toThrow(
      /@decnet\/worker-lost: decnet\.worker\.group "nowhere" is not a group; known: fixtures, herd/,
    );
  });

  it('rejects two packages claiming one worker name', () => {
    expect(() => catalogFrom([fakePackage('@decnet/a', valid), fakePackage('@decnet/b', valid)])).toThrow(
      'worker name "good" is declared by both @decnet/a and @decnet/b',
    );
  });
});

describe('the bundler generates the same catalog with static imports', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/supervise/meta.json'))) {
      execFileSync(process.execPath, ['tools/bundle/bundle.mjs', '--quiet', 'supervise'], { cwd: ROOT, stdio: 'inherit' });
    }
  });

  it('bundles every worker package into dist/supervise and no workspace scan', () => {
    type Meta = { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist/supervise/meta.json'), 'utf8')) as Meta;
    const inputs = Object.keys(meta.inputs);
    for (const entry of CATALOG) expect(inputs, `${entry.packageName} is bundled`).toContain(`packages/workers-${entry.name}/src/index.ts`);
    const code = Object.keys(meta.outputs).filter((o) => o.endsWith('.js'));
    expect(code.length).toBeGreaterThan(0);
    for (const output of code) expect(readFileSync(join(ROOT, output), 'utf8')).not.toContain('no workspace at');
  });
});
