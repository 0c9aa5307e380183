// Attackers (reference §1.2): one row per observed source IP (not per actor), with its
// behaviour profile, fingerprint rotation state, SMTP targets, threat intel and observations.
import {
  bigint,
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
import { bigIdentity, jsonList, jsonObject, tstz, tstzNow, type JsonValue } from './columns.js';
import { attacker_identities } from './identities.js';

/** One observed source IP and everything aggregated about it. */
export const attackers = pgTable(
  'attackers',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    // Added: upstream upserted by ip without a unique key, so concurrent profilers could mint two rows.
    ip: text().notNull().unique('uq_attackers_ip'),
    identity_id: uuid().references(() => attacker_identities.uuid, { onDelete: 'set null' }),
    first_seen: tstzNow(),
    last_seen: tstzNow(),
    event_count: integer().notNull().default(0),
    service_count: integer().notNull().default(0),
    decky_count: integer().notNull().default(0),
    services: jsonList<string>(),
    /** Deckies in first-contact order. */
    deckies: jsonList<string>(),
    /** e.g. "decky-01 → decky-03" */
    traversal_path: text(),
    is_traversal: boolean().notNull().default(false),
    bounty_count: integer().notNull().default(0),
    credential_count: integer().notNull().default(0),
    fingerprints: jsonList(),
    commands: jsonList(),
    country_code: varchar({ length: 2 }),
    country_source: varchar({ length: 16 }),
    // bigint: 4-byte AS numbers reach 4294967295, past int4.
    asn: bigint({ mode: 'number' }),
    as_name: varchar({ length: 128 }),
    bgp_prefix: varchar({ length: 43 }),
    asn_source: varchar({ length: 16 }),
    /** valid, invalid, not-found, unknown */
    rpki_status: varchar({ length: 16 }),
    rpki_source: varchar({ length: 16 }),
    ptr_record: varchar({ length: 256 }),
    rotation_count: integer().notNull().default(0),
    last_rotation_at: tstz(),
    ipv6_leak_count: integer().notNull().default(0),
    last_ipv6_leak_at: tstz(),
    last_ipv6_link_local: varchar({ length: 45 }),
    last_ipv6_iid_kind: varchar({ length: 16 }),
    last_ipv6_mac_oui: varchar({ length: 8 }),
    updated_at: tstzNow(),
  },
  (t) => [
    index('ix_attackers_identity_id').on(t.identity_id),
    index('ix_attackers_first_seen').on(t.first_seen),
    index('ix_attackers_last_seen').on(t.last_seen),
    index('ix_attackers_country_code').on(t.country_code),
    index('ix_attackers_asn').on(t.asn),
    index('ix_attackers_bgp_prefix').on(t.bgp_prefix),
    index('ix_attackers_last_rotation_at').on(t.last_rotation_at),
    index('ix_attackers_last_ipv6_leak_at').on(t.last_ipv6_leak_at),
    index('ix_attackers_updated_at').on(t.updated_at),
  ],
);

/** Behaviour profile, 1:1 with an attacker. */
export const attacker_behavior = pgTable(
  'attacker_behavior',
  {
    attacker_uuid: uuid()
      .primaryKey()
      .references(() => attackers.uuid, { onDelete: 'cascade' }),
    os_guess: text(),
    hop_distance: integer(),
    tcp_fingerprint: jsonObject(),
    kex_order_raw: text(),
    ssh_client_banners: text(),
    retransmit_count: integer().notNull().default(0),
    /** beaconing, interactive, scanning, brute_force, slow_scan, mixed, unknown */
    behavior_class: text(),
    beacon_interval_s: doublePrecision(),
    beacon_jitter_pct: doublePrecision(),
    tool_guesses: jsonb().$type<JsonValue>(),
    timing_stats: jsonObject(),
    phase_sequence: jsonObject(),
    /**
     * The profiler's private incremental state (timing accumulator, first contacts, phase
     * bounds), so a batch folds into a profile without re-reading history. Not for display;
     * null until profiled, and any value the profiler cannot read is rebuilt from `logs`.
     */
    profile_state: jsonb().$type<JsonValue>(),
    updated_at: tstzNow(),
  },
  (t) => [index('ix_attacker_behavior_updated_at').on(t.updated_at)],
);

