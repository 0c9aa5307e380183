// Orchestrator and realism (reference §1.10): synthetic traffic and mail between deckies, the
// files it plants and edits, and its tunables.
import { boolean, index, integer, pgTable, text, unique, uuid, varchar } from 'drizzle-orm/pg-core';
import { jsonObject, tstzNow } from './columns.js';

/** One synthetic action between deckies; pruned to 10000 per destination. */
export const orchestrator_events = pgTable(
  'orchestrator_events',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    ts: tstzNow(),
    /** traffic, file */
    kind: varchar({ length: 16 }).notNull(),
    protocol: varchar({ length: 16 }).notNull(),
    /** e.g. `exec:uptime` */
    action: varchar({ length: 64 }).notNull(),
    src_decky_uuid: text(),
    dst_decky_uuid: text().notNull(),
    success: boolean().notNull().default(false),
    payload: jsonObject(),
  },
  (t) => [
    index('ix_orchestrator_events_ts').on(t.ts),
    index('ix_orchestrator_events_kind').on(t.kind),
    index('ix_orchestrator_events_protocol').on(t.protocol),
    index('ix_orchestrator_events_src_decky_uuid').on(t.src_decky_uuid),
    // Also covers single-column lookups on dst_decky_uuid.
    index('ix_orchestrator_events_dst_ts').on(t.dst_decky_uuid, t.ts),
    index('ix_orchestrator_events_success').on(t.success),
  ],
);

/** One synthetic e-mail delivered to a mail decky. */
export const orchestrator_emails = pgTable(
  'orchestrator_emails',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    ts: tstzNow(),
    mail_decky_uuid: text().notNull(),
    thread_id: text().notNull(),
    message_id: varchar({ length: 255 }).notNull(),
    in_reply_to: varchar({ length: 255 }),
    sender_email: varchar({ length: 255 }).notNull(),
    recipient_email: varchar({ length: 255 }).notNull(),
    subject: varchar({ length: 512 }).notNull(),
    language: varchar({ length: 8 }).notNull().default('en'),
    eml_path: varchar({ length: 1024 }).notNull(),
    success: boolean().notNull().default(false),
    payload: jsonObject(),
  },
  (t) => [
    index('ix_orchestrator_emails_ts').on(t.ts),
    // Also covers single-column lookups on mail_decky_uuid.
    index('ix_orchestrator_emails_mail_ts').on(t.mail_decky_uuid, t.ts),
    // One index for thread reads in order; upstream had two on thread_id.
    index('ix_orchestrator_emails_thread').on(t.thread_id, t.ts),
    index('ix_orchestrator_emails_sender_email').on(t.sender_email),
    index('ix_orchestrator_emails_recipient_email').on(t.recipient_email),
    index('ix_orchestrator_emails_success').on(t.success),
  ],
);

/** A file the orchestrator planted on a decky and keeps editing. */
export const synthetic_files = pgTable(
  'synthetic_files',
  {
    uuid: uuid().primaryKey().defaultRandom(),
    decky_uuid: varchar({ length: 64 }).notNull(),
    path: varchar({ length: 512 }).notNull(),
    persona: varchar({ length: 128 }).notNull(),
    content_class: varchar({ length: 32 }).notNull(),
    created_at: tstzNow(),
    last_modified: tstzNow(),
    edit_count: integer().notNull().default(0),
    content_hash: varchar({ length: 64 }).notNull(),
    last_body: text().notNull().default(''),
  },
  (t) => [
    // Its leading column covers decky_uuid lookups.
    unique('uq_synthetic_files_decky_path').on(t.decky_uuid, t.path),
    index('ix_synthetic_files_decky_modified').on(t.decky_uuid, t.last_modified),
    index('ix_synthetic_files_content_class').on(t.content_class),
    index('ix_synthetic_files_created_at').on(t.created_at),
  ],
);

/** Realism tunables by key (e.g. `weights`); last write wins. */
export const realism_config = pgTable('realism_config', {
  uuid: uuid().primaryKey().defaultRandom(),
  key: varchar({ length: 64 }).notNull().unique('uq_realism_config_key'),
  value: jsonObject(),
  updated_at: tstzNow(),
});
