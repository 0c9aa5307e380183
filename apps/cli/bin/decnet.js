#!/usr/bin/env node
// Launcher for the `decnet` command: runs the esbuild bundle of apps/cli, building it first
// when it is missing (a fresh clone where `npm ci` ran with scripts disabled).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bundle = new URL('../../../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  execFileSync(process.execPath, [`${root}tools/bundle/bundle.mjs`, '--quiet'], { stdio: 'inherit' });
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv.slice(2));
