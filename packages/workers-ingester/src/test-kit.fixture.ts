// Shared by this package's database tests: event builders (the migrated scratch database is
// `migratedScratchDatabase` of @decnet/db/testing).
import type { IngestEvent } from './payload.js';

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
