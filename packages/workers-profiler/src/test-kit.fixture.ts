// Shared by this package's database tests: a fast way to write synthetic `logs` rows (as the
// ingester would store them); the migrated scratch database is `migratedScratchDatabase` of
// @decnet/db/testing.
import { attackers, bounty, credentials, insertLogRows, logs, smtp_targets, state, type Queryable } from '@decnet/db';
import { truncateTables } from '@decnet/db/testing';

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
export async function insertLogs(db: Queryable, rows: readonly SyntheticLog[]): Promise<number[]> {
  const ids = await insertLogRows(
    db,
    rows.map((r) => ({
      timestamp: new Date(r.at),
      decky: r.decky ?? 'decky-01',
      service: r.service ?? 'ssh',
      event_type: r.eventType ?? 'login',
      attacker_ip: r.ip,
      raw_line: `<134>1 synthetic ${r.ip}`,
      fields: r.fields ?? {},
      msg: r.msg ?? null,
      event_id: `synthetic-${process.pid}-${++seq}`,
      source_worker: null,
    })),
  );
  return [...ids.values()].map(Number).sort((a, b) => a - b);
}

/** Empties every table the profiler reads or writes. */
export async function resetTables(database: Parameters<typeof truncateTables>[0]): Promise<void> {
  await truncateTables(database, [logs, bounty, credentials, state, attackers, smtp_targets]);
}
