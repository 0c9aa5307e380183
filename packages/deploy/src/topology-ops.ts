// MazeNET topologies on a real engine, as `decnet topology deploy|teardown|render` run them:
// every check that must pass before Docker is touched, then the status machine of @decnet/topology
// driven through the docker CLI. Results are values the CLI turns into messages and exit codes.
import { join, resolve } from 'node:path';
import {
  TopologyInvalidError,
  TopologyStatusError,
  assertValidCompose,
  composeToYaml,
  deployTopology,
  isLegalTransition,
  renderTopologyCompose,
  teardownTopology,
  topologyComposeFileName,
  topologyProject,
  validateTopology,
  type DeployOutcome,
  type PortConflict,
  type RuleGroup,
  type HydratedTopology,
  type RenderPaths,
  type TopologyDriver,
  type TopologyRepository,
  type TopologyStatus,
  type TopologySummary,
  type ValidationIssue,
} from '@decnet/topology';
import { DockerComposeDriver } from './compose-driver.js';
import { noEngineMessage, probeDocker } from './docker.js';
import { writeAtomically } from './files.js';

/** Directory under DECNET_HOME holding deployed topologies' compose files until teardown. */
export const TOPOLOGY_COMPOSE_DIR = 'topologies';

/** Docker access for deploy and teardown, or why there is none. */
export type DockerConnection = { ok: true; driver: TopologyDriver } | { ok: false; message: string };

/** Returns Docker access when asked; tests pass one that records instead. */
export type ConnectDocker = () => Promise<DockerConnection>;

/**
 * Probes the engine named by DOCKER_HOST (else the default socket) and, when it answers, returns a
 * DockerComposeDriver keeping compose files under `<home>/topologies`.
 */
export async function connectDocker(env: Record<string, string | undefined>, home: string, progress?: (text: string) => void): Promise<DockerConnection> {
  const probe = await probeDocker(env);
  if (!probe.ok) return { ok: false, message: noEngineMessage(probe, env) };
  return { ok: true, driver: new DockerComposeDriver({ env, composeDir: join(home, TOPOLOGY_COMPOSE_DIR), ...(progress ? { progress } : {}) }) };
}

const refuseDocker = (): Promise<never> => Promise.reject(new Error('internal error: Docker was called to tear down a pending topology'));

/** Stands in for Docker where no engine is needed: tearing down a never-deployed topology. */
const NO_DRIVER: TopologyDriver = { createNetwork: refuseDocker, removeNetwork: refuseDocker, composeUp: refuseDocker, composeDown: refuseDocker, composePs: refuseDocker };

/** Why nothing happened, with the topology unchanged. */
export type Unchanged =
  /** Its status does not allow the operation. */
  | { readonly kind: 'wrong-status'; readonly status: TopologyStatus }
  /** No engine answered; `message` names where decnet looked. */
  | { readonly kind: 'no-engine'; readonly message: string }
  /** Its status changed meanwhile (another process), or it became invalid. */
  | { readonly kind: 'conflict'; readonly message: string };

/** Outcome of {@link deployStoredTopology}. */
export type TopologyDeployResult =
  | Unchanged
  | { readonly kind: 'invalid'; readonly errors: readonly ValidationIssue[] }
  | { readonly kind: 'deployed'; readonly outcome: DeployOutcome; readonly project: string };

/**
 * Deploys a pending topology: validation and the engine probe come before the first status change,
 * so without an engine or with errors nothing moves.
 */
export async function deployStoredTopology(
  repo: TopologyRepository,
  t: TopologySummary,
  h: HydratedTopology,
  connect: ConnectDocker,
  paths: RenderPaths,
): Promise<TopologyDeployResult> {
  if (!isLegalTransition(t.status, 'deploying')) return { kind: 'wrong-status', status: t.status };
  const errors = validateTopology(h).filter((i) => i.severity === 'error');
  if (errors.length > 0) return { kind: 'invalid', errors };
  const docker = await connect();
  if (!docker.ok) return { kind: 'no-engine', message: docker.message };
  try {
    const outcome = await deployTopology(repo, t.id, docker.driver, { paths });
    return { kind: 'deployed', outcome, project: topologyProject(t.id) };
  } catch (err) {
    if (err instanceof TopologyStatusError || err instanceof TopologyInvalidError) return { kind: 'conflict', message: err.message };
    throw err;
  }
}

/** Outcome of {@link teardownStoredTopology}. */
export type TopologyTeardownResult = Unchanged | { readonly kind: 'done'; readonly status: TopologyStatus; readonly reason: string | null };

/**
 * Tears a topology down. A never-deployed one is marked torn down without an engine; otherwise the
 * engine is probed before the first status change. `reason` is the last status event's when the
 * teardown did not complete.
 */
export async function teardownStoredTopology(repo: TopologyRepository, t: TopologySummary, connect: ConnectDocker): Promise<TopologyTeardownResult> {
  let driver = NO_DRIVER;
  if (t.status !== 'pending') {
    if (!isLegalTransition(t.status, 'tearing_down')) return { kind: 'wrong-status', status: t.status };
    const docker = await connect();
    if (!docker.ok) return { kind: 'no-engine', message: docker.message };
    driver = docker.driver;
  }
  let status: TopologyStatus;
  try {
    // teardownTopology never calls the driver for a pending topology.
    status = await teardownTopology(repo, t.id, driver);
  } catch (err) {
    if (err instanceof TopologyStatusError) return { kind: 'conflict', message: err.message };
    throw err;
  }
  const reason = status === 'torn_down' ? null : ((await repo.listStatusEvents(t.id, 1))[0]?.reason ?? null);
  return { kind: 'done', status, reason };
}

/** Outcome of {@link renderTopologyFile}. */
export type TopologyRenderResult =
  | { readonly kind: 'invalid'; readonly errors: readonly ValidationIssue[] }
  | {
      readonly kind: 'written';
      readonly file: string;
      /** The `-p` the file must run with (it has no `name:`). */
      readonly project: string;
      readonly portConflicts: readonly PortConflict[];
    };

/**
 * Renders a valid topology's compose file to `out` (default `decnet-topology-<id8>-compose.yml`),
 * validated against the Compose Specification and written atomically. `rules` selects the
 * validation rule groups (@default topology's DEFAULT_RULES).
 * @throws the file system's error when the file cannot be written.
 */
export function renderTopologyFile(h: HydratedTopology, paths: RenderPaths, options: { out?: string; rules?: readonly RuleGroup[] } = {}): TopologyRenderResult {
  const errors = validateTopology(h, options.rules).filter((i) => i.severity === 'error');
  if (errors.length > 0) return { kind: 'invalid', errors };
  const { doc, portConflicts } = renderTopologyCompose(h, paths);
  assertValidCompose(doc);
  const file = resolve(options.out ?? topologyComposeFileName(h.topology.id));
  writeAtomically(file, composeToYaml(doc));
  return { kind: 'written', file, project: topologyProject(h.topology.id), portConflicts };
}
