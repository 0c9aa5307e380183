// Logs and events (reference §1.1): raw decky events, bounties, captured credentials and their
// cross-target reuse, the key/value `state` table and observed e-mail attachments.
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
import { attackers } from './attackers.js';
import { bigIdentity, jsonList, jsonObject, tstz, tstzNow, type JsonValue } from './columns.js';

/** Every event a decky service emitted (one RFC 5424 line each). */
export const logs = pgTable(
  'logs',
  {
    id: bigIdentity(),
    timestamp: tstzNow(),
    decky: text().notNull(),
    service: text().notNull(),
    event_type: text().notNull(),
    attacker_ip: text().notNull(),
    raw_line: text().notNull(),
    /** RFC 5424 structured data as a JSON object. */
    fields: jsonObject(),
    msg: text(),
    trace_id: text(),
    span_id: text(),
    // Deliberate addition: the bus envelope id; unique so a redelivered event inserts nothing.
    event_id: text().unique('uq_logs_event_id'),
    // Deliberate addition: the remote sender (listener: its client certificate's CN), null for
    // events collected on this host. Never taken from the syslog HOSTNAME.
    source_worker: text(),
  },
  (t) => [
    index('ix_logs_timestamp').on(t.timestamp),
    index('ix_logs_decky').on(t.decky),
    index('ix_logs_service').on(t.service),
    index('ix_logs_event_type').on(t.event_type),
    index('ix_logs_attacker_ip').on(t.attacker_ip),
  ],
);

/** Things an attacker gave away (fingerprints, leaked IPs, probe relays). */
export const bounty = pgTable(
  'bounty',
  {
    id: bigIdentity(),
    timestamp: tstzNow(),
    decky: text().notNull(),
    service: text().notNull(),
    attacker_ip: text().notNull(),
    /** e.g. fingerprint, ip_leak, probe_relay */
    bounty_type: text().notNull(),
    payload: jsonObject(),
  },
  (t) => [
    index('ix_bounty_timestamp').on(t.timestamp),
    index('ix_bounty_decky').on(t.decky),
    index('ix_bounty_service').on(t.service),
    index('ix_bounty_attacker_ip').on(t.attacker_ip),
    index('ix_bounty_bounty_type').on(t.bounty_type),
  ],
);

/** Captured secrets, one row per (source, target, secret, principal); repeats bump attempt_count. */
export const credentials = pgTable(
  'credentials',
  {
    id: bigIdentity(),
    attacker_ip: text().notNull(),
    // Back-filled by the profiler once the attacker row exists; deleting the attacker keeps the credential.
    attacker_uuid: uuid().references(() => attackers.uuid, { onDelete: 'set null' }),
    decky_name: text().notNull(),
    service: text().notNull(),
    principal: varchar({ length: 256 }),
    /** `principal` with null mapped to '' so the dedup key treats them as one. */
    principal_key: varchar({ length: 256 }).notNull().default(''),
    /** plaintext, postgres_md5_challenge, vnc_des_response */
    secret_kind: varchar({ length: 32 }).notNull().default('plaintext'),
    secret_sha256: varchar({ length: 64 }).notNull(),
    secret_b64: varchar({ length: 2048 }),
    secret_printable: varchar({ length: 512 }),
    /** success, failure, observed */
    outcome: varchar({ length: 16 }),
    fields: jsonObject(),
    first_seen: tstzNow(),
    last_seen: tstzNow(),
    attempt_count: integer().notNull().default(1),
  },
  (t) => [
    // Upstream's dedup key; the ingester's upsert conflicts on it. Its leading column covers attacker_ip lookups.
    unique('uq_credentials_dedup').on(
      t.attacker_ip,
      t.decky_name,
      t.service,
      t.secret_kind,
      t.secret_sha256,
      t.principal_key,
    ),
    index('ix_credentials_attacker_uuid').on(t.attacker_uuid),
    index('ix_credentials_decky_name').on(t.decky_name),
    index('ix_credentials_service').on(t.service),
    index('ix_credentials_secret_kind').on(t.secret_kind),
    index('ix_credentials_first_seen').on(t.first_seen),
    index('ix_credentials_last_seen').on(t.last_seen),
    // These two also serve single-column lookups on secret_sha256 and principal.
    index('ix_credentials_secret_service').on(t.secret_sha256, t.service),
    index('ix_credentials_principal_service').on(t.principal, t.service),
  ],
);

/** One secret seen against several targets (the reuse correlator's output). */
export const credential_reuse = pgTable(
  'credential_reuse',
  {
    id: uuid().primaryKey().defaultRandom(),
    secret_sha256: varchar({ length: 64 }).notNull(),
    secret_kind: varchar({ length: 32 }).notNull(),
    principal: varchar({ length: 256 }),
    principal_key: varchar({ length: 256 }).notNull().default(''),
    attacker_uuids: jsonList<string>(),
    attacker_ips: jsonList<string>(),
    deckies: jsonList<string>(),
    services: jsonList<string>(),
    /** Distinct (decky, service) pairs the secret was tried against. */
    target_count: integer().notNull().default(0),
    attempt_count: integer().notNull().default(0),
    confidence: doublePrecision().notNull().default(1.0),
    first_seen: tstzNow(),
    last_seen: tstzNow(),
    updated_at: tstzNow(),
  },
  (t) => [
    // Its leading column covers secret_sha256 lookups.
    unique('uq_credential_reuse_secret').on(t.secret_sha256, t.secret_kind, t.principal_key),
    index('ix_credential_reuse_secret_kind').on(t.secret_kind),
    index('ix_credential_reuse_target_count').on(t.target_count),
    index('ix_credential_reuse_first_seen').on(t.first_seen),
    index('ix_credential_reuse_last_seen').on(t.last_seen),
    index('ix_credential_reuse_updated_at').on(t.updated_at),
  ],
);

/** Key/value store (deployment, cursors, limits); values are JSON. */
export const state = pgTable('state', {
  key: text().primaryKey(),
  value: jsonb().$type<JsonValue>().notNull(),
});

/** Attachments seen in captured mail, by content hash. */
export const observed_attachments = pgTable(
  'observed_attachments',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    sha256: varchar({ length: 64 }).notNull().unique('uq_observed_attachments_sha256'),
    first_seen: tstzNow(),
    last_seen: tstzNow(),
    observation_count: integer().notNull().default(1),
    first_seen_decky_uuid: text(),
    first_seen_attacker_uuid: uuid().references(() => attackers.uuid, { onDelete: 'set null' }),
    last_seen_attacker_uuid: uuid().references(() => attackers.uuid, { onDelete: 'set null' }),
    extensions: jsonList<string>(),
    first_subject: text(),
    mal_hash_match: boolean(),
    mal_hash_match_provider: varchar({ length: 64 }),
    mal_hash_match_at: tstz(),
  },
  (t) => [
    index('ix_observed_attachments_first_seen').on(t.first_seen),
    index('ix_observed_attachments_last_seen').on(t.last_seen),
    index('ix_observed_attachments_first_seen_decky_uuid').on(t.first_seen_decky_uuid),
    index('ix_observed_attachments_first_seen_attacker_uuid').on(t.first_seen_attacker_uuid),
    index('ix_observed_attachments_last_seen_attacker_uuid').on(t.last_seen_attacker_uuid),
    index('ix_observed_attachments_mal_hash_match').on(t.mal_hash_match),
  ],
);
