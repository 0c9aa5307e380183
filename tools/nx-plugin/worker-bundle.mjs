// Local Nx plugin: infers `build` (esbuild bundle with metafile) and, for workers, `serve`
// for every project whose package.json declares a `decnet.bundle`, so no project writes
// these targets by hand.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** @type {import('@nx/devkit').CreateNodesV2} */
export const createNodesV2 = [
  '{packages,apps}/*/package.json',
  async (files) =>
    files.flatMap((file) => {
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      const bundle = pkg.decnet?.bundle;
      if (!bundle) return [];
      const root = dirname(file);
      const out = bundle.outDir; // e.g. dist/workers/webhook
      const targets = {
        build: {
          command: `node tools/bundle/bundle.mjs ${bundle.id}`,
          options: { cwd: '{workspaceRoot}' },
          cache: true,
          inputs: ['production', '^production', '{workspaceRoot}/tools/bundle/bundle.mjs'],
          outputs: [`{workspaceRoot}/${out}`],
          metadata: { description: `esbuild bundle of ${pkg.name} into ${out}` },
        },
      };
      if (bundle.kind === 'worker') {
        targets.serve = {
          command: ['node', ...(bundle.nodeFlags ?? []), `${out}/main.js`].join(' '),
          options: { cwd: '{workspaceRoot}' },
          dependsOn: ['build'],
          continuous: true,
          metadata: { description: `run worker ${bundle.id} standalone (Kafka + Postgres from env)` },
        };
      }
      return [[file, { projects: { [root]: { targets } } }]];
    }),
];
