// Identities, campaigns and attribution (reference §1.3): clusters of attacker IPs believed to be
// one actor, clusters of identities believed to be one campaign, and per-primitive attribution.
import {
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uuid,
} from 'drizzle-orm/pg-core';
import { bytea, tstz, tstzNow, type JsonValue } from './columns.js';

/** A cluster of identities believed to be one campaign; soft-merged by `merged_into_uuid`. */
export const campaigns = pgTable(
  'campaigns',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    schema_version: integer().notNull().default(1),
    first_seen_at: tstz(),
    last_seen_at: tstz(),
    created_at: tstzNow(),
    updated_at: tstzNow(),
    confidence: doublePrecision(),
    identity_count: integer().notNull().default(0),
    ja3_hashes: jsonb().$type<string[]>(),
    hassh_hashes: jsonb().$type<string[]>(),
    tls_cert_sha256: jsonb().$type<string[]>(),
    payload_simhashes: jsonb().$type<string[]>(),
    c2_endpoints: jsonb().$type<string[]>(),
    /** Soft merge: reads follow the chain to the survivor; null revokes the merge. */
    merged_into_uuid: uuid(),
    notes: text(),
  },
  (t) => [
    foreignKey({
      name: 'campaigns_merged_into_uuid_fk',
      columns: [t.merged_into_uuid],
      foreignColumns: [t.uuid],
    }).onDelete('set null'),
    index('ix_campaigns_first_seen_at').on(t.first_seen_at),
    index('ix_campaigns_last_seen_at').on(t.last_seen_at),
    index('ix_campaigns_created_at').on(t.created_at),
    index('ix_campaigns_updated_at').on(t.updated_at),
    index('ix_campaigns_merged_into_uuid').on(t.merged_into_uuid),
  ],
);

/** One actor as far as the clusterer can tell: the union of the fingerprints of its IPs. */
export const attacker_identities = pgTable(
  'attacker_identities',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    schema_version: integer().notNull().default(1),
    campaign_id: uuid().references(() => campaigns.uuid, { onDelete: 'set null' }),
    first_seen_at: tstz(),
    last_seen_at: tstz(),
    created_at: tstzNow(),
    updated_at: tstzNow(),
    confidence: doublePrecision(),
    observation_count: integer().notNull().default(0),
    ja3_hashes: jsonb().$type<string[]>(),
    hassh_hashes: jsonb().$type<string[]>(),
    ja4h_hashes: jsonb().$type<string[]>(),
    ja4_quic_hashes: jsonb().$type<string[]>(),
    http_versions_seen: jsonb().$type<string[]>(),
    tls_cert_sha256: jsonb().$type<string[]>(),
    ipv6_link_local_iids: jsonb().$type<string[]>(),
    payload_simhashes: jsonb().$type<string[]>(),
    c2_endpoints: jsonb().$type<string[]>(),
    /** 64-bit keystroke-digraph simhash (upstream BINARY(8)). */
    kd_digraph_simhash: bytea(),
    /** Soft merge: reads follow the chain to the survivor. */
    merged_into_uuid: uuid(),
    notes: text(),
  },
  (t) => [
    foreignKey({
      name: 'attacker_identities_merged_into_uuid_fk',
      columns: [t.merged_into_uuid],
      foreignColumns: [t.uuid],
    }).onDelete('set null'),
    index('ix_attacker_identities_campaign_id').on(t.campaign_id),
    index('ix_attacker_identities_first_seen_at').on(t.first_seen_at),
    index('ix_attacker_identities_last_seen_at').on(t.last_seen_at),
    index('ix_attacker_identities_created_at').on(t.created_at),
    index('ix_attacker_identities_updated_at').on(t.updated_at),
    index('ix_attacker_identities_kd_digraph_simhash').on(t.kd_digraph_simhash),
    index('ix_attacker_identities_merged_into_uuid').on(t.merged_into_uuid),
  ],
);

/** Attribution engine state per (identity, primitive). */
export const attribution_state = pgTable(
  'attribution_state',
  {
    identity_uuid: uuid()
      .notNull()
      .references(() => attacker_identities.uuid, { onDelete: 'cascade' }),
    primitive: text().notNull(),
    current_value: jsonb().$type<JsonValue>().notNull(),
    state: text().notNull(),
    confidence: doublePrecision().notNull(),
    observation_count: integer().notNull().default(0),
    /** Epoch seconds. */
    last_change_ts: doublePrecision().notNull(),
    /** Epoch seconds. */
    last_observation_ts: doublePrecision().notNull(),
    schema_version: integer().notNull().default(1),
    updated_at: tstzNow(),
  },
  (t) => [
    // The key's leading column covers identity_uuid lookups.
    primaryKey({ name: 'attribution_state_pkey', columns: [t.identity_uuid, t.primitive] }),
    index('ix_attribution_state_identity_state').on(t.identity_uuid, t.state),
    index('ix_attribution_state_last_change_ts').on(t.last_change_ts),
    index('ix_attribution_state_state').on(t.state),
  ],
);
