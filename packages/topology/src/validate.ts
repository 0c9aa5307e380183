// Topology validation: every rule a hydrated topology must meet before deploy, each with a
// stable code. Errors block deploy before any status change or Docker call; warnings do not.
import { coerceServiceConfig, getService, isDeckyService } from './catalog/services.js';
import type { HydratedTopology } from './model.js';
import { type Cidr, broadcastOf, cidrContains, cidrsOverlap, defaultGateway, parseCidr, parseIpv4 } from './net.js';

/** Stable validation codes; scripts and the UI match on these. */
export const VALIDATION_CODES = [
  'DMZ_MISSING',
  'DMZ_MULTIPLE',
  'DMZ_ORPHAN',
  'DECKY_ORPHAN',
  'LAN_NAME_DUP',
  'DECKY_NAME_DUP',
  'NAME_INVALID',
  'EDGE_DANGLING',
  'IP_UNKNOWN_LAN',
  'IP_OUT_OF_SUBNET',
  'IP_MALFORMED',
  'IP_COLLISION',
  'IP_RESERVED',
  'IP_MISSING',
  'SUBNET_MALFORMED',
  'SUBNET_OVERLAP',
  'UNKNOWN_SERVICE',
  'SERVICE_CFG_UNDECLARED',
  'SERVICE_CFG_INVALID',
  'GATEWAY_NOT_IN_DMZ',
] as const;

/** One of {@link VALIDATION_CODES}. */
export type ValidationCode = (typeof VALIDATION_CODES)[number];

/** One finding. `target` names the LAN, decky or edge concerned. */
export interface ValidationIssue {
  readonly severity: 'error' | 'warning';
  readonly code: ValidationCode;
  readonly message: string;
  readonly target: string;
}

/** Groups of rules; a mutation re-checks only the local ones. */
export type RuleGroup = 'structure' | 'names' | 'ips' | 'subnets' | 'services' | 'service_config' | 'gateway';

/** The rules run by default (the gateway rule only runs when asked for). */
export const DEFAULT_RULES: readonly RuleGroup[] = ['structure', 'names', 'ips', 'subnets', 'services', 'service_config'];

/** The rules re-run after each mutation. */
export const MUTATION_RULES: readonly RuleGroup[] = ['names', 'ips', 'subnets', 'services', 'service_config'];

/** Names LANs and deckies may have: they end up in container and network names. */
export const TOPOLOGY_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/**
 * Checks a hydrated topology and returns every issue found (empty when valid). `rules`
 * selects rule groups; {@link DEFAULT_RULES} when omitted. Never throws, whatever the input.
 */
