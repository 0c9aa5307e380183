// Test kit of @decnet/topology: small fixed topologies, and the behaviour contract every
// TopologyRepository must meet, runnable against the in-memory and the Postgres implementation.
import { describe, expect, it } from 'vitest';
import {
  NameTakenError,
  OrphanedDeckyError,
  TopologyNotEditableError,
  TopologyNotFoundError,
  TopologyStatusError,
  VersionConflictError,
} from './errors.js';
import { type GeneratedTopology, generateTopology } from './generator.js';
import type { TopologyConfigInput } from './topology-config.js';
import { cidrsOverlap, parseCidr } from './net.js';
import { composeToYaml } from './compose.js';
import { hydrateGenerated, hydrateTopology, persistTopology, transitionStatus } from './persist.js';
import { renderTopologyCompose } from './topology-compose.js';
import type { TopologyRepository } from './repository.js';
import type { ContainerState, TopologyDriver } from './deploy.js';

/** A small deterministic topology: DMZ + one internal LAN, one ssh decky each (the reference example). */
export function tinyTopology(name = 'tiny', overrides: Partial<TopologyConfigInput> = {}): GeneratedTopology {
  return generateTopology({
    name,
    depth: 1,
    branching_factor: 1,
    deckies_per_lan_min: 1,
    deckies_per_lan_max: 1,
    services_explicit: ['ssh'],
    seed: 1,
    ...overrides,
  });
}

/** A medium topology (depth 2, branching 2, 1-3 deckies per LAN, random services). */
export function mediumTopology(name = 'medium', seed = 42, overrides: Partial<TopologyConfigInput> = {}): GeneratedTopology {
  return generateTopology({ name, depth: 2, branching_factor: 2, seed, ...overrides });
}

/** What a contract run needs: a fresh, empty repository per test. */
export type RepositoryFactory = () => Promise<TopologyRepository>;

/**
 * Registers the TopologyRepository behaviour contract as vitest suites. Call it from a test
 * file with a factory returning an empty repository (a new database, or a new memory store).
 */
