/**
 * The worker catalog (read from each worker package's `decnet.worker` manifest) and the hosting
 * groups, and the three layouts built on them: one worker standalone, a group in one process, the
 * whole fleet embedded; and the operator's view of a running fleet (its health, control of one
worker). The CLI's `run`, `supervise`, `up` and `worker` verbs call into this package.
 *
 * ```ts
 * import { CATALOG, groupMembers, superviseGroup } from '@decnet/supervise';
 * console.log(CATALOG.map((w) => w.name), groupMembers('herd'));
 * await superviseGroup('herd'); // hosts until SIGTERM, then exits 0
 * ```
 * @module
 */

// catalog.ts
export type { CatalogEntry } from './catalog.js';
export { CATALOG, catalogFrom, findWorker, groupMembers, populatedGroups, workerManifestSchema } from './catalog.js';
// control.ts
export { sendWorkerControl } from './control.js';
// fleet-health.ts
export type { FleetHealth, InstanceHealth } from './fleet-health.js';
export { listenForHeartbeats, readEmbeddedHealth, summariseHealth } from './fleet-health.js';
// groups.ts
export { GROUPS } from './groups.js';
// worker-packages.ts
export type { WorkerPackage } from './worker-packages.js';
// layouts.ts
export { UnknownNameError, runEmbedded, runOne, superviseGroup, upStatePaths } from './layouts.js';
