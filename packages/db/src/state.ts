// The `state` key/value table: small JSON documents such as worker cursors and the deployment,
// read and written through drizzle, or on a transaction's connection where a cursor moves with its rows.
import { eq, sql } from 'drizzle-orm';
import type { DecnetDb } from './connection.js';
import type { Queryable } from './transaction.js';
import { state, type JsonValue } from './schema/index.js';

/**
 * Reads the JSON value stored under `key`; `undefined` when the key is absent (a stored JSON
 * `null` reads as `null`). The value is not validated: parse it with a schema before trusting it.
 */
export async function getState(db: DecnetDb, key: string): Promise<JsonValue | undefined> {
  const rows = await db.select({ value: state.value }).from(state).where(eq(state.key, key)).limit(1);
  return rows[0]?.value;
}

/** Stores `value` under `key`, replacing any previous value (one upsert statement). */
export async function setState(db: DecnetDb, key: string, value: JsonValue): Promise<void> {
  // drizzle would send a bare null as SQL NULL; JSON null must be the jsonb literal.
  const stored = value === null ? sql`'null'::jsonb` : value;
  await db
    .insert(state)
    .values({ key, value: stored })
    .onConflictDoUpdate({ target: state.key, set: { value: stored } });
}

/**
 * Reads `key` inside a transaction, storing `initial` first when the key is absent (a concurrent
 * creator wins; its value is read). The value is not validated: parse it before trusting it.
 */
export async function readOrInitState(tx: Queryable, key: string, initial: JsonValue): Promise<unknown> {
  await tx.query('INSERT INTO state (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO NOTHING', [key, JSON.stringify(initial)]);
  const r = await tx.query<{ value: unknown }>('SELECT value FROM state WHERE key = $1', [key]);
  return r.rows[0]?.value;
}

/** Replaces the value of an existing `key` (no row is created; see {@link readOrInitState}). */
export async function updateState(tx: Queryable, key: string, value: JsonValue): Promise<void> {
  await tx.query('UPDATE state SET value = $2 WHERE key = $1', [key, JSON.stringify(value)]);
}
