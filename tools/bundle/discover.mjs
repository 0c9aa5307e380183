// Finds the projects that declare a runnable bundle (`decnet.bundle` in package.json).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every project that declares `decnet.bundle` in its package.json. */
export function discoverBundles(root = ROOT) {
  const found = [];
  for (const area of ['packages', 'apps']) {
    const dir = join(root, area);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const file = join(dir, name, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.decnet?.bundle) found.push({ root: join(dir, name), pkg, ...pkg.decnet.bundle });
    }
  }
  return found.sort((a, b) => a.id.localeCompare(b.id));
}

