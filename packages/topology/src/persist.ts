// Moving topologies between the generator, the repository and the hydrated shape: persist a
// generated topology atomically, hydrate one back (filling addresses missing from UI-made
// rows), and change status only along the transition table.
import { TopologyNotFoundError } from './errors.js';
import type { GeneratedTopology } from './generator.js';
import type { DeckyConfig, HydratedTopology, TopologyMode, TopologyStatus, TopologySummary } from './model.js';
import { IpAllocator, cidrContains, orderIpsByLan, parseCidr, parseIpv4 } from './net.js';
import type { NewTopologyGraph, TopologyRepository } from './repository.js';
import { assertTransition } from './status.js';

/** Options of {@link persistTopology}. */
export interface PersistOptions {
  /** @default the config name */
  readonly name?: string;
  readonly mode?: TopologyMode;
  readonly targetHostUuid?: string | null;
  /** @default a fresh UUID chosen by the repository */
  readonly id?: string;
}

/** The rows a generated topology becomes (edges by name). */
export function topologyGraphOf(gen: GeneratedTopology, options: PersistOptions = {}): NewTopologyGraph {
  return {
    topology: {
      ...(options.id !== undefined ? { id: options.id } : {}),
      name: options.name ?? gen.config.name,
      mode: options.mode ?? gen.config.mode,
      target_host_uuid: options.targetHostUuid ?? null,
      config_snapshot: { ...gen.config },
    },
    lans: gen.lans.map((l) => ({ name: l.name, subnet: l.subnet, is_dmz: l.is_dmz })),
    deckies: gen.deckies.map((d) => {
      const decky_config: DeckyConfig = {
        name: d.name,
        services: [...d.services],
        ips_by_lan: { ...d.ips_by_lan },
        forwards_l3: d.forwards_l3,
        service_config: structuredClone(d.service_config),
      };
      return { name: d.name, services: d.services, decky_config, ip: Object.values(d.ips_by_lan)[0] ?? null };
    }),
    edges: gen.edges.map((e) => ({ decky: e.decky, lan: e.lan, is_bridge: e.is_bridge, forwards_l3: e.forwards_l3 })),
  };
}

/** Stores a generated topology with all its rows in one transaction; status pending, version 1. */
export function persistTopology(repo: TopologyRepository, gen: GeneratedTopology, options: PersistOptions = {}): Promise<TopologySummary> {
  return repo.createTopologyGraph(topologyGraphOf(gen, options));
}

/**
 * Reads a topology with all its children, or null when the id is unknown. Deckies created
 * outside the generator may lack `decky_config.name` or an address on some LAN they are
 * attached to: those are filled in (the decky's `ip` when it fits that LAN and is free, else
 * the next free address), in two passes over deckies sorted by (name, uuid) so the result is
 * stable. Nothing is written back.
 */
