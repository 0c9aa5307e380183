import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CATALOG } from '@decnet/supervise';
import { bundleBytes, findDbInputs, readWorkerBundles, type WorkerBundle } from './floor.js';

const ROOT = resolve(import.meta.dirname, '../../..');
let bundles: WorkerBundle[] = [];

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/workers')) || !existsSync(join(ROOT, 'dist/cli/main.js'))) {
    execFileSync(process.execPath, ['tools/bundle/bundle.mjs', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
  }
  bundles = readWorkerBundles(ROOT);
});

describe('the import floor: a worker without db bundles none of the database layer', () => {
  it('finds a bundle and a metafile for every catalog worker', () => {
    expect(bundles.map((b) => b.name).sort()).toEqual(CATALOG.map((w) => w.name).sort());
  });

  it('keeps drizzle-orm, pg and @decnet/db out of every worker that does not declare db', () => {
    const report = bundles.map((b) => {
      const entry = CATALOG.find((w) => w.name === b.name);
      return {
        worker: b.name,
        needsDb: entry?.needs.includes('db') ?? false,
        kib: Math.round(bundleBytes(b.meta) / 1024),
        dbInputs: findDbInputs(b.meta).length,
      };
    });
    console.table(report);
    const offenders = report.filter((r) => !r.needsDb && r.dbInputs > 0).map((r) => r.worker);
    expect(offenders).toEqual([]);
  });

  it('declares needs consistently in the catalog, the spec and the package tags', async () => {
    for (const entry of CATALOG) {
      const spec = await entry.load();
      expect(spec.name).toBe(entry.name);
      expect([...spec.needs].sort()).toEqual([...entry.needs].sort());
      const pkg = JSON.parse(readFileSync(join(ROOT, 'packages', `workers-${entry.name}`, 'package.json'), 'utf8')) as {
        nx: { name: string; tags: string[] };
      };
      expect(pkg.nx.name).toBe(`worker-${entry.name}`);
      expect(pkg.nx.tags).toContain(entry.needs.includes('db') ? 'needs:db' : 'needs:none');
    }
  });

  it('would flag a bundle that carried the database layer (the check can fail)', () => {
    const dbWorker = bundles.find((b) => CATALOG.find((w) => w.name === b.name)?.needs.includes('db'));
    expect(dbWorker, 'a db worker bundle exists to prove detection').toBeDefined();
    const found = findDbInputs(dbWorker!.meta);
    expect(found.some((p) => p.includes('node_modules/drizzle-orm/'))).toBe(true);
    expect(found.some((p) => p.includes('node_modules/pg/'))).toBe(true);
    expect(found.some((p) => p.includes('packages/db/'))).toBe(true);
  });
});

describe('each worker image is built from its bundle alone', () => {
  it('has a Dockerfile whose COPY sources all exist in dist/workers/<name>', () => {
    for (const b of bundles) {
      const dockerfile = join(ROOT, 'packages', `workers-${b.name}`, 'Dockerfile');
      expect(existsSync(dockerfile), dockerfile).toBe(true);
      const text = readFileSync(dockerfile, 'utf8');
      expect(text).toContain(`dist/workers/${b.name}`);
      const manifest = JSON.parse(readFileSync(join(b.dir, 'package.json'), 'utf8')) as { decnet?: { nodeFlags?: string[] } };
      const cmd = text.split('\n').find((l) => l.startsWith('CMD ')) ?? '';
      for (const flag of manifest.decnet?.nodeFlags ?? []) expect(cmd, `${b.name}: CMD runs with ${flag}`).toContain(flag);
      const copies = text.split('\n').filter((l) => /^COPY\s/.test(l));
      expect(copies.length).toBeGreaterThan(0);
      for (const line of copies) {
        const parts = line.trim().split(/\s+/).slice(1, -1).filter((p) => !p.startsWith('--'));
        for (const src of parts) {
          expect(src.includes('..') || src.startsWith('/'), `${b.name}: ${src} must be inside the context`).toBe(false);
          expect(existsSync(join(b.dir, src)), `${b.name}: ${src} missing from its bundle`).toBe(true);
        }
      }
    }
  });
});
