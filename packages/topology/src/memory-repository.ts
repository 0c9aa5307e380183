// An in-memory TopologyRepository with the same semantics as the Postgres one (version checks,
// pending-only edits, cascades, the mutation queue). For tests and for one-shot renders.
import { randomUUID } from 'node:crypto';
import {
  NameTakenError,
  OrphanedDeckyError,
  TopologyNotEditableError,
  TopologyNotFoundError,
  TopologyStatusError,
  VersionConflictError,
} from './errors.js';
import type { DeckyRow, EdgeRow, LanRow, MutationOp, MutationRow, MutationState, StatusEvent, TopologyStatus, TopologySummary } from './model.js';
import type {
  DeckyPatch,
  LanPatch,
  NewDecky,
  NewEdge,
  NewLan,
  NewTopology,
  NewTopologyGraph,
  TopologyListFilter,
  TopologyRepository,
  WriteOptions,
} from './repository.js';
import { LIVE_STATUSES } from './status.js';

/** Options of {@link MemoryTopologyRepository}. */
export interface MemoryRepositoryOptions {
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
}

interface Graph {
  topology: TopologySummary;
  lans: LanRow[];
  deckies: DeckyRow[];
  edges: EdgeRow[];
  events: StatusEvent[];
  mutations: MutationRow[];
}

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** A TopologyRepository kept in process memory. Returned rows are copies. */
export class MemoryTopologyRepository implements TopologyRepository {
  private readonly graphs = new Map<string, Graph>();
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(options: MemoryRepositoryOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private graph(id: string): Graph {
    const g = this.graphs.get(id);
    if (!g) throw new TopologyNotFoundError('topology', id);
    return g;
  }

  private guard(g: Graph, opts: WriteOptions | undefined, enforcePendingDefault: boolean): void {
    if ((opts?.enforcePending ?? enforcePendingDefault) && g.topology.status !== 'pending') throw new TopologyNotEditableError(g.topology.status);
    if (opts?.expectedVersion !== undefined) {
      if (g.topology.version !== opts.expectedVersion) throw new VersionConflictError(g.topology.version, opts.expectedVersion);
      g.topology.version++;
    }
  }

  private buildTopology(input: NewTopology): TopologySummary {
    for (const g of this.graphs.values()) if (g.topology.name === input.name) throw new NameTakenError('topology', input.name);
    const at = this.stamp();
    return {
      id: input.id ?? this.newId(),
      name: input.name,
      mode: input.mode ?? 'unihost',
      target_host_uuid: input.target_host_uuid ?? null,
      config_snapshot: structuredClone(input.config_snapshot),
      status: 'pending',
      status_changed_at: at,
      created_at: at,
      version: 1,
      needs_resync: false,
    };
  }

  private buildLan(g: Graph, lan: NewLan): LanRow {
    if (g.lans.some((l) => l.name === lan.name)) throw new NameTakenError('lan', lan.name);
    return {
      id: this.newId(),
      topology_id: g.topology.id,
      name: lan.name,
      docker_network_id: lan.docker_network_id ?? null,
      subnet: lan.subnet,
      is_dmz: lan.is_dmz ?? false,
      x: lan.x ?? null,
      y: lan.y ?? null,
    };
  }

  private buildDecky(g: Graph, d: NewDecky): DeckyRow {
    if (g.deckies.some((x) => x.name === d.name)) throw new NameTakenError('decky', d.name);
    return {
      uuid: this.newId(),
      topology_id: g.topology.id,
      name: d.name,
      services: [...d.services],
      decky_config: structuredClone(d.decky_config),
      ip: d.ip ?? null,
      state: 'pending',
      last_error: null,
      compose_hash: null,
      last_seen: null,
      updated_at: this.stamp(),
      x: d.x ?? null,
      y: d.y ?? null,
    };
  }

  async createTopology(input: NewTopology): Promise<TopologySummary> {
    const topology = this.buildTopology(input);
    this.graphs.set(topology.id, { topology, lans: [], deckies: [], edges: [], events: [], mutations: [] });
    return structuredClone(topology);
  }

  async createTopologyGraph(input: NewTopologyGraph): Promise<TopologySummary> {
    // Build everything aside first so a failure leaves nothing behind.
    const g: Graph = { topology: this.buildTopology(input.topology), lans: [], deckies: [], edges: [], events: [], mutations: [] };
    for (const l of input.lans) g.lans.push(this.buildLan(g, l));
    for (const d of input.deckies) g.deckies.push(this.buildDecky(g, d));
    for (const e of input.edges) {
      const decky = g.deckies.find((d) => d.name === e.decky);
      const lan = g.lans.find((l) => l.name === e.lan);
      if (!decky) throw new TopologyNotFoundError('decky', e.decky);
      if (!lan) throw new TopologyNotFoundError('lan', e.lan);
      g.edges.push({ id: this.newId(), topology_id: g.topology.id, decky_uuid: decky.uuid, lan_id: lan.id, is_bridge: e.is_bridge, forwards_l3: e.forwards_l3 });
    }
    this.graphs.set(g.topology.id, g);
    return structuredClone(g.topology);
  }

  async getTopology(id: string): Promise<TopologySummary | null> {
    const g = this.graphs.get(id);
    return g ? structuredClone(g.topology) : null;
  }

  async getTopologyByName(name: string): Promise<TopologySummary | null> {
    for (const g of this.graphs.values()) if (g.topology.name === name) return structuredClone(g.topology);
    return null;
  }

  async listTopologies(filter: TopologyListFilter = {}): Promise<TopologySummary[]> {
    const all = [...this.graphs.values()]
      .map((g) => g.topology)
      .filter((t) => filter.status === undefined || t.status === filter.status)
      .sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
    const offset = filter.offset ?? 0;
    return structuredClone(all.slice(offset, offset + (filter.limit ?? 100)));
  }

  async countTopologies(status?: TopologyStatus): Promise<number> {
    return [...this.graphs.values()].filter((g) => status === undefined || g.topology.status === status).length;
  }

  async updateTopologyStatus(id: string, to: TopologyStatus, reason: string | null = null, expectedFrom?: TopologyStatus): Promise<TopologySummary> {
    const g = this.graph(id);
    const from = g.topology.status;
    if (expectedFrom !== undefined && from !== expectedFrom) throw new TopologyStatusError(from, to);
    const at = this.stamp();
    g.topology.status = to;
    g.topology.status_changed_at = at;
    g.events.push({ id: this.newId(), topology_id: id, from_status: from, to_status: to, at, reason });
    return structuredClone(g.topology);
  }

  async setNeedsResync(id: string, value: boolean): Promise<void> {
    this.graph(id).topology.needs_resync = value;
  }

  async deleteTopology(id: string): Promise<boolean> {
    return this.graphs.delete(id);
  }

  async listStatusEvents(id: string, limit = 100): Promise<StatusEvent[]> {
    return structuredClone([...this.graph(id).events].reverse().slice(0, limit));
  }

  async reservedSubnets(): Promise<string[]> {
    return [...this.graphs.values()].filter((g) => g.topology.status !== 'torn_down').flatMap((g) => g.lans.map((l) => l.subnet));
  }

  async listLiveTopologyIds(): Promise<string[]> {
    return [...this.graphs.values()].filter((g) => LIVE_STATUSES.includes(g.topology.status)).map((g) => g.topology.id);
  }

  async addLan(topologyId: string, lan: NewLan, opts?: WriteOptions): Promise<LanRow> {
    const g = this.graph(topologyId);
    const row = this.buildLan(g, lan);
    this.guard(g, opts, false);
    g.lans.push(row);
    return structuredClone(row);
  }

  async updateLan(topologyId: string, lanId: string, patch: LanPatch, opts?: WriteOptions): Promise<LanRow> {
    const g = this.graph(topologyId);
    const lan = g.lans.find((l) => l.id === lanId);
    if (!lan) throw new TopologyNotFoundError('lan', lanId);
    if (patch.name !== undefined && patch.name !== lan.name && g.lans.some((l) => l.name === patch.name)) throw new NameTakenError('lan', patch.name);
    this.guard(g, opts, false);
    Object.assign(lan, structuredClone(patch));
    return structuredClone(lan);
  }

  async deleteLan(topologyId: string, lanId: string, opts?: WriteOptions): Promise<void> {
    const g = this.graph(topologyId);
    const lan = g.lans.find((l) => l.id === lanId);
    if (!lan) throw new TopologyNotFoundError('lan', lanId);
    for (const e of g.edges.filter((x) => x.lan_id === lanId)) {
      if (!g.edges.some((o) => o.decky_uuid === e.decky_uuid && o.lan_id !== lanId)) {
        throw new OrphanedDeckyError(lan.name, g.deckies.find((d) => d.uuid === e.decky_uuid)?.name ?? e.decky_uuid);
      }
    }
    this.guard(g, opts, true);
    g.edges = g.edges.filter((e) => e.lan_id !== lanId);
    g.lans = g.lans.filter((l) => l.id !== lanId);
  }

  async listLans(topologyId: string): Promise<LanRow[]> {
    return structuredClone([...this.graph(topologyId).lans].sort(byName));
  }

  async addDecky(topologyId: string, decky: NewDecky, opts?: WriteOptions): Promise<DeckyRow> {
    const g = this.graph(topologyId);
    const row = this.buildDecky(g, decky);
    this.guard(g, opts, false);
    g.deckies.push(row);
    return structuredClone(row);
  }

  async updateDecky(topologyId: string, uuid: string, patch: DeckyPatch, opts?: WriteOptions): Promise<DeckyRow> {
    const g = this.graph(topologyId);
    const d = g.deckies.find((x) => x.uuid === uuid);
    if (!d) throw new TopologyNotFoundError('decky', uuid);
    if (patch.name !== undefined && patch.name !== d.name && g.deckies.some((x) => x.name === patch.name)) throw new NameTakenError('decky', patch.name);
    this.guard(g, opts, false);
    Object.assign(d, structuredClone(patch), { updated_at: this.stamp() });
    return structuredClone(d);
  }

  async deleteDecky(topologyId: string, uuid: string, opts?: WriteOptions): Promise<void> {
    const g = this.graph(topologyId);
    if (!g.deckies.some((d) => d.uuid === uuid)) throw new TopologyNotFoundError('decky', uuid);
    this.guard(g, opts, true);
    g.edges = g.edges.filter((e) => e.decky_uuid !== uuid);
    g.deckies = g.deckies.filter((d) => d.uuid !== uuid);
  }

  async listDeckies(topologyId: string): Promise<DeckyRow[]> {
    return structuredClone([...this.graph(topologyId).deckies].sort(byName));
  }

  async addEdge(topologyId: string, edge: NewEdge, opts?: WriteOptions): Promise<EdgeRow> {
    const g = this.graph(topologyId);
    if (!g.deckies.some((d) => d.uuid === edge.decky_uuid)) throw new TopologyNotFoundError('decky', edge.decky_uuid);
    if (!g.lans.some((l) => l.id === edge.lan_id)) throw new TopologyNotFoundError('lan', edge.lan_id);
    this.guard(g, opts, false);
    const row: EdgeRow = { id: this.newId(), topology_id: topologyId, decky_uuid: edge.decky_uuid, lan_id: edge.lan_id, is_bridge: edge.is_bridge ?? false, forwards_l3: edge.forwards_l3 ?? false };
    g.edges.push(row);
    return structuredClone(row);
  }

  async deleteEdge(topologyId: string, edgeId: string, opts?: WriteOptions): Promise<void> {
    const g = this.graph(topologyId);
    if (!g.edges.some((e) => e.id === edgeId)) throw new TopologyNotFoundError('edge', edgeId);
    this.guard(g, opts, true);
    g.edges = g.edges.filter((e) => e.id !== edgeId);
  }

  async listEdges(topologyId: string): Promise<EdgeRow[]> {
    return structuredClone(this.graph(topologyId).edges);
  }

  async enqueueMutation(topologyId: string, op: MutationOp, payload: Record<string, unknown>, expectedVersion?: number): Promise<MutationRow> {
    const g = this.graph(topologyId);
    if (expectedVersion !== undefined && g.topology.version !== expectedVersion) throw new VersionConflictError(g.topology.version, expectedVersion);
    g.topology.version++;
    const row: MutationRow = { id: this.newId(), topology_id: topologyId, op, payload: structuredClone(payload), state: 'pending', requested_at: this.stamp(), applied_at: null, reason: null };
    g.mutations.push(row);
    return structuredClone(row);
  }

  async claimNextMutation(topologyId: string): Promise<MutationRow | null> {
    const row = this.graph(topologyId).mutations.find((m) => m.state === 'pending');
    if (!row) return null;
    row.state = 'applying';
    return structuredClone(row);
  }

  private mutation(id: string): MutationRow {
    for (const g of this.graphs.values()) {
      const m = g.mutations.find((x) => x.id === id);
      if (m) return m;
    }
    throw new TopologyNotFoundError('mutation', id);
  }

  async markMutationApplied(mutationId: string): Promise<void> {
    const m = this.mutation(mutationId);
    m.state = 'applied';
    m.applied_at = this.stamp();
  }

  async markMutationFailed(mutationId: string, reason: string): Promise<void> {
    const m = this.mutation(mutationId);
    m.state = 'failed';
    m.reason = reason;
    m.applied_at = this.stamp();
  }

  async listMutations(topologyId: string, state?: MutationState): Promise<MutationRow[]> {
    return structuredClone(this.graph(topologyId).mutations.filter((m) => state === undefined || m.state === state));
  }

  async hasPendingMutation(): Promise<boolean> {
    return [...this.graphs.values()].some((g) => LIVE_STATUSES.includes(g.topology.status) && g.mutations.some((m) => m.state === 'pending'));
  }
}
