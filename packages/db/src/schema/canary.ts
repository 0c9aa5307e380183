// Canary tokens (reference §1.5): uploaded bait files, the tokens planted on deckies, and every
// callback a token fired.
import { bigint, index, integer, pgTable, text, uuid, varchar } from 'drizzle-orm/pg-core';
import { attackers } from './attackers.js';
import { jsonObject, tstz, tstzNow } from './columns.js';

/** An uploaded bait file, stored once per content hash. */
export const canary_blobs = pgTable(
  'canary_blobs',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    sha256: varchar({ length: 64 }).notNull().unique('uq_canary_blobs_sha256'),
    filename: text().notNull(),
    content_type: text().notNull(),
    size_bytes: bigint({ mode: 'number' }).notNull(),
    /** The uploading user's uuid. */
    uploaded_by: text().notNull(),
    uploaded_at: tstzNow(),
  },
  (t) => [index('ix_canary_blobs_uploaded_by').on(t.uploaded_by)],
);

/** A token planted on a decky; `callback_token` is the secret part of its callback URL or name. */
export const canary_tokens = pgTable(
  'canary_tokens',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    /** http, dns, aws_passive */
    kind: text().notNull(),
    /** Deliberately no foreign key: fleet and topology deckies live in different tables. */
    decky_name: text().notNull(),
    /** Null for a fleet decky; no foreign key so a token outlives its topology's rows. */
    topology_id: uuid(),
    // Restrict: a blob cannot be deleted while a token still references it (upstream checked by hand).
    blob_uuid: uuid().references(() => canary_blobs.uuid, { onDelete: 'restrict' }),
    /** docx, xlsx, pdf, html, image, plain, passthrough */
    instrumenter: text(),
    /** git_config, env_file, ssh_key, aws_creds, honeydoc */
    generator: text(),
    placement_path: text().notNull(),
    callback_token: text().notNull().unique('uq_canary_tokens_callback_token'),
    secret_seed: text().notNull(),
    placed_at: tstzNow(),
    last_triggered_at: tstz(),
    trigger_count: integer().notNull().default(0),
    /** A user uuid, or `system` for baseline tokens. */
    created_by: text().notNull(),
    /** planted, revoked, failed */
    state: text().notNull().default('planted'),
    last_error: text(),
    fingerprint_nonce: varchar({ length: 16 }),
  },
  (t) => [
    index('ix_canary_tokens_kind').on(t.kind),
    // Also covers single-column lookups on decky_name.
    index('ix_canary_tokens_decky_state').on(t.decky_name, t.state),
    index('ix_canary_tokens_topology_id').on(t.topology_id),
    index('ix_canary_tokens_blob_uuid').on(t.blob_uuid),
    index('ix_canary_tokens_last_triggered_at').on(t.last_triggered_at),
    index('ix_canary_tokens_created_by').on(t.created_by),
    index('ix_canary_tokens_state').on(t.state),
  ],
);

/** One callback received for a token. */
export const canary_triggers = pgTable(
  'canary_triggers',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    token_uuid: uuid()
      .notNull()
      .references(() => canary_tokens.uuid, { onDelete: 'cascade' }),
    occurred_at: tstzNow(),
    src_ip: text().notNull(),
    user_agent: text(),
    request_path: text(),
    dns_qname: text(),
    raw_headers: jsonObject(),
    // Back-filled by the correlator once the source is known; deleting the attacker keeps the trigger.
    attacker_id: uuid().references(() => attackers.uuid, { onDelete: 'set null' }),
  },
  (t) => [
    // Also covers single-column lookups on token_uuid.
    index('ix_canary_triggers_token_occurred').on(t.token_uuid, t.occurred_at),
    index('ix_canary_triggers_src_ip').on(t.src_ip),
    index('ix_canary_triggers_attacker_id').on(t.attacker_id),
  ],
);
