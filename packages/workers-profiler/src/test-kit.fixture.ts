// Shared by this package's database tests: a fast way to write synthetic `logs` rows (as the
// ingester would store them); the migrated scratch database is `migratedScratchDatabase` of
// @decnet/db/testing.
import type pg from 'pg';

/** One synthetic log row. */
export interface SyntheticLog {
  at: Date | number;
  ip: string;
  decky?: string;
  service?: string;
  eventType?: string;
  fields?: Record<string, string>;
  msg?: string | null;
}

let seq = 0;

/** Inserts rows in one statement (ids ascending in array order) and returns their ids. */
export async function insertLogs(db: pg.Pool | pg.PoolClient, rows: readonly SyntheticLog[]): Promise<number[]> {
  const r = await db.query<{ id: string }>(
    `INSERT INTO logs (timestamp, decky, service, event_type, attacker_ip, raw_line, fields, msg, event_id)
     SELECT ts, decky, service, event_type, ip, raw, fields, msg, eid
     FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[], $9::text[])
     WITH ORDINALITY AS t(ts, decky, service, event_type, ip, raw, fields, msg, eid, n) ORDER BY n
     RETURNING id::text`,
    [
      rows.map((r) => new Date(r.at)),
      rows.map((r) => r.decky ?? 'decky-01'),
      rows.map((r) => r.service ?? 'ssh'),
      rows.map((r) => r.eventType ?? 'login'),
      rows.map((r) => r.ip),
      rows.map((r) => `<134>1 synthetic ${r.ip}`),
      rows.map((r) => JSON.stringify(r.fields ?? {})),
      rows.map((r) => r.msg ?? null),
      rows.map(() => `synthetic-${process.pid}-${++seq}`),
    ],
  );
  return r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
}

/** Empties every table the profiler reads or writes. */
export async function resetTables(pool: pg.Pool): Promise<void> {
  await pool.query('TRUNCATE logs, bounty, credentials, state, attackers, smtp_targets RESTART IDENTITY CASCADE');
}
