// The MazeNET topology data model as stored and exchanged: status and state vocabularies, and
// the hydrated shape (topology + LANs + deckies + edges). Keys are snake_case on purpose: this
// is the wire format upstream agents hash (see hash.ts), so field names must match theirs.

/** Lifecycle of a whole topology (see status.ts for the transition table). */
export const TOPOLOGY_STATUSES = ['pending', 'deploying', 'active', 'degraded', 'failed', 'tearing_down', 'torn_down'] as const;

/** One of {@link TOPOLOGY_STATUSES}. */
export type TopologyStatus = (typeof TOPOLOGY_STATUSES)[number];

/** Lifecycle of one topology decky. */
export const DECKY_STATES = ['pending', 'running', 'failed', 'torn_down', 'degraded', 'tearing_down', 'teardown_failed'] as const;

/** One of {@link DECKY_STATES}. */
export type DeckyState = (typeof DECKY_STATES)[number];

/** Edits a live topology accepts through its mutation queue. */
export const MUTATION_OPS = ['add_lan', 'remove_lan', 'add_decky', 'attach_decky', 'detach_decky', 'remove_decky', 'update_decky', 'update_lan'] as const;

/** One of {@link MUTATION_OPS}. */
export type MutationOp = (typeof MUTATION_OPS)[number];

/** States of a queued mutation. */
export const MUTATION_STATES = ['pending', 'applying', 'applied', 'failed'] as const;

/** One of {@link MUTATION_STATES}. */
export type MutationState = (typeof MUTATION_STATES)[number];

/** Where a topology runs: on this host, or pushed to an enrolled agent. */
export type TopologyMode = 'unihost' | 'agent';

/** A stored topology without its children. Datetimes are ISO-8601 strings. */
export interface TopologySummary {
  id: string;
  name: string;
  mode: TopologyMode;
  target_host_uuid: string | null;
  /** The generation config (including the seed), as given to the generator. */
  config_snapshot: Record<string, unknown>;
  status: TopologyStatus;
  status_changed_at: string;
  created_at: string;
  /** Optimistic-lock token: starts at 1, +1 on every checked write. */
  version: number;
  needs_resync: boolean;
}

/** One LAN (a Docker bridge network). */
export interface LanRow {
  id: string;
  topology_id: string;
  name: string;
  docker_network_id: string | null;
  subnet: string;
  is_dmz: boolean;
  x: number | null;
  y: number | null;
}

/** What a topology decky runs and where it sits. Unknown keys are kept as given. */
export interface DeckyConfig {
  name: string;
  services: string[];
  /** LAN name → IPv4 address, home LAN first. */
  ips_by_lan: Record<string, string>;
  /** True for a bridge decky that routes between its LANs. */
  forwards_l3: boolean;
  /** Service slug → that service's config. */
  service_config: Record<string, Record<string, unknown>>;
  [extra: string]: unknown;
}

/** One topology decky. */
export interface DeckyRow {
  uuid: string;
  topology_id: string;
  name: string;
  services: string[];
  decky_config: DeckyConfig;
  /** The home (first) address. */
  ip: string | null;
  state: DeckyState;
  last_error: string | null;
  compose_hash: string | null;
  last_seen: string | null;
  updated_at: string;
  x: number | null;
  y: number | null;
}

/** One attachment of a decky to a LAN. */
export interface EdgeRow {
  id: string;
  topology_id: string;
  decky_uuid: string;
  lan_id: string;
  is_bridge: boolean;
  forwards_l3: boolean;
}

/** A topology with all its children, as deploy, validation, rendering and hashing read it. */
export interface HydratedTopology {
  topology: TopologySummary;
  lans: LanRow[];
  deckies: DeckyRow[];
  edges: EdgeRow[];
}

/** One entry of the append-only status log. */
export interface StatusEvent {
  id: string;
  topology_id: string;
  from_status: string;
  to_status: string;
  at: string;
  reason: string | null;
}

/** One queued edit of a live topology. */
export interface MutationRow {
  id: string;
  topology_id: string;
  op: MutationOp;
  payload: Record<string, unknown>;
  state: MutationState;
  requested_at: string;
  applied_at: string | null;
  reason: string | null;
}
