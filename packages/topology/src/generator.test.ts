import { describe, expect, it } from 'vitest';
import { TopologyInputError } from './errors.js';
import { type GeneratedTopology, generateTopology } from './generator.js';
import { readTopologyConfig } from './topology-config.js';

const gen = (over: Record<string, unknown> = {}): GeneratedTopology => generateTopology({ name: 't', seed: 5, ...over });
const edgeSet = (g: GeneratedTopology) => g.edges.map((e) => `${e.decky}@${e.lan}:${e.is_bridge}:${e.forwards_l3}`).sort();

describe('the generator is deterministic for a seed', () => {
  it('gives the same LAN names, decky names, sorted services and edges for the same seed', () => {
    const a = gen({ depth: 3, branching_factor: 3, cross_edge_probability: 0.5 });
    const b = gen({ depth: 3, branching_factor: 3, cross_edge_probability: 0.5 });
    expect(b.lans).toEqual(a.lans);
    expect(b.deckies).toEqual(a.deckies);
    expect(edgeSet(b)).toEqual(edgeSet(a));
    for (const d of a.deckies) expect(d.services).toEqual([...d.services].sort());
  });
  it('differs for a different seed', () => {
    const a = gen({ depth: 3, branching_factor: 3 });
    const b = gen({ depth: 3, branching_factor: 3, seed: 6 });
    expect(JSON.stringify(b)).not.toBe(JSON.stringify(a));
  });
  it('records a drawn seed when none is given, which reproduces the topology', () => {
    const a = generateTopology({ name: 't' });
    expect(Number.isSafeInteger(a.config.seed)).toBe(true);
    expect(generateTopology({ name: 't', seed: a.config.seed }).deckies).toEqual(a.deckies);
  });
});

describe('the generator builds a DMZ-rooted tree', () => {
  it('has exactly one DMZ, LAN-00, with no parent', () => {
    const g = gen({ depth: 3, branching_factor: 2 });
    const dmz = g.lans.filter((l) => l.is_dmz);
    expect(dmz).toEqual([{ name: 'LAN-00', subnet: '172.16.0.0/24', is_dmz: true, parent: null }]);
    expect(g.lans.filter((l) => l.parent === null)).toHaveLength(1);
  });
  it('gives the DMZ exactly one home (non-bridge) edge, even with min = max = 5', () => {
    const g = gen({ depth: 2, branching_factor: 2, deckies_per_lan_min: 5, deckies_per_lan_max: 5 });
    expect(g.edges.filter((e) => e.lan === 'LAN-00' && !e.is_bridge)).toHaveLength(1);
  });
  it('puts a decky on both every internal LAN and its parent', () => {
    const g = gen({ depth: 3, branching_factor: 3 });
    for (const lan of g.lans.filter((l) => l.parent !== null)) {
      expect(g.deckies.some((d) => lan.name in d.ips_by_lan && (lan.parent as string) in d.ips_by_lan)).toBe(true);
    }
  });
  it('attaches every decky to at least one LAN and starts each LAN\'s addresses at .2', () => {
    const g = gen({ depth: 2, branching_factor: 2 });
    for (const d of g.deckies) expect(g.edges.some((e) => e.decky === d.name)).toBe(true);
    expect(g.deckies[0]!.ips_by_lan['LAN-00']).toBe('172.16.0.2');
  });
  it('names LANs by BFS index and deckies with a global three-digit counter', () => {
    const g = gen({ depth: 2, branching_factor: 2 });
    g.lans.forEach((l, i) => expect(l.name).toBe(`LAN-${String(i).padStart(2, '0')}`));
    g.deckies.forEach((d, i) => expect(d.name).toBe(`decky-${String(i + 1).padStart(3, '0')}`));
  });
  it('with cross-edge p = 0 only adds each decky\'s home parent as an extra LAN', () => {
    const g = gen({ depth: 3, branching_factor: 3, cross_edge_probability: 0 });
    const parent = new Map(g.lans.map((l) => [l.name, l.parent]));
    for (const d of g.deckies) {
      const extra = Object.keys(d.ips_by_lan).slice(1);
      expect(extra.every((lan) => lan === parent.get(d.home_lan))).toBe(true);
    }
  });
  it('with cross-edge p = 1 (depth 3, branching 3) adds at least one cross edge', () => {
    const g = gen({ depth: 3, branching_factor: 3, cross_edge_probability: 1 });
    const parent = new Map(g.lans.map((l) => [l.name, l.parent]));
    const cross = g.deckies.filter((d) => Object.keys(d.ips_by_lan).slice(1).some((lan) => lan !== parent.get(d.home_lan)));
    expect(cross.length).toBeGreaterThan(0);
  });
  it('marks every edge of a bridge decky as a bridge with its forwarding flag', () => {
    const g = gen({ depth: 2, branching_factor: 2, bridge_forward_probability: 1 });
    for (const d of g.deckies.filter((x) => Object.keys(x.ips_by_lan).length > 1)) {
      expect(d.forwards_l3).toBe(true);
      for (const e of g.edges.filter((x) => x.decky === d.name)) expect([e.is_bridge, e.forwards_l3]).toEqual([true, true]);
    }
    const none = gen({ depth: 2, branching_factor: 2, bridge_forward_probability: 0 });
    expect(none.deckies.some((d) => d.forwards_l3)).toBe(false);
  });
  it('uses the explicit service list for every decky', () => {
    const g = gen({ services_explicit: ['ssh', 'http'] });
    for (const d of g.deckies) expect(d.services).toEqual(['http', 'ssh']);
  });
  it('skips reserved subnets', () => {
    const g = generateTopology({ name: 't', seed: 1, depth: 1, branching_factor: 1 }, { reservedSubnets: ['172.16.0.0/24', '172.16.2.0/24'] });
    expect(g.lans.map((l) => l.subnet)).toEqual(['172.16.1.0/24', '172.16.3.0/24']);
  });
  it('reports exhaustion of the subnet base as bad input naming the base', () => {
    expect(() => generateTopology({ name: 't', seed: 1, depth: 2, branching_factor: 8, subnet_base_prefix: '10.0.0.0/23' })).toThrow(/10\.0\.0\.0\/23/);
  });
});

