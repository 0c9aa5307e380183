/**
 * Footprint and import-floor measurement: reads bundle metafiles to prove a worker without
 * `db` carries none of the database layer, and reads PSS/RSS from /proc for each layout.
 *
 * ```ts
 * import { findDbInputs, readWorkerBundles } from '@decnet/tool-footprint';
 * for (const b of readWorkerBundles('.')) console.log(b.name, findDbInputs(b.meta));
 * ```
 * @module
 */

// floor.ts
export type { Metafile, WorkerBundle } from './floor.js';
export { DB_INPUT_PATTERNS, bundleBytes, findDbInputs, readWorkerBundles } from './floor.js';
// proc.ts
export type { ProcessMemory } from './proc.js';
export { readProcessMemory } from './proc.js';