export function describeTopologyRepositoryContract(label: string, fresh: RepositoryFactory): void {
  describe(`${label}: persist and hydrate round-trip a generated topology`, () => {
    it('returns name, pending status, LAN/decky/edge counts, subnets and DMZ flag as generated', async () => {
      const repo = await fresh();
      const gen = mediumTopology('roundtrip');
      const t = await persistTopology(repo, gen);
      const h = await hydrateTopology(repo, t.id);
      expect(h).not.toBeNull();
      expect(h!.topology.name).toBe('roundtrip');
      expect(h!.topology.status).toBe('pending');
      expect(h!.lans).toHaveLength(gen.lans.length);
      expect(h!.deckies).toHaveLength(gen.deckies.length);
      expect(h!.edges).toHaveLength(gen.edges.length);
      const lans = Object.fromEntries(h!.lans.map((l) => [l.name, [l.subnet, l.is_dmz]]));
      for (const l of gen.lans) expect(lans[l.name]).toEqual([l.subnet, l.is_dmz]);
    });
    it('returns services as a list and decky_config with ips_by_lan, home LAN first', async () => {
      const repo = await fresh();
      const gen = mediumTopology('lists');
      const t = await persistTopology(repo, gen);
      const h = await hydrateTopology(repo, t.id);
      for (const d of gen.deckies) {
        const row = h!.deckies.find((x) => x.name === d.name)!;
        expect(row.services).toEqual(d.services);
        expect(Object.keys(row.decky_config.ips_by_lan)[0]).toBe(d.home_lan);
        expect(row.decky_config.ips_by_lan).toEqual(d.ips_by_lan);
        expect(row.ip).toBe(d.ips_by_lan[d.home_lan]);
      }
    });
    it('keeps the generation config, seed included, in config_snapshot', async () => {
      const repo = await fresh();
      const gen = mediumTopology('snapshot', 99);
      const t = await persistTopology(repo, gen);
      expect(t.config_snapshot['seed']).toBe(99);
      expect(t.config_snapshot['depth']).toBe(2);
    });
    it('hydrates to the same compose services and networks as the generated topology', async () => {
      const repo = await fresh();
      const gen = mediumTopology('same-compose', 8, { cross_edge_probability: 0.6 });
      const t = await persistTopology(repo, gen);
      const fromRepo = renderTopologyCompose((await hydrateTopology(repo, t.id))!).doc;
      const direct = renderTopologyCompose(hydrateGenerated(gen, t.id)).doc;
      expect(composeToYaml({ ...fromRepo, 'x-decnet': {} })).toBe(composeToYaml({ ...direct, 'x-decnet': {} }));
    });
    it('returns null when hydrating an unknown topology', async () => {
      const repo = await fresh();
      expect(await hydrateTopology(repo, '00000000-0000-4000-8000-000000000000')).toBeNull();
    });
    it('stores nothing when one row of the graph is bad', async () => {
      const repo = await fresh();
      const gen = tinyTopology('atomic');
      const bad = { ...gen, edges: [...gen.edges, { decky: 'decky-999', lan: 'LAN-00', is_bridge: false, forwards_l3: false }] };
      await expect(persistTopology(repo, bad)).rejects.toBeInstanceOf(TopologyNotFoundError);
      expect(await repo.getTopologyByName('atomic')).toBeNull();
      expect(await repo.countTopologies()).toBe(0);
    });
    it('refuses a second topology with the same name', async () => {
      const repo = await fresh();
      await persistTopology(repo, tinyTopology('same'));
      await expect(persistTopology(repo, tinyTopology('same'))).rejects.toBeInstanceOf(NameTakenError);
    });
  });

  describe(`${label}: decky names are unique within a topology only`, () => {
    it('refuses a duplicate decky name in one topology', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('dup-a'));
      await expect(
        repo.addDecky(t.id, { name: 'decky-001', services: ['ssh'], decky_config: { name: 'decky-001', services: ['ssh'], ips_by_lan: {}, forwards_l3: false, service_config: {} } }),
      ).rejects.toBeInstanceOf(NameTakenError);
    });
    it('accepts the same decky name in two topologies', async () => {
      const repo = await fresh();
      await persistTopology(repo, tinyTopology('dup-b'));
      const t2 = await persistTopology(repo, tinyTopology('dup-c'));
      expect((await repo.listDeckies(t2.id)).map((d) => d.name)).toContain('decky-001');
    });
  });

  describe(`${label}: status changes follow the table and are logged`, () => {
    it('applies a legal transition and records from, to and reason, newest first', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('events'));
      await transitionStatus(repo, t.id, 'deploying', 'starting');
      await transitionStatus(repo, t.id, 'active', 'all up');
      const events = await repo.listStatusEvents(t.id);
      expect(events.map((e) => [e.from_status, e.to_status, e.reason])).toEqual([
        ['deploying', 'active', 'all up'],
        ['pending', 'deploying', 'starting'],
      ]);
      expect((await repo.getTopology(t.id))!.status).toBe('active');
    });
    it('refuses an illegal transition and leaves status and log unchanged', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('illegal'));
      await expect(transitionStatus(repo, t.id, 'active')).rejects.toBeInstanceOf(TopologyStatusError);
      expect((await repo.getTopology(t.id))!.status).toBe('pending');
      expect(await repo.listStatusEvents(t.id)).toEqual([]);
    });
    it('rejects a transition of an unknown topology', async () => {
      const repo = await fresh();
      await expect(transitionStatus(repo, '00000000-0000-4000-8000-000000000000', 'deploying')).rejects.toBeInstanceOf(TopologyNotFoundError);
    });
    it('refuses a status update whose expected current status is stale', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('race'));
      await repo.updateTopologyStatus(t.id, 'deploying', null, 'pending');
      await expect(repo.updateTopologyStatus(t.id, 'deploying', null, 'pending')).rejects.toBeInstanceOf(TopologyStatusError);
    });
    it('limits the event list to the requested count', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('limit'));
      await transitionStatus(repo, t.id, 'deploying');
      await transitionStatus(repo, t.id, 'failed');
      await transitionStatus(repo, t.id, 'tearing_down');
      expect(await repo.listStatusEvents(t.id, 2)).toHaveLength(2);
    });
  });

  describe(`${label}: listing and deleting topologies`, () => {
    it('filters the list by status', async () => {
      const repo = await fresh();
      const a = await persistTopology(repo, tinyTopology('list-a'));
      await persistTopology(repo, tinyTopology('list-b'));
      await transitionStatus(repo, a.id, 'deploying');
      expect((await repo.listTopologies({ status: 'deploying' })).map((t) => t.name)).toEqual(['list-a']);
      expect(await repo.countTopologies('pending')).toBe(1);
      expect(await repo.countTopologies()).toBe(2);
    });
    it('finds a topology by name', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('by-name'));
      expect((await repo.getTopologyByName('by-name'))!.id).toBe(t.id);
      expect(await repo.getTopologyByName('nope')).toBeNull();
    });
    it('deletes every child row and returns true, then false the second time', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, mediumTopology('cascade'));
      await transitionStatus(repo, t.id, 'deploying');
      await repo.enqueueMutation(t.id, 'add_lan', { name: 'LAN-99' });
      expect(await repo.deleteTopology(t.id)).toBe(true);
      expect(await repo.getTopology(t.id)).toBeNull();
      expect(await hydrateTopology(repo, t.id)).toBeNull();
      expect(await repo.reservedSubnets()).toEqual([]);
      expect(await repo.deleteTopology(t.id)).toBe(false);
    });
    it('defaults x and y to null and round-trips them when set', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('xy'));
      const lans = await repo.listLans(t.id);
      expect(lans.every((l) => l.x === null && l.y === null)).toBe(true);
      const lan = await repo.updateLan(t.id, lans[0]!.id, { x: 12.5, y: -3 });
      expect([lan.x, lan.y]).toEqual([12.5, -3]);
      expect((await repo.listLans(t.id)).find((l) => l.id === lan.id)).toMatchObject({ x: 12.5, y: -3 });
    });
  });

  describe(`${label}: reserved subnets`, () => {
    it('include pending and active topologies and exclude torn_down ones', async () => {
      const repo = await fresh();
      const pending = await persistTopology(repo, tinyTopology('res-pending'));
      const active = await persistTopology(repo, tinyTopology('res-active', { subnet_base_prefix: '10.1.0.0/16' }));
      const gone = await persistTopology(repo, tinyTopology('res-gone', { subnet_base_prefix: '10.2.0.0/16' }));
      await transitionStatus(repo, active.id, 'deploying');
      await transitionStatus(repo, active.id, 'active');
      await transitionStatus(repo, gone.id, 'torn_down');
      const reserved = await repo.reservedSubnets();
      for (const l of await repo.listLans(pending.id)) expect(reserved).toContain(l.subnet);
      for (const l of await repo.listLans(active.id)) expect(reserved).toContain(l.subnet);
      for (const l of await repo.listLans(gone.id)) expect(reserved).not.toContain(l.subnet);
      expect(await repo.listLiveTopologyIds()).toEqual([active.id]);
    });
    it('make a newly generated topology take disjoint subnets', async () => {
      const repo = await fresh();
      const first = await persistTopology(repo, mediumTopology('disjoint-1'));
      const next = generateTopology({ name: 'disjoint-2', depth: 2, branching_factor: 2, seed: 42 }, { reservedSubnets: await repo.reservedSubnets() });
      const held = (await repo.listLans(first.id)).map((l) => parseCidr(l.subnet));
      for (const l of next.lans) {
        const c = parseCidr(l.subnet);
        for (const h of held) if (h.ok && c.ok) expect(cidrsOverlap(h.value, c.value)).toBe(false);
      }
    });
  });

  describe(`${label}: optimistic versions`, () => {
    it('starts at 1 and goes up by one per checked write', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('ver'));
      expect(t.version).toBe(1);
      const lans = await repo.listLans(t.id);
      await repo.updateLan(t.id, lans[0]!.id, { x: 1 }, { expectedVersion: 1 });
      expect((await repo.getTopology(t.id))!.version).toBe(2);
      const d = (await repo.listDeckies(t.id))[0]!;
      await repo.updateDecky(t.id, d.uuid, { x: 2 }, { expectedVersion: 2 });
      expect((await repo.getTopology(t.id))!.version).toBe(3);
    });
    it('raises a conflict carrying current and expected versions on a stale write', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('stale'));
      const lan = (await repo.listLans(t.id))[0]!;
      await repo.updateLan(t.id, lan.id, { x: 1 }, { expectedVersion: 1 });
      const err = await repo.updateLan(t.id, lan.id, { x: 2 }, { expectedVersion: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(VersionConflictError);
      expect(err).toMatchObject({ current: 2, expected: 1 });
      expect((await repo.listLans(t.id)).find((l) => l.id === lan.id)!.x).toBe(1);
    });
    it('neither checks nor bumps when no version is passed', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('nover'));
      const lan = (await repo.listLans(t.id))[0]!;
      await repo.updateLan(t.id, lan.id, { x: 5 });
      expect((await repo.getTopology(t.id))!.version).toBe(1);
    });
  });

  describe(`${label}: design-time edits`, () => {
    it('refuses a pending-only edit once the topology is active', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('editable'));
      await transitionStatus(repo, t.id, 'deploying');
      await transitionStatus(repo, t.id, 'active');
      const lan = (await repo.listLans(t.id))[0]!;
      const err = await repo.updateLan(t.id, lan.id, { x: 1 }, { enforcePending: true }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TopologyNotEditableError);
      expect(err).toMatchObject({ status: 'active' });
    });
    it('refuses deleting a LAN that is some decky\'s only LAN', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('orphan', { deckies_per_lan_min: 2, deckies_per_lan_max: 2 }));
      const lan01 = (await repo.listLans(t.id)).find((l) => l.name === 'LAN-01')!;
      const err = await repo.deleteLan(t.id, lan01.id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OrphanedDeckyError);
      expect(String((err as Error).message)).toContain('orphaned');
      expect(await repo.listLans(t.id)).toHaveLength(2);
      expect(await repo.listEdges(t.id)).toHaveLength(4);
    });
    it('keeps the decky when one of its bridge edges is deleted', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('bridge-edge'));
      const bridge = (await repo.listDeckies(t.id)).find((d) => d.name === 'decky-002')!;
      const lan00 = (await repo.listLans(t.id)).find((l) => l.name === 'LAN-00')!;
      const edge = (await repo.listEdges(t.id)).find((e) => e.decky_uuid === bridge.uuid && e.lan_id === lan00.id)!;
      await repo.deleteEdge(t.id, edge.id);
      expect((await repo.listDeckies(t.id)).map((d) => d.name)).toContain('decky-002');
      expect((await repo.listEdges(t.id)).filter((e) => e.decky_uuid === bridge.uuid)).toHaveLength(1);
    });
    it('removes a decky together with its edges', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('rm-decky'));
      const bridge = (await repo.listDeckies(t.id)).find((d) => d.name === 'decky-002')!;
      await repo.deleteDecky(t.id, bridge.uuid);
      expect((await repo.listEdges(t.id)).some((e) => e.decky_uuid === bridge.uuid)).toBe(false);
      expect(await repo.listDeckies(t.id)).toHaveLength(1);
    });
    it('refuses deletes on a non-pending topology by default', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('no-delete'));
      await transitionStatus(repo, t.id, 'deploying');
      const d = (await repo.listDeckies(t.id))[0]!;
      await expect(repo.deleteDecky(t.id, d.uuid)).rejects.toBeInstanceOf(TopologyNotEditableError);
    });
    it('adds a LAN, a decky and an edge, listing LANs and deckies by name', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('add'));
      const lan = await repo.addLan(t.id, { name: 'LAN-02', subnet: '172.16.9.0/24' }, { expectedVersion: 1 });
      const d = await repo.addDecky(t.id, { name: 'decky-000', services: ['http'], decky_config: { name: 'decky-000', services: ['http'], ips_by_lan: {}, forwards_l3: false, service_config: {} } });
      await repo.addEdge(t.id, { decky_uuid: d.uuid, lan_id: lan.id });
      expect((await repo.listLans(t.id)).map((l) => l.name)).toEqual(['LAN-00', 'LAN-01', 'LAN-02']);
      expect((await repo.listDeckies(t.id)).map((x) => x.name)).toEqual(['decky-000', 'decky-001', 'decky-002']);
      expect((await repo.getTopology(t.id))!.version).toBe(2);
      const h = await hydrateTopology(repo, t.id);
      expect(h!.deckies.find((x) => x.name === 'decky-000')!.decky_config.ips_by_lan).toEqual({ 'LAN-02': '172.16.9.2' });
    });
  });

  describe(`${label}: mutation queue`, () => {
    it('bumps the version and creates a pending row on enqueue', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('enqueue'));
      const m = await repo.enqueueMutation(t.id, 'add_lan', { name: 'LAN-05' }, 1);
      expect(m.state).toBe('pending');
      expect(m.payload).toEqual({ name: 'LAN-05' });
      expect((await repo.getTopology(t.id))!.version).toBe(2);
      await expect(repo.enqueueMutation(t.id, 'add_lan', {}, 1)).rejects.toBeInstanceOf(VersionConflictError);
    });
    it('gives a claimed row to the first caller only, and null from an empty queue', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('claim'));
      expect(await repo.claimNextMutation(t.id)).toBeNull();
      const m = await repo.enqueueMutation(t.id, 'remove_lan', { name: 'LAN-01' });
      const [a, b] = await Promise.all([repo.claimNextMutation(t.id), repo.claimNextMutation(t.id)]);
      const claimed = [a, b].filter((x) => x !== null);
      expect(claimed).toHaveLength(1);
      expect(claimed[0]).toMatchObject({ id: m.id, state: 'applying' });
    });
    it('claims the oldest pending row first', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('fifo'));
      const first = await repo.enqueueMutation(t.id, 'add_lan', { name: 'A' });
      await repo.enqueueMutation(t.id, 'add_lan', { name: 'B' });
      expect((await repo.claimNextMutation(t.id))!.id).toBe(first.id);
    });
    it('records applied and failed outcomes with their reason', async () => {
      const repo = await fresh();
      const t = await persistTopology(repo, tinyTopology('outcome'));
      const ok = await repo.enqueueMutation(t.id, 'add_lan', { name: 'A' });
      const bad = await repo.enqueueMutation(t.id, 'add_decky', { name: 'x', services: ['nope'] });
      await repo.markMutationApplied(ok.id);
      await repo.markMutationFailed(bad.id, 'unknown service nope');
      const applied = await repo.listMutations(t.id, 'applied');
      const failed = await repo.listMutations(t.id, 'failed');
      expect(applied.map((m) => m.id)).toEqual([ok.id]);
      expect(applied[0]!.applied_at).not.toBeNull();
      expect(failed[0]).toMatchObject({ id: bad.id, reason: 'unknown service nope' });
      expect(await repo.listMutations(t.id)).toHaveLength(2);
    });
    it('reports a pending mutation only for a live topology', async () => {
      const repo = await fresh();
      expect(await repo.hasPendingMutation()).toBe(false);
      const t = await persistTopology(repo, tinyTopology('guard'));
      await repo.enqueueMutation(t.id, 'add_lan', { name: 'A' });
      expect(await repo.hasPendingMutation()).toBe(false);
      await transitionStatus(repo, t.id, 'deploying');
      await transitionStatus(repo, t.id, 'active');
      expect(await repo.hasPendingMutation()).toBe(true);
    });
  });
}

