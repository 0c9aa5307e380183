/**
 * The Postgres implementation of @decnet/topology's TopologyRepository, behind its own subpath
 * so database workers that never touch topologies do not load the topology package.
 *
 * ```ts
 * import { PostgresTopologyRepository } from '@decnet/db/topology';
 * const repo = new PostgresTopologyRepository(database.db);
 * ```
 * @module
 */
export { PostgresTopologyRepository } from './repositories/topology-repository.js';
