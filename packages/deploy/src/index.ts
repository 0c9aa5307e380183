/**
 * Puts what @decnet/topology renders onto a Docker engine: the engine probe, the docker CLI
 * driver (`DockerComposeDriver`, a `TopologyDriver`), this host's routes for fleet defaults, atomic
 * compose-file writes, `decnet deploy` as `renderFleet` + `startFleet`, and the checks around
 * `decnet topology deploy|teardown|render`. Topology stays pure; the I/O lives here.
 *
 * ```ts
 * import { renderFleet, startFleet, writeAtomically } from '@decnet/deploy';
 * const fleet = renderFleet({ seed: 7, deckies: 3, randomizeServices: true, ipvlan: false, randomizeDistros: false, dryRun: true, env: {} });
 * writeAtomically('decnet-compose.yml', fleet.yaml);
 * await startFleet('decnet-compose.yml', process.env, (t) => process.stdout.write(t));
 * ```
 * @module
 */

// compose-driver.ts
export type { DockerDriverOptions } from './compose-driver.js';
export { DockerComposeDriver } from './compose-driver.js';
// docker.ts
export type { DockerProbe, DockerResult, RunDockerOptions } from './docker.js';
export { DOCKER_QUERY_TIMEOUT_MS, noEngineMessage, parseComposePs, parseNetworkInspect, probeDocker, runDocker } from './docker.js';
// errors.ts
export { DockerCommandError, FleetInputError } from './errors.js';
// files.ts
export { renderPaths, writeAtomically } from './files.js';
// fleet.ts
export type { FleetRequest, HostNetwork, RenderedFleet } from './fleet.js';
export { DEFAULT_COMPOSE_FILE, readFleetIniFile, renderFleet, startFleet } from './fleet.js';
// host-network.ts
export type { Route } from './host-network.js';
export { FALLBACK_INTERFACE, FALLBACK_SUBNET, defaultRouteInterface, hostAddress, lanOfInterface, parseRoutes, readRoutes } from './host-network.js';
// topology-ops.ts
export type { ConnectDocker, DockerConnection, TopologyDeployResult, TopologyRenderResult, TopologyTeardownResult, Unchanged } from './topology-ops.js';
export { TOPOLOGY_COMPOSE_DIR, connectDocker, deployStoredTopology, renderTopologyFile, teardownStoredTopology } from './topology-ops.js';