/**
 * A TopologyDriver that records every call and can be told to fail: stands in for Docker
 * where none runs. `states` sets what composePs reports (default: every container running).
 */
export class RecordingDriver implements TopologyDriver {
  readonly calls: string[] = [];
  readonly networks = new Map<string, { subnet: string; internal: boolean }>();
  failOn: { method: keyof TopologyDriver; message: string } | undefined;
  states: ContainerState[] | undefined;
  lastYaml: string | undefined;

  private maybeFail(method: keyof TopologyDriver): void {
    if (this.failOn?.method === method) throw new Error(this.failOn.message);
  }

  async createNetwork(spec: { name: string; subnet: string; internal: boolean }): Promise<string> {
    this.calls.push(`createNetwork ${spec.name} ${spec.subnet}${spec.internal ? ' internal' : ''}`);
    this.maybeFail('createNetwork');
    this.networks.set(spec.name, { subnet: spec.subnet, internal: spec.internal });
    return `net-${spec.name}`;
  }
  async removeNetwork(name: string): Promise<void> {
    this.calls.push(`removeNetwork ${name}`);
    this.maybeFail('removeNetwork');
    this.networks.delete(name);
  }
  async composeUp(project: string, yaml: string): Promise<void> {
    this.calls.push(`composeUp ${project}`);
    this.lastYaml = yaml;
    this.maybeFail('composeUp');
  }
  async composeDown(project: string): Promise<void> {
    this.calls.push(`composeDown ${project}`);
    this.maybeFail('composeDown');
  }
  async composePs(project: string): Promise<ContainerState[]> {
    this.calls.push(`composePs ${project}`);
    if (this.states) return this.states;
    const doc = parseComposeServices(this.lastYaml ?? '');
    return doc.map((service) => ({ service, state: 'running', exitCode: null }));
  }
}

/** Service keys of a YAML compose file written by composeToYaml (two-space indent). */
function parseComposeServices(yaml: string): string[] {
  const keys: string[] = [];
  let inServices = false;
  for (const line of yaml.split('\n')) {
    if (line === 'services:') inServices = true;
    else if (/^\S/.test(line)) inServices = false;
    else if (inServices && /^ {2}[^ ]/.test(line)) keys.push(line.trim().replace(/:$/, '').replace(/^"(.*)"$/, '$1'));
  }
  return keys;
}
