// Auth (reference §1.9): operator accounts and revoked session tokens.
import { boolean, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { tstz, tstzNow } from './columns.js';

/** An operator account. */
export const users = pgTable('users', {
  uuid: uuid().primaryKey().defaultRandom(),
  username: text().notNull().unique('uq_users_username'),
  /** bcrypt */
  password_hash: text().notNull(),
  /** admin, viewer */
  role: text().notNull().default('viewer'),
  must_change_password: boolean().notNull().default(false),
  /** Tokens issued before this instant are rejected (bulk revocation). */
  tokens_valid_from: tstz(),
});

/** A revoked token id; expired rows are pruned on insert. */
export const revoked_tokens = pgTable(
  'revoked_tokens',
  {
    jti: text().primaryKey(),
    /** No foreign key: a revocation outlives the account, as upstream. */
    user_uuid: uuid().notNull(),
    expires_at: tstz().notNull(),
    revoked_at: tstzNow(),
  },
  (t) => [index('ix_revoked_tokens_user_uuid').on(t.user_uuid), index('ix_revoked_tokens_expires_at').on(t.expires_at)],
);
