// `decnet deploy` as a library: fill the fleet's network from flags, the INI file and this host's
// routes; build, render and validate the compose file; start it with `docker compose`. The CLI
// parses flags and prints; everything it decides on lives here.
import { readFileSync } from 'node:fs';
import {
  FLEET_PROJECT,
  assertValidCompose,
  buildFleet,
  composeToYaml,
  readFleetIni,
  renderFleetCompose,
  type FleetIni,
  type FleetOptions,
  type FleetPlan,
} from '@decnet/topology';
import { runDocker } from './docker.js';
import { FleetInputError } from './errors.js';
import { renderPaths } from './files.js';
import { FALLBACK_INTERFACE, FALLBACK_SUBNET, defaultRouteInterface, hostAddress, lanOfInterface, readRoutes, type Route } from './host-network.js';

/** Default output file, as upstream. */
export const DEFAULT_COMPOSE_FILE = 'decnet-compose.yml';

/** What to deploy: the fleet options without the network, which {@link renderFleet} resolves. */
export interface FleetRequest extends Omit<FleetOptions, 'interface' | 'hostIp'> {
  /** Host NIC the macvlan hangs off. @default the INI's interface, else the default-route interface, else eth0 */
  readonly interface?: string;
  /** A dry run may use {@link FALLBACK_SUBNET} when the interface's LAN cannot be read. */
  readonly dryRun: boolean;
  /** Environment for build contexts and artifacts (DECNET_TEMPLATES_DIR, DECNET_ARTIFACTS_ROOT). */
  readonly env: Record<string, string | undefined>;
}

/** A fleet rendered to a validated compose file. */
export interface RenderedFleet {
  readonly plan: FleetPlan;
  readonly yaml: string;
  /** The interface the network hangs off. */
  readonly interface: string;
  /** Containers in the file: one base per decky plus one per service. */
  readonly containers: number;
  /** What was assumed (e.g. the fallback subnet of a dry run), for the operator. */
  readonly notes: readonly string[];
}

/** This host's network as {@link renderFleet} reads it; tests pass their own. */
export interface HostNetwork {
  readonly routes: readonly Route[];
  readonly addressOf: (iface: string) => string | null;
}

/**
 * Reads a fleet INI file.
 * @throws FleetInputError when the file cannot be read; TopologyInputError when it is malformed.
 */
export function readFleetIniFile(path: string): FleetIni {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FleetInputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  return readFleetIni(text, path);
}

/**
 * Resolves the network (flags, then the INI's [general], then this host's routes), builds the
 * fleet, renders its compose file and validates it against the Compose Specification.
 * @throws FleetInputError when no subnet is given and the interface's LAN cannot be read (outside a
 *   dry run); TopologyInputError for bad input; ComposeSchemaError if rendering produced an invalid file.
 */
export function renderFleet(request: FleetRequest, host: HostNetwork = { routes: readRoutes(), addressOf: hostAddress }): RenderedFleet {
  const { dryRun, env, ini, ...options } = request;
  const iface = request.interface ?? ini?.general.interface ?? defaultRouteInterface(host.routes) ?? FALLBACK_INTERFACE;
  let subnet = request.subnet ?? ini?.general.subnet;
  let gateway = request.gateway ?? ini?.general.gateway;
  const notes: string[] = [];
  if (subnet === undefined) {
    const lan = lanOfInterface(host.routes, iface);
    if (lan) {
      subnet = lan.subnet;
      gateway ??= lan.gateway;
    } else if (dryRun) {
      subnet = FALLBACK_SUBNET;
      notes.push(`cannot read the LAN of ${iface}; using ${FALLBACK_SUBNET} (pass --subnet)`);
    } else throw new FleetInputError(`cannot read the LAN of interface ${iface}; pass --subnet CIDR`);
  }
  const plan = buildFleet({
    ...options,
    interface: iface,
    subnet,
    ...(gateway !== undefined ? { gateway } : {}),
    hostIp: host.addressOf(iface),
    ...(ini ? { ini } : {}),
  });
  const doc = renderFleetCompose(plan, renderPaths(env));
  assertValidCompose(doc);
  const containers = plan.deckies.reduce((n, d) => n + 1 + d.services.length, 0);
  return { plan, yaml: composeToYaml(doc), interface: iface, containers, notes };
}

/**
 * Starts a written fleet compose file: `docker compose -p decnet -f <file> up -d --build`. The file
 * carries no `name:` (the Compose Specification schema rejects it), so the project is always given.
 * @returns docker's exit status. @throws DockerCommandError when docker cannot be started.
 */
export async function startFleet(
  file: string,
  env: Record<string, string | undefined>,
  onOutput: (text: string, stream: 'stdout' | 'stderr') => void,
): Promise<number> {
  return (await runDocker(['compose', '-p', FLEET_PROJECT, '-f', file, 'up', '-d', '--build'], env, { onOutput })).code;
}
