// The MazeNET generator: a DMZ LAN, a tree of internal LANs below it (optionally with cross
// edges), home deckies on every LAN and bridge deckies joining each LAN to its parent. One
// seeded random source drives every draw, so a seed reproduces the whole topology.
import { DECKY_SERVICE_SLUGS } from './catalog/services.js';
import { AllocatorExhaustedError, TopologyInputError } from './errors.js';
import { SERVICE_REDRAWS } from './fleet.js';
import { IpAllocator, SubnetAllocator, orderIpsByLan } from './net.js';
import { type Rng, createRng, freshSeed } from './random.js';
import { type TopologyConfig, type TopologyConfigInput, readTopologyConfig } from './topology-config.js';

/** Name of the DMZ, the LAN attackers enter through. */
export const DMZ_NAME = 'LAN-00';

/** A generated LAN. */
export interface GeneratedLan {
  readonly name: string;
  readonly subnet: string;
  readonly is_dmz: boolean;
  /** The LAN this one hangs off (null for the DMZ). */
  readonly parent: string | null;
}

/** A generated decky. */
export interface GeneratedDecky {
  readonly name: string;
  readonly home_lan: string;
  readonly services: string[];
  /** LAN name → address, home LAN first. */
  readonly ips_by_lan: Record<string, string>;
  forwards_l3: boolean;
  readonly service_config: Record<string, Record<string, unknown>>;
}

/** A generated attachment of a decky to a LAN. */
export interface GeneratedEdge {
  readonly decky: string;
  readonly lan: string;
  is_bridge: boolean;
  forwards_l3: boolean;
}

/** A generated topology, before ids are assigned. `config.seed` is always set. */
export interface GeneratedTopology {
  readonly config: TopologyConfig & { seed: number };
  readonly lans: readonly GeneratedLan[];
  readonly deckies: readonly GeneratedDecky[];
  readonly edges: readonly GeneratedEdge[];
}

/** Options of {@link generateTopology}. */
export interface GenerateOptions {
  /** Subnets held by other live topologies: never handed out again. */
  readonly reservedSubnets?: Iterable<string>;
}

function drawServices(rng: Rng, pool: readonly string[], used: Set<string>): string[] {
  let pick: string[] = [];
  for (let i = 0; i < SERVICE_REDRAWS; i++) {
    pick = rng.sample(pool, rng.int(1, Math.min(3, pool.length))).sort();
    if (!used.has(pick.join(','))) break;
  }
  used.add(pick.join(','));
  return pick;
}

/**
 * Generates a topology from `input` (validated and defaulted; a null seed is replaced by a
 * fresh one that is recorded in `config.seed`). Throws TopologyInputError for a bad config or
 * when the subnet base runs out of /24s.
 */
export function generateTopology(input: TopologyConfigInput | TopologyConfig, options: GenerateOptions = {}): GeneratedTopology {
  const parsed = readTopologyConfig(input);
  const config = { ...parsed, seed: parsed.seed ?? freshSeed() };
  const rng = createRng(config.seed);
  const pool = config.randomize_services ? DECKY_SERVICE_SLUGS : [];
  const explicit = config.services_explicit ? [...config.services_explicit].sort() : null;
  const subnets = new SubnetAllocator(config.subnet_base_prefix, options.reservedSubnets ?? []);
  const nextSubnet = (): string => {
    try {
      return subnets.next();
    } catch (err) {
      if (err instanceof AllocatorExhaustedError) {
        throw new TopologyInputError('subnet_base_prefix', `not enough free /24 subnets in ${subnets.text} for this topology (lower depth or branching)`);
      }
      throw err;
    }
  };

  // 1. LANs, breadth first: the DMZ, then `depth` levels of children.
  const lans: GeneratedLan[] = [{ name: DMZ_NAME, subnet: nextSubnet(), is_dmz: true, parent: null }];
  let frontier: GeneratedLan[] = [lans[0] as GeneratedLan];
  for (let level = 0; level < config.depth; level++) {
    const next: GeneratedLan[] = [];
    for (const lan of frontier) {
      const children = rng.int(1, config.branching_factor);
      for (let i = 0; i < children; i++) {
        const child: GeneratedLan = { name: `LAN-${String(lans.length).padStart(2, '0')}`, subnet: nextSubnet(), is_dmz: false, parent: lan.name };
        lans.push(child);
        next.push(child);
      }
    }
    frontier = next;
  }
  const allocators = new Map(lans.map((l) => [l.name, new IpAllocator(l.subnet)]));
  const ipOn = (lan: string): string => {
    try {
      return (allocators.get(lan) as IpAllocator).next();
    } catch (err) {
      if (err instanceof AllocatorExhaustedError) throw new TopologyInputError('deckies_per_lan', `LAN ${lan} has no free address left`);
      throw err;
    }
  };

  // 2. Home deckies, LAN by LAN.
  const deckies: GeneratedDecky[] = [];
  const edges: GeneratedEdge[] = [];
  const homes = new Map<string, GeneratedDecky[]>();
  const usedCombos = new Set<string>();
  for (const lan of lans) {
    const count = lan.is_dmz ? 1 : Math.max(1, rng.int(config.deckies_per_lan_min, config.deckies_per_lan_max));
    const list: GeneratedDecky[] = [];
    for (let i = 0; i < count; i++) {
      const d: GeneratedDecky = {
        name: `decky-${String(deckies.length + 1).padStart(3, '0')}`,
        home_lan: lan.name,
        services: explicit ? [...explicit] : drawServices(rng, pool, usedCombos),
        ips_by_lan: { [lan.name]: ipOn(lan.name) },
        forwards_l3: false,
        service_config: {},
      };
      deckies.push(d);
      list.push(d);
      edges.push({ decky: d.name, lan: lan.name, is_bridge: false, forwards_l3: false });
    }
    homes.set(lan.name, list);
  }

  const attach = (d: GeneratedDecky, lan: string): void => {
    d.ips_by_lan[lan] = ipOn(lan);
    if (rng.float() < config.bridge_forward_probability) d.forwards_l3 = true;
    for (const e of edges) {
      if (e.decky === d.name) {
        e.is_bridge = true;
        e.forwards_l3 = d.forwards_l3;
      }
    }
    edges.push({ decky: d.name, lan, is_bridge: true, forwards_l3: d.forwards_l3 });
  };

  // 3. One bridge per internal LAN, joining it to its parent.
  for (const lan of lans) {
    if (lan.parent === null) continue;
    attach(rng.choice(homes.get(lan.name) as GeneratedDecky[]), lan.parent);
  }

  // 4. Optional cross edges to a LAN that is neither parent nor child.
  if (config.cross_edge_probability > 0) {
    for (const lan of lans) {
      if (lan.parent === null) continue;
      if (rng.float() >= config.cross_edge_probability) continue;
      const peers = lans.filter((p) => p.name !== lan.name && p.name !== lan.parent && p.parent !== lan.name);
      if (peers.length === 0) continue;
      const peer = rng.choice(peers);
      const d = rng.choice(homes.get(lan.name) as GeneratedDecky[]);
      if (peer.name in d.ips_by_lan) continue;
      attach(d, peer.name);
    }
  }
  // Home LAN first, then by name: the order every repository hands back (see orderIpsByLan).
  const ordered = deckies.map((d) => ({ ...d, ips_by_lan: orderIpsByLan(d.ips_by_lan, d.ips_by_lan[d.home_lan] ?? null) }));
  return { config, lans, deckies: ordered, edges };
}
