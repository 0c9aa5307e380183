// The worker packages this build ships: every workspace package whose package.json declares a
// `decnet.worker` manifest. Run from source (tests, tsx), the workspace is read here; the bundler
// (tools/bundle/bundle.mjs) replaces this module with the same list generated at build time, with
// a static import per worker so each one is bundled.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { WorkerSpec } from '@decnet/core';

/** One package declaring a worker: its npm name, raw `decnet.worker` manifest and lazy loader. */
export interface WorkerPackage {
  readonly packageName: string;
  /** The package's `decnet.worker` value, unvalidated (catalog.ts checks it). */
  readonly manifest: unknown;
  readonly load: () => Promise<{ readonly worker: WorkerSpec }>;
}

/** Where workspace packages live, relative to the repository root. */
const PACKAGES_DIR = 'packages';

/** Every workspace package with a `decnet.worker` manifest, sorted by package name. */
export function workerPackages(root = resolve(import.meta.dirname, '../../..')): WorkerPackage[] {
  const dir = join(root, PACKAGES_DIR);
  if (!existsSync(dir)) {
    throw new Error(`no workspace at ${dir}: run decnet from the repository, or from a bundle built by tools/bundle`);
  }
  const found: WorkerPackage[] = [];
  for (const entry of readdirSync(dir)) {
    const file = join(dir, entry, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; decnet?: { worker?: unknown } };
    if (pkg.decnet?.worker === undefined || typeof pkg.name !== 'string') continue;
    const packageName = pkg.name;
    found.push({ packageName, manifest: pkg.decnet.worker, load: () => import(packageName) as Promise<{ worker: WorkerSpec }> });
  }
  return found.sort((a, b) => a.packageName.localeCompare(b.packageName));
}
