// Local Nx plugin: infers `build` (esbuild bundle with metafile) and, for workers, `serve`
// for every project whose package.json declares a `decnet.bundle`, so no project writes
// these targets by hand. A project with `decnet.workerCatalog` (apps/supervise, whose catalog is
// read from each worker's `decnet.worker` manifest) depends on every worker project implicitly,
// so a new worker needs nothing but its own package.json.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** @type {import('@nx/devkit').CreateNodesV2} */
export const createNodesV2 = [
  '{packages,apps}/*/package.json',
  async (files) => {
    const packages = files.map((file) => ({ file, pkg: JSON.parse(readFileSync(file, 'utf8')) }));
    const workerProjects = packages.filter(({ pkg }) => pkg.decnet?.worker !== undefined).map(({ pkg }) => pkg.nx?.name ?? pkg.name);
    return packages.flatMap(({ file, pkg }) => {
      const bundle = pkg.decnet?.bundle;
      const catalog = pkg.decnet?.workerCatalog === true;
      if (!bundle && !catalog) return [];
      const root = dirname(file);
      const targets = {};
      if (bundle) {
        const out = bundle.outDir; // e.g. dist/workers/webhook
        targets.build = {
          command: `node tools/bundle/bundle.mjs ${bundle.id}`,
          options: { cwd: '{workspaceRoot}' },
          cache: true,
          inputs: ['production', '^production', '{workspaceRoot}/tools/bundle/bundle.mjs'],
          outputs: [`{workspaceRoot}/${out}`],
          metadata: { description: `esbuild bundle of ${pkg.name} into ${out}` },
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
      }
      const project = { targets, ...(catalog ? { implicitDependencies: workerProjects } : {}) };
      return [[file, { projects: { [root]: project } }]];
    });
  },
];
