// Finds the projects that declare a runnable bundle (`decnet.bundle` in package.json) and the
// worker packages (`decnet.worker`), both straight from each package's own package.json.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every package.json under packages/ and apps/, with the directory it sits in. */
function readPackages(root) {
  const found = [];
  for (const area of ['packages', 'apps']) {
    const dir = join(root, area);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const file = join(dir, name, 'package.json');
      if (!existsSync(file)) continue;
      found.push({ root: join(dir, name), pkg: JSON.parse(readFileSync(file, 'utf8')) });
    }
  }
  return found;
}

/** Every project that declares `decnet.bundle` in its package.json. */
export function discoverBundles(root = ROOT) {
  return readPackages(root)
    .filter(({ pkg }) => pkg.decnet?.bundle)
    .map(({ root: dir, pkg }) => ({ root: dir, pkg, ...pkg.decnet.bundle }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Every package that declares a worker (`decnet.worker`), sorted by package name: what
 * apps/supervise's catalog reads from the workspace when run from source.
 */
export function discoverWorkers(root = ROOT) {
  return readPackages(root)
    .filter(({ pkg }) => pkg.decnet?.worker !== undefined)
    .map(({ root: dir, pkg }) => ({ root: dir, packageName: pkg.name, manifest: pkg.decnet.worker }))
    .sort((a, b) => a.packageName.localeCompare(b.packageName));
}
