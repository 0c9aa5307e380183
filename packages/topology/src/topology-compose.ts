// Per-topology compose rendering: one base container per decky on one external bridge network
// per LAN, service containers in its namespace. Every container and network name carries the
// topology prefix, and a host port is published by at most one decky.
import { buildBaseImageRef, distroImageRef, getDistro, TOPOLOGY_BASE_DISTRO } from './catalog/distros.js';
import { coerceServiceConfig, getService, serviceUdpPorts } from './catalog/services.js';
import { CONTAINER_LOGGING, type ComposeFile, type ComposeService, DEFAULT_ARTIFACTS_ROOT, DEFAULT_TEMPLATES_ROOT, serviceFragment } from './compose.js';
import type { RenderPaths } from './fleet.js';
import { canonicalHash } from './hash.js';
import type { DeckyRow, HydratedTopology } from './model.js';

/** The 8-character id prefix used in names (the first 8 characters of the topology id). */
export function topologyShortId(id: string): string {
  return id.slice(0, 8).toLowerCase();
}

/** Prefix of every container and network of a topology: `decnet_t_<id8>`. */
export function topologyPrefix(id: string): string {
  return `decnet_t_${topologyShortId(id)}`;
}

/** Compose project name of a topology: `decnet-topo-<id8>` (the fleet's is `decnet`). */
export function topologyProject(id: string): string {
  return `decnet-topo-${topologyShortId(id)}`;
}

/** Docker network name of a LAN: `decnet_t_<id8>_<lan name, lower case>`. */
export function lanNetworkName(topologyId: string, lanName: string): string {
  return `${topologyPrefix(topologyId)}_${lanName.toLowerCase()}`;
}

/** Default file name of a topology's compose file. */
export function topologyComposeFileName(id: string): string {
  return `decnet-topology-${topologyShortId(id)}-compose.yml`;
}

/** A host port a decky wanted but another decky already publishes. */
export interface PortConflict {
  readonly decky: string;
  readonly port: string;
  readonly claimedBy: string;
}

/** A rendered topology compose document plus what had to be left out. */
export interface TopologyRender {
  readonly doc: ComposeFile;
  /** Ports not published because an earlier decky (by name) already publishes them. */
  readonly portConflicts: readonly PortConflict[];
}

function publishedPorts(d: DeckyRow): string[] {
  const ports: string[] = [];
  for (const slug of d.services) {
    const svc = getService(slug);
    if (!svc || svc.singleton) continue;
    const values = coerceServiceConfig(slug, d.decky_config.service_config?.[slug]).values;
    for (const p of svc.tcpPorts) ports.push(`${p}:${p}`);
    for (const p of serviceUdpPorts(svc, values)) ports.push(`${p}:${p}/udp`);
  }
  return [...new Set(ports)];
}

/**
 * Renders the compose document of a hydrated topology. Only forwarding deckies attached to the
 * DMZ publish host ports (internal LANs are Docker `internal` networks, unreachable from the
 * host), and each host port goes to the first such decky by name; the rest are reported in
 * `portConflicts`. Invalid service config values are left out (validation reports them).
 */
export function renderTopologyCompose(h: HydratedTopology, paths: RenderPaths = {}): TopologyRender {
  const id = h.topology.id;
  const prefix = topologyPrefix(id);
  const templatesRoot = paths.templatesRoot ?? DEFAULT_TEMPLATES_ROOT;
  const artifactsRoot = paths.artifactsRoot ?? DEFAULT_ARTIFACTS_ROOT;
  const distro = getDistro(TOPOLOGY_BASE_DISTRO) as NonNullable<ReturnType<typeof getDistro>>;
  const dmzIds = new Set(h.lans.filter((l) => l.is_dmz).map((l) => l.id));
  const onDmz = new Set(h.edges.filter((e) => dmzIds.has(e.lan_id)).map((e) => e.decky_uuid));
  const claimed = new Map<string, string>();
  const portConflicts: PortConflict[] = [];
  const services: Record<string, ComposeService> = {};
  const deckies = [...h.deckies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const d of deckies) {
    const networks: Record<string, { ipv4_address: string }> = {};
    for (const [lan, ip] of Object.entries(d.decky_config.ips_by_lan)) networks[lanNetworkName(id, lan)] = { ipv4_address: ip };
    const base: ComposeService = {
      image: distroImageRef(distro),
      container_name: `${prefix}_${d.name}`,
      hostname: d.name,
      command: ['sleep', 'infinity'],
      restart: 'unless-stopped',
      networks,
      cap_add: ['NET_ADMIN'],
    };
    if (d.decky_config.forwards_l3) {
      base.sysctls = { 'net.ipv4.ip_forward': 1 };
      if (onDmz.has(d.uuid)) {
        const ports: string[] = [];
        for (const p of publishedPorts(d)) {
          const owner = claimed.get(p);
          if (owner === undefined) {
            claimed.set(p, d.name);
            ports.push(p);
          } else portConflicts.push({ decky: d.name, port: p, claimedBy: owner });
        }
        if (ports.length > 0) base.ports = ports;
      }
    }
    base.logging = structuredClone(CONTAINER_LOGGING) as ComposeService['logging'];
    base.labels = { 'decnet.topology.id': id, 'decnet.topology.decky': d.name, 'decnet.topology.role': 'base' };
    services[d.name] = base;
    for (const slug of d.services) {
      const svc = getService(slug);
      if (!svc || svc.singleton) continue;
      services[`${d.name}-${slug}`] = serviceFragment({
        svc,
        values: coerceServiceConfig(slug, d.decky_config.service_config?.[slug]).values,
        deckyName: d.name,
        hostname: d.name,
        containerName: `${prefix}_${d.name}-${svc.containerSuffix}`,
        baseKey: d.name,
        buildBase: buildBaseImageRef(distro),
        templatesRoot,
        artifactsRoot,
        labels: { 'decnet.topology.service': 'true', 'decnet.topology.id': id, 'decnet.topology.decky': d.name, 'decnet.topology.service_name': slug },
      });
    }
  }
  const networks: ComposeFile['networks'] = {};
  for (const lan of [...h.lans].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const name = lanNetworkName(id, lan.name);
    networks[name] = { external: true, name };
  }
  const doc: ComposeFile = {
    services,
    networks,
    'x-decnet': { kind: 'topology', project: topologyProject(id), topology_id: id, topology_name: h.topology.name, topology_hash: canonicalHash(h) },
  };
  return { doc, portConflicts };
}