export async function hydrateTopology(repo: TopologyRepository, id: string): Promise<HydratedTopology | null> {
  const topology = await repo.getTopology(id);
  if (!topology) return null;
  const [lans, deckies, edges] = await Promise.all([repo.listLans(id), repo.listDeckies(id), repo.listEdges(id)]);
  const lanById = new Map(lans.map((l) => [l.id, l]));
  const allocators = new Map<string, IpAllocator>();
  for (const l of lans) {
    try {
      allocators.set(l.name, new IpAllocator(l.subnet));
    } catch {
      // A malformed subnet is reported by validation (SUBNET_MALFORMED); nothing to fill there.
    }
  }
  const ordered = [...deckies].sort((a, b) => (a.name === b.name ? (a.uuid < b.uuid ? -1 : 1) : a.name < b.name ? -1 : 1));
  for (const d of ordered) {
    const cfg = (d.decky_config ?? {}) as Partial<DeckyConfig>;
    d.decky_config = {
      ...cfg,
      name: cfg.name ?? d.name,
      services: cfg.services ?? [...d.services],
      ips_by_lan: orderIpsByLan(cfg.ips_by_lan ?? {}, d.ip),
      forwards_l3: cfg.forwards_l3 ?? false,
      service_config: cfg.service_config ?? {},
    } as DeckyConfig;
    for (const [lan, ip] of Object.entries(d.decky_config.ips_by_lan)) {
      try {
        allocators.get(lan)?.reserve(ip);
      } catch {
        // Duplicates and bad addresses are validation's business (IP_COLLISION, IP_MALFORMED...).
      }
    }
  }
  for (const d of ordered) {
    for (const e of edges) {
      if (e.decky_uuid !== d.uuid) continue;
      const lan = lanById.get(e.lan_id);
      if (!lan || lan.name in d.decky_config.ips_by_lan) continue;
      const alloc = allocators.get(lan.name);
      if (!alloc) continue;
      const net = parseCidr(lan.subnet);
      const home = d.ip !== null ? parseIpv4(d.ip) : null;
      let ip: string | undefined;
      if (home !== null && net.ok && cidrContains(net.value, home) && !alloc.isTaken(d.ip as string)) {
        try {
          alloc.reserve(d.ip as string);
          ip = d.ip as string;
        } catch {
          ip = undefined;
        }
      }
      try {
        ip ??= alloc.next();
      } catch {
        continue; // LAN full: validation reports IP_MISSING
      }
      d.decky_config.ips_by_lan[lan.name] = ip;
    }
    d.decky_config.ips_by_lan = orderIpsByLan(d.decky_config.ips_by_lan, d.ip);
  }
  return { topology, lans, deckies, edges };
}

/**
 * Changes a topology's status if the transition table allows it, appending a status event.
 * Throws TopologyNotFoundError for an unknown id and TopologyStatusError for an illegal move.
 */
export async function transitionStatus(repo: TopologyRepository, id: string, to: TopologyStatus, reason: string | null = null): Promise<TopologySummary> {
  const t = await repo.getTopology(id);
  if (!t) throw new TopologyNotFoundError('topology', id);
  assertTransition(t.status, to);
  return repo.updateTopologyStatus(id, to, reason, t.status);
}

/**
 * The hydrated form of a generated topology without any storage, with ids derived from
 * `topologyId` (for rendering and checking a topology before it is saved).
 */
export function hydrateGenerated(gen: GeneratedTopology, topologyId: string, at = '1970-01-01T00:00:00.000Z'): HydratedTopology {
  const graph = topologyGraphOf(gen, { id: topologyId });
  const lanId = (name: string): string => `${topologyId}:lan:${name}`;
  const deckyId = (name: string): string => `${topologyId}:decky:${name}`;
  return {
    topology: {
      id: topologyId,
      name: graph.topology.name,
      mode: graph.topology.mode ?? 'unihost',
      target_host_uuid: null,
      config_snapshot: graph.topology.config_snapshot,
      status: 'pending',
      status_changed_at: at,
      created_at: at,
      version: 1,
      needs_resync: false,
    },
    lans: graph.lans.map((l) => ({ id: lanId(l.name), topology_id: topologyId, name: l.name, docker_network_id: null, subnet: l.subnet, is_dmz: l.is_dmz ?? false, x: null, y: null })),
    deckies: graph.deckies.map((d) => ({
      uuid: deckyId(d.name),
      topology_id: topologyId,
      name: d.name,
      services: [...d.services],
      decky_config: d.decky_config,
      ip: d.ip ?? null,
      state: 'pending',
      last_error: null,
      compose_hash: null,
      last_seen: null,
      updated_at: at,
      x: null,
      y: null,
    })),
    edges: graph.edges.map((e, i) => ({ id: `${topologyId}:edge:${i}`, topology_id: topologyId, decky_uuid: deckyId(e.decky), lan_id: lanId(e.lan), is_bridge: e.is_bridge, forwards_l3: e.forwards_l3 })),
  };
}
