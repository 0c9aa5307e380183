// Column builders shared by every schema file, so each Postgres adaptation of an upstream type
// (naive DATETIME -> timestamptz, JSON strings -> jsonb, BINARY(8) -> bytea) is decided once.
import { sql } from 'drizzle-orm';
import { bigint, customType, jsonb, timestamp } from 'drizzle-orm/pg-core';

/** A JSON value as stored in a jsonb column. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object as stored in a jsonb column. */
export type JsonObject = { [key: string]: JsonValue };

/** A timestamptz column read as a `Date` (upstream stored naive UTC DATETIMEs). */
export const tstz = (): ReturnType<typeof timestampTz> => timestampTz();
function timestampTz() {
  return timestamp({ withTimezone: true, mode: 'date' });
}

/** A non-null timestamptz that defaults to the insert time. */
export const tstzNow = (): ReturnType<typeof timestampTzNow> => timestampTzNow();
function timestampTzNow() {
  return timestamp({ withTimezone: true, mode: 'date' }).notNull().defaultNow();
}

/** A non-null jsonb list that defaults to `[]` (upstream: a JSON list serialised into TEXT). */
export const jsonList = <T extends JsonValue = JsonValue>(): ReturnType<typeof jsonListOf<T>> => jsonListOf<T>();
function jsonListOf<T extends JsonValue>() {
  return jsonb()
    .$type<T[]>()
    .notNull()
    .default(sql`'[]'::jsonb`);
}

/** A non-null jsonb object that defaults to `{}` (upstream: a JSON object serialised into TEXT). */
export const jsonObject = <T extends JsonObject = JsonObject>(): ReturnType<typeof jsonObjectOf<T>> =>
  jsonObjectOf<T>();
function jsonObjectOf<T extends JsonObject>() {
  return jsonb()
    .$type<T>()
    .notNull()
    .default(sql`'{}'::jsonb`);
}

/** An auto-incrementing bigint primary key (identity; explicit ids still allowed for imports). */
export const bigIdentity = (): ReturnType<typeof bigIdentityColumn> => bigIdentityColumn();
function bigIdentityColumn() {
  return bigint({ mode: 'number' }).primaryKey().generatedByDefaultAsIdentity();
}

/** Raw bytes (`bytea`), read and written as a Buffer; upstream used BINARY(8). */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'bytea',
});
