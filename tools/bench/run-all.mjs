#!/usr/bin/env node
// `npm run bench [-- name ...]`: runs each benchmark script in tools/bench in turn and prints
// its output. One file per benchmark at the top of tools/bench; what they share is in lib/.
// Benchmarks are scripts, never timed tests; their figures go in the README.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const scripts = readdirSync(here)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();
let failed = 0;
for (const name of scripts) {
  process.stdout.write(`\n=== ${name} ===\n`);
  const r = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), '--conditions=@decnet/source', join(here, `${name}.ts`)], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