/** Last fingerprint hash per (attacker, port, probe type), for rotation detection. */
export const attacker_fingerprint_state = pgTable(
  'attacker_fingerprint_state',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    attacker_uuid: uuid()
      .notNull()
      .references(() => attackers.uuid, { onDelete: 'cascade' }),
    port: integer().notNull(),
    /** jarm, hassh, tcpfp */
    probe_type: varchar({ length: 16 }).notNull(),
    last_hash: varchar({ length: 128 }).notNull(),
    last_seen: tstzNow(),
    rotation_count: integer().notNull().default(0),
  },
  (t) => [
    // Its leading column covers attacker_uuid lookups.
    unique('uq_attacker_fingerprint_state').on(t.attacker_uuid, t.port, t.probe_type),
    index('ix_attacker_fingerprint_state_last_seen').on(t.last_seen),
  ],
);

/** Mail domains an attacker tried to relay to. */
export const smtp_targets = pgTable(
  'smtp_targets',
  {
    id: bigIdentity(),
    attacker_uuid: uuid()
      .notNull()
      .references(() => attackers.uuid, { onDelete: 'cascade' }),
    domain: text().notNull(),
    first_seen: tstzNow(),
    last_seen: tstzNow(),
    count: integer().notNull().default(1),
  },
  (t) => [
    // Its leading column covers attacker_uuid lookups.
    unique('uq_smtp_targets_attacker_domain').on(t.attacker_uuid, t.domain),
    index('ix_smtp_targets_domain').on(t.domain),
    index('ix_smtp_targets_last_seen').on(t.last_seen),
  ],
);

/** Cached third-party threat intel for an attacker (GreyNoise, AbuseIPDB, Feodo, ThreatFox). */
export const attacker_intel = pgTable(
  'attacker_intel',
  {
    /** Hex uuid4 without dashes, as upstream. */
    uuid: text().primaryKey(),
    attacker_uuid: uuid()
      .notNull()
      .unique('uq_attacker_intel_attacker_uuid')
      .references(() => attackers.uuid, { onDelete: 'cascade' }),
    attacker_ip: text().notNull(),
    schema_version: integer().notNull().default(1),
    greynoise_classification: varchar({ length: 32 }),
    greynoise_name: varchar({ length: 128 }),
    greynoise_tags: jsonList<string>(),
    greynoise_raw: jsonObject(),
    greynoise_queried_at: tstz(),
    abuseipdb_score: integer(),
    abuseipdb_categories: jsonList(),
    abuseipdb_raw: jsonObject(),
    abuseipdb_queried_at: tstz(),
    feodo_listed: boolean(),
    feodo_malware_family: varchar({ length: 64 }),
    feodo_raw: jsonObject(),
    feodo_queried_at: tstz(),
    threatfox_listed: boolean(),
    threatfox_threat_types: jsonList<string>(),
    threatfox_ioc_types: jsonList<string>(),
    threatfox_malware_families: jsonList<string>(),
    threatfox_raw: jsonObject(),
    threatfox_queried_at: tstz(),
    aggregate_verdict: varchar({ length: 32 }),
    cached_at: tstzNow(),
    /** End of the cache entry's time-to-live. */
    expires_at: tstz().notNull(),
  },
  (t) => [
    index('ix_attacker_intel_attacker_ip').on(t.attacker_ip),
    index('ix_attacker_intel_aggregate_verdict').on(t.aggregate_verdict),
    index('ix_attacker_intel_cached_at').on(t.cached_at),
    index('ix_attacker_intel_expires_at').on(t.expires_at),
  ],
);

/** BEHAVE observations: one primitive measured over a window, with its evidence reference. */
export const observations = pgTable(
  'observations',
  {
    /** Hex uuid4 without dashes, as upstream. */
    id: text().primaryKey(),
    identity_ref: text(),
    primitive: text().notNull(),
    value: jsonb().$type<JsonValue>().notNull(),
    confidence: doublePrecision().notNull(),
    window_start_ts: doublePrecision().notNull(),
    window_end_ts: doublePrecision().notNull(),
    source: text().notNull(),
    /** `shard:{decky}/{service}/{date}.jsonl#sid` */
    evidence_ref: text().notNull(),
    envelope_v: integer().notNull(),
    /** Epoch seconds. */
    ts: doublePrecision().notNull(),
    attacker_uuid: uuid()
      .notNull()
      .references(() => attackers.uuid, { onDelete: 'cascade' }),
  },
  (t) => [
    unique('uq_observations_evidence_primitive').on(t.evidence_ref, t.primitive),
    index('ix_observations_ts').on(t.ts),
    // These two also cover single-column lookups on attacker_uuid and primitive.
    index('ix_observations_attacker_primitive_ts').on(t.attacker_uuid, t.primitive, t.ts),
    index('ix_observations_primitive_ts').on(t.primitive, t.ts),
  ],
);