describe('the topology config is validated with one clear line per problem', () => {
  it('fills the defaults', () => {
    expect(readTopologyConfig({ name: 'x' })).toMatchObject({
      mode: 'unihost',
      depth: 3,
      branching_factor: 2,
      deckies_per_lan_min: 1,
      deckies_per_lan_max: 3,
      bridge_forward_probability: 1,
      cross_edge_probability: 0,
      subnet_base_prefix: '172.16.0.0/12',
      randomize_services: true,
      services_explicit: null,
      seed: null,
    });
  });
  it('turns randomisation off when services are explicit', () => {
    expect(readTopologyConfig({ name: 'x', services_explicit: ['ssh'] }).randomize_services).toBe(false);
  });
  it.each([
    [{ name: '' }, 'name must be at least 1 characters'],
    [{ name: 'x'.repeat(65) }, 'name must be at most 64'],
    [{ name: 'bad name' }, 'invalid characters'],
    [{ name: 'x', depth: 17 }, 'depth must be <= 16'],
    [{ name: 'x', depth: 0 }, 'depth must be >= 1'],
    [{ name: 'x', branching_factor: 9 }, 'branching_factor must be <= 8'],
    [{ name: 'x', deckies_per_lan_min: 4, deckies_per_lan_max: 2 }, 'min 4 is greater than max 2'],
    [{ name: 'x', bridge_forward_probability: 1.5 }, 'bridge_forward_probability must be <= 1'],
    [{ name: 'x', randomize_services: false }, 'set services or enable randomized services'],
    [{ name: 'x', services_explicit: ['nope'] }, 'unknown service "nope"'],
    [{ name: 'x', services_explicit: ['sniffer'] }, 'unknown service "sniffer"'],
    [{ name: 'x', services_explicit: [] }, 'empty'],
    [{ name: 'x', subnet_base_prefix: '10.0.0.0/25' }, 'narrower than /24'],
    [{ name: 'x', subnet_base_prefix: 'nope' }, 'not a CIDR'],
    [{ name: 'x', seed: -1 }, 'seed must be >= 0'],
    [{ name: 'x', mode: 'cloud' }, 'mode must be one of unihost, agent'],
    [{ name: 'x', depth: 'deep' }, 'depth must be number'],
  ])('rejects %j', (input, reason) => {
    let err: unknown;
    try {
      readTopologyConfig(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TopologyInputError);
    expect((err as Error).message).toContain(reason);
  });
});
