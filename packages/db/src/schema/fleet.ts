// Fleet, swarm, lifecycle and tarpit (reference §1.8): deckies of the fleet deploy model, remote
// swarm hosts and their shards, the deploy/mutate lifecycle log and per-decky tarpit rules.
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { jsonList, tstz, tstzNow, type JsonObject } from './columns.js';

/** A fleet decky; `host_uuid` is a swarm host uuid or the sentinel `local`, so it has no foreign key. */
export const fleet_deckies = pgTable(
  'fleet_deckies',
  {
    host_uuid: text().notNull().default('local'),
    name: text().notNull(),
    services: jsonList<string>(),
    /** A full DeckyConfig dump. */
    decky_config: jsonb().$type<JsonObject>(),
    decky_ip: text(),
    state: text().notNull().default('pending'),
    last_error: text(),
    compose_hash: text(),
    last_seen: tstz(),
    updated_at: tstzNow(),
  },
  (t) => [
    // The key's leading column covers host_uuid lookups.
    primaryKey({ name: 'fleet_deckies_pkey', columns: [t.host_uuid, t.name] }),
    index('ix_fleet_deckies_state').on(t.state),
  ],
);

/** An enrolled remote host running a decnet agent. */
export const swarm_hosts = pgTable(
  'swarm_hosts',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    name: text().notNull().unique('uq_swarm_hosts_name'),
    address: text().notNull(),
    agent_port: integer().notNull().default(8765),
    status: text().notNull().default('enrolled'),
    last_heartbeat: tstz(),
    client_cert_fingerprint: text().notNull(),
    updater_cert_fingerprint: text(),
    cert_bundle_path: text().notNull(),
    enrolled_at: tstzNow(),
    notes: text(),
    use_ipvlan: boolean().notNull().default(false),
  },
  (t) => [index('ix_swarm_hosts_status').on(t.status)],
);

/** A decky placed on a swarm host; removed with its host. */
export const decky_shards = pgTable(
  'decky_shards',
  {
    decky_name: text().primaryKey(),
    host_uuid: uuid()
      .notNull()
      .references(() => swarm_hosts.uuid, { onDelete: 'cascade' }),
    services: jsonList<string>(),
    decky_config: jsonb().$type<JsonObject>(),
    decky_ip: text(),
    state: text().notNull().default('pending'),
    last_error: text(),
    compose_hash: text(),
    last_seen: tstz(),
    updated_at: tstzNow(),
  },
  (t) => [index('ix_decky_shards_host_uuid').on(t.host_uuid), index('ix_decky_shards_state').on(t.state)],
);

/** One deploy or mutate operation on a decky: pending -> running -> succeeded | failed. */
export const decky_lifecycle = pgTable(
  'decky_lifecycle',
  {
    id: uuid().primaryKey().defaultRandom(),
    decky_name: text().notNull(),
    /** A swarm host uuid or `local`; no foreign key, as for fleet_deckies. */
    host_uuid: text(),
    /** deploy, mutate */
    operation: text().notNull(),
    status: text().notNull().default('pending'),
    error: text(),
    started_at: tstzNow(),
    updated_at: tstzNow(),
    completed_at: tstz(),
  },
  (t) => [
    index('ix_decky_lifecycle_decky_name').on(t.decky_name),
    index('ix_decky_lifecycle_host_uuid').on(t.host_uuid),
    index('ix_decky_lifecycle_operation').on(t.operation),
    index('ix_decky_lifecycle_status').on(t.status),
  ],
);

/** Connection slow-down for one decky (one rule per decky, upserted). */
export const tarpit_rules = pgTable('tarpit_rules', {
  id: uuid().primaryKey().defaultRandom(),
  decky_name: text().notNull().unique('uq_tarpit_rules_decky_name'),
  ports: jsonb().$type<number[]>().notNull(),
  delay_ms: integer().notNull(),
  created_at: tstzNow(),
  created_by: text().notNull(),
});