export function validateTopology(h: HydratedTopology, rules: readonly RuleGroup[] = DEFAULT_RULES): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const err = (code: ValidationCode, target: string, message: string): void => {
    issues.push({ severity: 'error', code, message, target });
  };
  const on = new Set(rules);
  const lanById = new Map(h.lans.map((l) => [l.id, l]));
  const deckyById = new Map(h.deckies.map((d) => [d.uuid, d]));
  const lanByName = new Map(h.lans.map((l) => [l.name, l]));
  const edgesOf = new Map<string, typeof h.edges>();
  for (const e of h.edges) {
    const list = edgesOf.get(e.decky_uuid) ?? [];
    list.push(e);
    edgesOf.set(e.decky_uuid, list);
  }

  if (on.has('structure')) {
    const dmz = h.lans.filter((l) => l.is_dmz);
    if (dmz.length === 0) err('DMZ_MISSING', 'topology', 'no LAN is marked as the DMZ');
    if (dmz.length > 1) err('DMZ_MULTIPLE', 'topology', `${dmz.length} LANs are marked as the DMZ (${dmz.map((l) => l.name).join(', ')}); exactly one is allowed`);
    for (const e of h.edges) {
      if (!deckyById.has(e.decky_uuid) || !lanById.has(e.lan_id)) err('EDGE_DANGLING', `edge:${e.id}`, `edge ${e.id} points at a missing decky or LAN`);
    }
    for (const d of h.deckies) {
      if ((edgesOf.get(d.uuid) ?? []).length === 0) err('DECKY_ORPHAN', d.name, `decky ${d.name} is attached to no LAN`);
    }
    if (dmz.length >= 1) {
      // Two LANs are adjacent when some decky has an edge on both.
      const adjacent = new Map<string, Set<string>>(h.lans.map((l) => [l.id, new Set()]));
      for (const list of edgesOf.values()) {
        for (const a of list) for (const b of list) if (a.lan_id !== b.lan_id) adjacent.get(a.lan_id)?.add(b.lan_id);
      }
      const seen = new Set<string>(dmz.map((l) => l.id));
      const queue = dmz.map((l) => l.id);
      while (queue.length > 0) {
        const id = queue.shift() as string;
        for (const n of adjacent.get(id) ?? []) {
          if (!seen.has(n)) {
            seen.add(n);
            queue.push(n);
          }
        }
      }
      for (const l of h.lans) if (!seen.has(l.id)) err('DMZ_ORPHAN', l.name, `LAN ${l.name} cannot be reached from the DMZ`);
    }
  }

  if (on.has('names')) {
    const dupes = (names: string[]): string[] => [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
    for (const n of dupes(h.lans.map((l) => l.name))) err('LAN_NAME_DUP', n, `LAN name ${n} is used more than once`);
    for (const n of dupes(h.deckies.map((d) => d.name))) err('DECKY_NAME_DUP', n, `decky name ${n} is used more than once`);
    for (const l of h.lans) if (!TOPOLOGY_NAME_PATTERN.test(l.name)) err('NAME_INVALID', l.name, `LAN name ${JSON.stringify(l.name)} is not usable in a network name`);
    for (const d of h.deckies) if (!TOPOLOGY_NAME_PATTERN.test(d.name)) err('NAME_INVALID', d.name, `decky name ${JSON.stringify(d.name)} is not usable in a container name`);
  }

  const subnets = new Map<string, Cidr>();
  for (const l of h.lans) {
    const p = parseCidr(l.subnet);
    if (p.ok) subnets.set(l.name, p.value);
    else if (on.has('subnets')) err('SUBNET_MALFORMED', l.name, `LAN ${l.name}: ${p.reason}`);
  }
  if (on.has('subnets')) {
    const list = h.lans.filter((l) => subnets.has(l.name));
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i] as (typeof list)[number];
        const b = list[j] as (typeof list)[number];
        if (cidrsOverlap(subnets.get(a.name) as Cidr, subnets.get(b.name) as Cidr)) {
          err('SUBNET_OVERLAP', `${a.name},${b.name}`, `subnets of ${a.name} (${a.subnet}) and ${b.name} (${b.subnet}) overlap`);
        }
      }
    }
  }

  if (on.has('ips')) {
    const used = new Map<string, Map<number, string>>();
    for (const d of h.deckies) {
      const ips = d.decky_config?.ips_by_lan ?? {};
      for (const [lanName, ip] of Object.entries(ips)) {
        const lan = lanByName.get(lanName);
        if (!lan) {
          err('IP_UNKNOWN_LAN', d.name, `decky ${d.name} has an address on unknown LAN ${lanName}`);
          continue;
        }
        const n = typeof ip === 'string' ? parseIpv4(ip) : null;
        if (n === null) {
          err('IP_MALFORMED', d.name, `decky ${d.name}: ${JSON.stringify(ip)} on ${lanName} is not an IPv4 address`);
          continue;
        }
        const net = subnets.get(lanName);
        if (!net) continue;
        if (!cidrContains(net, n)) {
          err('IP_OUT_OF_SUBNET', d.name, `decky ${d.name}: ${ip} is outside ${lanName} (${lan.subnet})`);
          continue;
        }
        if (n === net.network || n === broadcastOf(net) || n === defaultGateway(net)) {
          err('IP_RESERVED', d.name, `decky ${d.name}: ${ip} is the network, gateway or broadcast address of ${lanName}`);
          continue;
        }
        const lanUsed = used.get(lanName) ?? new Map<number, string>();
        used.set(lanName, lanUsed);
        const other = lanUsed.get(n);
        if (other !== undefined) err('IP_COLLISION', d.name, `decky ${d.name} and ${other} both use ${ip} on ${lanName}`);
        else lanUsed.set(n, d.name);
      }
      // Every LAN the decky is attached to needs an address there.
      for (const e of edgesOf.get(d.uuid) ?? []) {
        const lan = lanById.get(e.lan_id);
        if (lan && !(lan.name in ips)) err('IP_MISSING', d.name, `decky ${d.name} is attached to ${lan.name} but has no address there`);
      }
    }
  }

  if (on.has('services')) {
    for (const d of h.deckies) {
      for (const s of d.services) {
        if (!isDeckyService(s)) {
          err('UNKNOWN_SERVICE', d.name, getService(s)?.singleton ? `decky ${d.name}: ${s} is a fleet singleton, not a decky service` : `decky ${d.name}: unknown service ${JSON.stringify(s)}`);
        }
      }
    }
  }

  if (on.has('service_config')) {
    for (const d of h.deckies) {
      const cfg = d.decky_config?.service_config ?? {};
      for (const [svc, values] of Object.entries(cfg)) {
        if (!d.services.includes(svc)) {
          err('SERVICE_CFG_UNDECLARED', d.name, `decky ${d.name} configures ${svc}, which it does not run`);
          continue;
        }
        if (values === null || typeof values !== 'object' || Array.isArray(values)) {
          err('SERVICE_CFG_INVALID', d.name, `decky ${d.name}: config of ${svc} must be an object`);
          continue;
        }
        for (const p of coerceServiceConfig(svc, values).problems) err('SERVICE_CFG_INVALID', d.name, `decky ${d.name}: ${p}`);
      }
    }
  }

  if (on.has('gateway')) {
    const dmzIds = new Set(h.lans.filter((l) => l.is_dmz).map((l) => l.id));
    for (const d of h.deckies) {
      if (!d.decky_config?.forwards_l3) continue;
      const list = edgesOf.get(d.uuid) ?? [];
      const home = list.find((e) => !e.is_bridge) ?? list[0];
      if (home && !dmzIds.has(home.lan_id)) err('GATEWAY_NOT_IN_DMZ', d.name, `decky ${d.name} forwards traffic but its home LAN is not the DMZ`);
    }
  }
  return issues;
}
