// The `state` key/value table: small JSON documents such as worker cursors and the deployment.
import { eq, sql } from 'drizzle-orm';
import type { DecnetDb } from './connection.js';
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
