// Shared by this package's database tests: a migrated scratch database and event builders.
import { silentLogger } from '@decnet/core';
import { migrate, openDatabase, type Database } from '@decnet/db';
import { testConfig } from '@decnet/core/testing';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import type { IngestEvent } from './payload.js';

/** A fresh database with the decnet schema, and a pool on it. */
export async function migratedDatabase(): Promise<{ scratch: ScratchDatabase; database: Database }> {
  const scratch = await createScratchDatabase();
  const database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 4 });
  await migrate(database.db, silentLogger);
  return { scratch, database };
}

/** An event as the ingester normalises it. */
export function ingestEvent(eventId: string, over: Partial<IngestEvent> = {}): IngestEvent {
  return {
    eventId,
    at: new Date('2026-05-02T06:00:25Z'),
    decky: 'decky-01',
    service: 'ssh',
    eventType: 'login',
    attackerIp: '198.51.100.7',
    rawLine: `<134>1 2026-05-02T06:00:25Z decky-01 ssh - login [relay@55555 n="${eventId}"]`,
    fields: { n: eventId },
    msg: null,
    sourceWorker: null,
    ...over,
  };
}

/** An auth attempt carrying the universal credential shape. */
export function authEvent(eventId: string, password: string, over: Partial<IngestEvent> = {}): IngestEvent {
  return ingestEvent(eventId, {
    eventType: 'auth_attempt',
    fields: { principal: 'root', secret_printable: password, secret_b64: Buffer.from(password).toString('base64') },
    ...over,
  });
}
