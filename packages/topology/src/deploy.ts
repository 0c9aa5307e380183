// Topology deploy and teardown as a sequence of status changes around a Docker driver: validate
// before anything moves, create one bridge per LAN, compose up, read back container states; on
// failure roll back what was created. The driver is injected, so this file does no I/O itself.
import { TopologyInvalidError, TopologyNotFoundError } from './errors.js';
import { type ComposeFile, composeToYaml } from './compose.js';
import { assertValidCompose } from './compose-validate.js';
import type { RenderPaths } from './fleet.js';
import { canonicalHash } from './hash.js';
import type { HydratedTopology, TopologyStatus } from './model.js';
import { hydrateTopology, transitionStatus } from './persist.js';
import type { TopologyRepository } from './repository.js';
import { assertTransition } from './status.js';
import { lanNetworkName, renderTopologyCompose, topologyProject } from './topology-compose.js';
import { validateTopology } from './validate.js';

/** Containers listed in a DEGRADED reason before the rest are summarised. */
export const MAX_REASON_CONTAINERS = 8;

/** One container as `docker compose ps` reports it. */
export interface ContainerState {
  /** Compose service key (a base container's key is its decky name). */
  readonly service: string;
  readonly state: string;
  readonly exitCode: number | null;
}

/** What deploy and teardown need from Docker. Implementations live with the CLI/agent. */
export interface TopologyDriver {
  /** Creates (or reuses, same name and subnet) a bridge network; returns its id. */
  createNetwork(spec: { name: string; subnet: string; internal: boolean; labels: Record<string, string> }): Promise<string>;
  removeNetwork(name: string): Promise<void>;
  /**
   * Writes the compose file and runs `docker compose -p <project> -f <file> up -d --build`. The
   * `-p` is required: rendered files carry no top-level `name:` (the schema rejects it).
   */
  composeUp(project: string, yaml: string): Promise<void>;
  /** `docker compose -p <project> down --remove-orphans`, and removes the compose file. */
  composeDown(project: string): Promise<void>;
  composePs(project: string): Promise<ContainerState[]>;
}

/** Outcome of {@link deployTopology}. */
export interface DeployOutcome {
  readonly status: TopologyStatus;
  readonly reason: string | null;
  /** The rendered compose document and its YAML (also for a dry run). */
  readonly compose: ComposeFile;
  readonly yaml: string;
  /** Hash of the hydrated topology that was deployed. */
  readonly hash: string;
}

async function loadValid(repo: TopologyRepository, id: string): Promise<HydratedTopology> {
  const h = await hydrateTopology(repo, id);
  if (!h) throw new TopologyNotFoundError('topology', id);
  const errors = validateTopology(h).filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new TopologyInvalidError(errors);
  return h;
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Deploys a stored topology. Validation errors throw TopologyInvalidError before any status
 * change or driver call. A dry run only renders (status stays pending). Otherwise: DEPLOYING,
 * one bridge per LAN (internal unless DMZ), compose up; a driver failure rolls back (compose
 * down, networks removed in reverse) and ends FAILED with the error as reason; afterwards each
 * decky's state comes from its base container and the topology ends ACTIVE, or DEGRADED naming
 * the containers that are not running.
 */
export async function deployTopology(
  repo: TopologyRepository,
  id: string,
  driver: TopologyDriver,
  options: { dryRun?: boolean; paths?: RenderPaths } = {},
): Promise<DeployOutcome> {
  const h = await loadValid(repo, id);
  const { doc } = renderTopologyCompose(h, options.paths);
  assertValidCompose(doc);
  const yaml = composeToYaml(doc);
  const hash = canonicalHash(h);
  if (options.dryRun) return { status: h.topology.status, reason: null, compose: doc, yaml, hash };

  assertTransition(h.topology.status, 'deploying');
  await transitionStatus(repo, id, 'deploying', 'deploy requested');
  const project = topologyProject(id);
  const created: string[] = [];
  try {
    for (const lan of h.lans) {
      const name = lanNetworkName(id, lan.name);
      const networkId = await driver.createNetwork({ name, subnet: lan.subnet, internal: !lan.is_dmz, labels: { 'decnet.topology.id': id, 'decnet.topology.lan': lan.name } });
      created.push(name);
      await repo.updateLan(id, lan.id, { docker_network_id: networkId });
    }
    await driver.composeUp(project, yaml);
  } catch (err) {
    const reason = describeError(err);
    await driver.composeDown(project).catch(() => undefined);
    for (const name of [...created].reverse()) await driver.removeNetwork(name).catch(() => undefined);
    await transitionStatus(repo, id, 'failed', reason);
    return { status: 'failed', reason, compose: doc, yaml, hash };
  }

  const states = new Map((await driver.composePs(project)).map((c) => [c.service, c]));
  for (const d of h.deckies) {
    const base = states.get(d.name);
    await repo.updateDecky(id, d.uuid, { state: base?.state === 'running' ? 'running' : 'failed', compose_hash: hash });
  }
  const down = [...states.values()].filter((c) => c.state !== 'running');
  const missing = Object.keys(doc.services).filter((s) => !states.has(s));
  const problems = [...down.map((c) => `${c.service}=${c.state}${c.exitCode !== null ? ` (exit=${c.exitCode})` : ''}`), ...missing.map((s) => `${s}=missing`)];
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_REASON_CONTAINERS).join(', ');
    const reason = `post-deploy check: ${shown}${problems.length > MAX_REASON_CONTAINERS ? `, +${problems.length - MAX_REASON_CONTAINERS} more` : ''}`;
    await transitionStatus(repo, id, 'degraded', reason);
    return { status: 'degraded', reason, compose: doc, yaml, hash };
  }
  await transitionStatus(repo, id, 'active', null);
  return { status: 'active', reason: null, compose: doc, yaml, hash };
}

/**
 * Tears a topology down: a never-deployed (pending) one goes straight to TORN_DOWN; otherwise
 * TEARING_DOWN, compose down, networks removed leaf-first (reverse name order), TORN_DOWN. A
 * driver failure leaves it DEGRADED with the error as reason. Throws TopologyStatusError when
 * the current status cannot be torn down.
 */
export async function teardownTopology(repo: TopologyRepository, id: string, driver: TopologyDriver): Promise<TopologyStatus> {
  const h = await hydrateTopology(repo, id);
  if (!h) throw new TopologyNotFoundError('topology', id);
  if (h.topology.status === 'pending') {
    await transitionStatus(repo, id, 'torn_down', 'torn down before deploy');
    return 'torn_down';
  }
  assertTransition(h.topology.status, 'tearing_down');
  await transitionStatus(repo, id, 'tearing_down', 'teardown requested');
  try {
    await driver.composeDown(topologyProject(id));
    const names = h.lans.map((l) => l.name).sort().reverse();
    for (const lan of names) await driver.removeNetwork(lanNetworkName(id, lan));
  } catch (err) {
    await transitionStatus(repo, id, 'degraded', `teardown failed: ${describeError(err)}`);
    return 'degraded';
  }
  for (const d of h.deckies) await repo.updateDecky(id, d.uuid, { state: 'torn_down' });
  await transitionStatus(repo, id, 'torn_down', null);
  return 'torn_down';
}
