/**
 * FIXTURE worker, not a product worker: the smallest worker that declares `db`. It measures
 * the import floor of a database worker and proves a supervised group shares one pool.
 *
 * ```ts
 * import { worker } from '@decnet/worker-fixture-db';
 * // publish fixture.fixture-db.ping {seq: 1} -> fixture.fixture-db.pong {seq: 1, db: true}
 * ```
 * @module
 */
import type { WorkerSpec } from '@decnet/core';
import { runFixtureDb } from './worker.js';

/** The database fixture worker: answers pings after a `select 1`. */
export const worker: WorkerSpec = {
  name: 'fixture-db',
  needs: ['bus', 'db'],
  description: 'FIXTURE: smallest database worker, for footprint and hosting tests',
  run: runFixtureDb,
};
