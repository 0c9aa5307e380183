// MazeNET topologies (reference §1.7, §4): a DAG of bridge LANs joined by multi-homed deckies,
// its status history and the queue of live mutations. Children cascade with their topology,
// which is what upstream's hand-written delete_topology_cascade did.
import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  unique,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';
import { jsonList, jsonObject, tstz, tstzNow, type JsonObject } from './columns.js';
import { swarm_hosts } from './fleet.js';

/** A generated topology; `version` is the optimistic-lock token. */
export const topologies = pgTable(
  'topologies',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull().unique('uq_topologies_name'),
    /** unihost, agent */
    mode: varchar({ length: 16 }).notNull().default('unihost'),
    // Restrict: a host cannot be removed while a topology is deployed on it.
    target_host_uuid: uuid().references(() => swarm_hosts.uuid, { onDelete: 'restrict' }),
    /** The TopologyConfig, seed included. */
    config_snapshot: jsonObject(),
    status: varchar({ length: 32 }).notNull().default('pending'),
    status_changed_at: tstzNow(),
    created_at: tstzNow(),
    version: integer().notNull().default(1),
    needs_resync: boolean().notNull().default(false),
    email_personas: jsonList(),
    language_default: varchar({ length: 8 }).notNull().default('en'),
  },
  (t) => [
    index('ix_topologies_target_host_uuid').on(t.target_host_uuid),
    index('ix_topologies_status').on(t.status),
    index('ix_topologies_created_at').on(t.created_at),
  ],
);

/** A LAN (one Docker bridge network) of a topology. */
export const lans = pgTable(
  'lans',
  {
    id: uuid().primaryKey().defaultRandom(),
    topology_id: uuid()
      .notNull()
      .references(() => topologies.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    docker_network_id: text(),
    subnet: text().notNull(),
    is_dmz: boolean().notNull().default(false),
    x: doublePrecision(),
    y: doublePrecision(),
  },
  // Its leading column covers topology_id lookups.
  (t) => [unique('uq_lan_topology_name').on(t.topology_id, t.name)],
);

/** A decky of a topology; `ip` is its home-LAN address. */
export const topology_deckies = pgTable(
  'topology_deckies',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    topology_id: uuid()
      .notNull()
      .references(() => topologies.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    services: jsonList<string>(),
    decky_config: jsonb().$type<JsonObject>(),
    ip: text(),
    /** pending, running, failed, torn_down, degraded, tearing_down, teardown_failed */
    state: varchar({ length: 32 }).notNull().default('pending'),
    last_error: text(),
    compose_hash: text(),
    last_seen: tstz(),
    updated_at: tstzNow(),
    x: doublePrecision(),
    y: doublePrecision(),
  },
  (t) => [
    // Its leading column covers topology_id lookups.
    unique('uq_topology_decky_name').on(t.topology_id, t.name),
    index('ix_topology_deckies_state').on(t.state),
  ],
);

/** A decky's attachment to a LAN; a bridge decky has several. */
export const topology_edges = pgTable(
  'topology_edges',
  {
    id: uuid().primaryKey().defaultRandom(),
    topology_id: uuid()
      .notNull()
      .references(() => topologies.id, { onDelete: 'cascade' }),
    decky_uuid: uuid()
      .notNull()
      .references(() => topology_deckies.uuid, { onDelete: 'cascade' }),
    lan_id: uuid()
      .notNull()
      .references(() => lans.id, { onDelete: 'cascade' }),
    is_bridge: boolean().notNull().default(false),
    forwards_l3: boolean().notNull().default(false),
  },
  (t) => [
    // Added: upstream allowed the same decky on the same LAN twice. Leading column covers decky_uuid lookups.
    unique('uq_topology_edges_decky_lan').on(t.decky_uuid, t.lan_id),
    index('ix_topology_edges_topology_id').on(t.topology_id),
    index('ix_topology_edges_lan_id').on(t.lan_id),
  ],
);

/** Append-only audit log of topology status changes. */
export const topology_status_events = pgTable(
  'topology_status_events',
  {
    id: uuid().primaryKey().defaultRandom(),
    topology_id: uuid()
      .notNull()
      .references(() => topologies.id, { onDelete: 'cascade' }),
    from_status: text().notNull(),
    to_status: text().notNull(),
    at: tstzNow(),
    reason: text(),
  },
  (t) => [
    index('ix_topology_status_events_topology_id').on(t.topology_id),
    index('ix_topology_status_events_at').on(t.at),
  ],
);

/** Queue of changes to a live topology, claimed one at a time by the mutator. */
export const topology_mutations = pgTable(
  'topology_mutations',
  {
    id: uuid().primaryKey().defaultRandom(),
    topology_id: uuid()
      .notNull()
      .references(() => topologies.id, { onDelete: 'cascade' }),
    /** add_lan, remove_lan, add_decky, attach_decky, detach_decky, remove_decky, update_decky, update_lan */
    op: varchar({ length: 32 }).notNull(),
    payload: jsonObject(),
    /** pending, applying, applied, failed */
    state: varchar({ length: 32 }).notNull().default('pending'),
    requested_at: tstzNow(),
    applied_at: tstz(),
    reason: text(),
  },
  (t) => [
    index('ix_topology_mutations_topology_id').on(t.topology_id),
    index('ix_topology_mutations_op').on(t.op),
    // Also covers single-column lookups on state.
    index('ix_topology_mutations_state_topology').on(t.state, t.topology_id),
    index('ix_topology_mutations_requested_at').on(t.requested_at),
  ],
);
