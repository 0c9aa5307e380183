// MITRE ATT&CK tagging (reference §1.4): technique tags anchored to an attacker or identity,
// and the database-backed rule store with per-rule operator overrides.
import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, integer, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { attackers } from './attackers.js';
import { tstz, tstzNow, type JsonValue } from './columns.js';
import { attacker_identities } from './identities.js';

/** One technique observed, by one rule version, from one source (insert-or-ignore on uuid). */
export const ttp_tag = pgTable(
  'ttp_tag',
  {
    /** UUIDv5 over source_kind, source_id, rule_id, rule_version, technique_id, sub_technique_id. */
    uuid: uuid().primaryKey(),
    source_kind: text().notNull(),
    /** Deliberately no foreign key: sources live in several tables (logs, sessions, triggers). */
    source_id: text().notNull(),
    attacker_uuid: uuid().references(() => attackers.uuid, { onDelete: 'cascade' }),
    identity_uuid: uuid().references(() => attacker_identities.uuid, { onDelete: 'cascade' }),
    session_id: text(),
    decky_id: text(),
    tactic: text().notNull(),
    technique_id: text().notNull(),
    sub_technique_id: text(),
    confidence: doublePrecision().notNull(),
    rule_id: text().notNull(),
    rule_version: integer().notNull(),
    evidence: jsonb().$type<JsonValue>().notNull(),
    attack_release: text().notNull(),
    mitre_url: text(),
    created_at: tstzNow(),
  },
  (t) => [
    check('ttp_tag_has_anchor', sql`${t.attacker_uuid} IS NOT NULL OR ${t.identity_uuid} IS NOT NULL`),
    check('ttp_tag_confidence_range', sql`${t.confidence} >= 0 AND ${t.confidence} <= 1`),
    // These three also cover single-column lookups on identity_uuid, attacker_uuid and technique_id.
    index('ix_ttp_tag_identity_technique').on(t.identity_uuid, t.technique_id),
    index('ix_ttp_tag_attacker_technique').on(t.attacker_uuid, t.technique_id),
    index('ix_ttp_tag_technique_created').on(t.technique_id, t.created_at),
    index('ix_ttp_tag_session_id').on(t.session_id),
    index('ix_ttp_tag_decky_id').on(t.decky_id),
    index('ix_ttp_tag_tactic').on(t.tactic),
    index('ix_ttp_tag_sub_technique_id').on(t.sub_technique_id),
    index('ix_ttp_tag_rule_id').on(t.rule_id),
    index('ix_ttp_tag_attack_release').on(t.attack_release),
    index('ix_ttp_tag_created_at').on(t.created_at),
  ],
);

/** A tagging rule stored in the database (YAML source kept verbatim). */
export const ttp_rule = pgTable('ttp_rule', {
  rule_id: text().primaryKey(),
  rule_version: integer().notNull(),
  source_path: text().notNull(),
  yaml_content: text().notNull(),
  updated_at: tstzNow(),
  updated_by: text().notNull(),
});

/** Operator override of a rule; no foreign key because file-based rules have no ttp_rule row. */
export const ttp_rule_state = pgTable('ttp_rule_state', {
  rule_id: text().primaryKey(),
  /** enabled, disabled, clipped */
  state: text().notNull(),
  confidence_max: doublePrecision(),
  expires_at: tstz(),
  reason: text(),
  set_by: text(),
  set_at: tstzNow(),
});
