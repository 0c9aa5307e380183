// The persistence boundary of MazeNET topologies. @decnet/topology only talks to this
// interface; @decnet/db implements it on Postgres and memory-repository.ts in memory.
import type {
  DeckyConfig,
  DeckyRow,
  EdgeRow,
  LanRow,
  MutationOp,
  MutationRow,
  MutationState,
  StatusEvent,
  TopologyMode,
  TopologyStatus,
  TopologySummary,
} from './model.js';

/** A topology row to insert (status `pending`, version 1). */
export interface NewTopology {
  /** @default a fresh UUID */
  readonly id?: string;
  readonly name: string;
  /** @default 'unihost' */
  readonly mode?: TopologyMode;
  readonly target_host_uuid?: string | null;
  readonly config_snapshot: Record<string, unknown>;
}

/** A LAN to insert. */
export interface NewLan {
  readonly name: string;
  readonly subnet: string;
  readonly is_dmz?: boolean;
  readonly docker_network_id?: string | null;
  readonly x?: number | null;
  readonly y?: number | null;
}

/** A decky to insert. */
export interface NewDecky {
  readonly name: string;
  readonly services: readonly string[];
  readonly decky_config: DeckyConfig;
  readonly ip?: string | null;
  readonly x?: number | null;
  readonly y?: number | null;
}

/** An edge to insert. */
export interface NewEdge {
  readonly decky_uuid: string;
  readonly lan_id: string;
  readonly is_bridge?: boolean;
  readonly forwards_l3?: boolean;
}

/** A whole topology inserted in one transaction; edges name their decky and LAN. */
export interface NewTopologyGraph {
  readonly topology: NewTopology;
  readonly lans: readonly NewLan[];
  readonly deckies: readonly NewDecky[];
  readonly edges: readonly { readonly decky: string; readonly lan: string; readonly is_bridge: boolean; readonly forwards_l3: boolean }[];
}

/** Concurrency and status guards of a design-time write. */
export interface WriteOptions {
  /**
   * When given, the topology's version must equal it (else VersionConflictError) and is bumped
   * by one. When absent nothing is checked or bumped.
   */
  readonly expectedVersion?: number;
  /** Refuse unless the topology is `pending` (TopologyNotEditableError). @default false for updates, true for deletes */
  readonly enforcePending?: boolean;
}

/** Filter of {@link TopologyRepository.listTopologies}. */
export interface TopologyListFilter {
  readonly status?: TopologyStatus;
  /** @default 100 */
  readonly limit?: number;
  /** @default 0 */
  readonly offset?: number;
}

/** Editable LAN fields. */
export type LanPatch = Partial<Pick<LanRow, 'name' | 'subnet' | 'is_dmz' | 'docker_network_id' | 'x' | 'y'>>;

/** Editable decky fields. */
export type DeckyPatch = Partial<Pick<DeckyRow, 'name' | 'services' | 'decky_config' | 'ip' | 'state' | 'last_error' | 'compose_hash' | 'last_seen' | 'x' | 'y'>>;

/**
 * Storage of topologies, their LANs, deckies and edges, the append-only status log and the
 * mutation queue. Every method rejects with TopologyNotFoundError for an unknown topology id
 * (except getters, which return null, and deleteTopology, which returns false); name clashes
 * reject with NameTakenError.
 */
export interface TopologyRepository {
  /** Inserts a topology (status pending, version 1). */
  createTopology(input: NewTopology): Promise<TopologySummary>;
  /** Inserts a topology with all its LANs, deckies and edges atomically: all rows or none. */
  createTopologyGraph(input: NewTopologyGraph): Promise<TopologySummary>;
  getTopology(id: string): Promise<TopologySummary | null>;
  getTopologyByName(name: string): Promise<TopologySummary | null>;
  /** Newest first. */
  listTopologies(filter?: TopologyListFilter): Promise<TopologySummary[]>;
  countTopologies(status?: TopologyStatus): Promise<number>;
  /**
   * Sets the status and appends a status event in one transaction. Does not check legality
   * (see transitionStatus). `expectedFrom`, when given, must equal the current status
   * (TopologyStatusError otherwise), which makes concurrent transitions safe.
   */
  updateTopologyStatus(id: string, to: TopologyStatus, reason?: string | null, expectedFrom?: TopologyStatus): Promise<TopologySummary>;
  /** Sets or clears the resync flag. */
  setNeedsResync(id: string, value: boolean): Promise<void>;
  /** Deletes the topology and every child row; false when it did not exist. */
  deleteTopology(id: string): Promise<boolean>;
  /** Newest first. @default limit 100 */
  listStatusEvents(id: string, limit?: number): Promise<StatusEvent[]>;
  /** Subnets of every LAN of every topology that is not torn_down. */
  reservedSubnets(): Promise<string[]>;
  /** Ids of active or degraded topologies. */
  listLiveTopologyIds(): Promise<string[]>;

  addLan(topologyId: string, lan: NewLan, opts?: WriteOptions): Promise<LanRow>;
  updateLan(topologyId: string, lanId: string, patch: LanPatch, opts?: WriteOptions): Promise<LanRow>;
  /** Removes the LAN and its edges; OrphanedDeckyError when a decky would be left with no LAN. */
  deleteLan(topologyId: string, lanId: string, opts?: WriteOptions): Promise<void>;
  /** In name order. */
  listLans(topologyId: string): Promise<LanRow[]>;

  addDecky(topologyId: string, decky: NewDecky, opts?: WriteOptions): Promise<DeckyRow>;
  updateDecky(topologyId: string, uuid: string, patch: DeckyPatch, opts?: WriteOptions): Promise<DeckyRow>;
  /** Removes the decky and its edges. */
  deleteDecky(topologyId: string, uuid: string, opts?: WriteOptions): Promise<void>;
  /** In name order. */
  listDeckies(topologyId: string): Promise<DeckyRow[]>;

  addEdge(topologyId: string, edge: NewEdge, opts?: WriteOptions): Promise<EdgeRow>;
  deleteEdge(topologyId: string, edgeId: string, opts?: WriteOptions): Promise<void>;
  listEdges(topologyId: string): Promise<EdgeRow[]>;

  /** Queues a mutation (state pending); checks `expectedVersion` when given and always bumps the version. */
  enqueueMutation(topologyId: string, op: MutationOp, payload: Record<string, unknown>, expectedVersion?: number): Promise<MutationRow>;
  /** Atomically moves the oldest pending mutation to `applying` and returns it; null when none. */
  claimNextMutation(topologyId: string): Promise<MutationRow | null>;
  markMutationApplied(mutationId: string): Promise<void>;
  markMutationFailed(mutationId: string, reason: string): Promise<void>;
  /** Oldest first. */
  listMutations(topologyId: string, state?: MutationState): Promise<MutationRow[]>;
  /** True when some active or degraded topology has a pending mutation. */
  hasPendingMutation(): Promise<boolean>;
}
