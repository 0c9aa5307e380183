// The ingester hosted on the in-memory bus against real Postgres: events become rows once,
// notifications follow for new rows only, malformed payloads are counted and skipped, and an
// event the database refuses is isolated without losing its batch-mates.
import { createHash } from 'node:crypto';
import { EVENTS, MemoryBroker, createLogger, silentLogger, type Bus } from '@decnet/core';
import { WorkerRunner } from '@decnet/host';
import { captureEvents, eventually, testConfig } from '@decnet/core/testing';
import { attackers, bounty, credentials, logs, observed_attachments, state, type Database } from '@decnet/db';
import { countRows, insertRows, migratedScratchDatabase, refuseInserts, tableRows, truncateTables } from '@decnet/db/testing';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIngesterWorker } from './index.js';
import type { IngesterOptions } from './options.js';

let scratch: ScratchDatabase;
let database: Database;
let broker: MemoryBroker;

beforeAll(async () => {
  ({ scratch, database } = await migratedScratchDatabase());
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});
beforeEach(async () => {
  broker = new MemoryBroker();
  await truncateTables(database, [logs, credentials, bounty, observed_attachments, state, attackers]);
});

async function host(overrides: Partial<IngesterOptions> = {}): Promise<WorkerRunner> {
  let ready!: () => void;
  const subscribed = new Promise<void>((r) => (ready = r));
  const runner = new WorkerRunner({
    spec: createIngesterWorker(overrides, { onReady: ready }),
    bus: broker.connect('ingester'),
    config: testConfig({ DATABASE_URL: scratch.url, DECNET_HEALTH_INTERVAL_MS: '100' }),
    log: process.env.DEBUG_TEST ? createLogger({ level: 'debug', name: 'test' }) : silentLogger,
    heartbeat: false,
    control: false,
  });
  runner.start();
  await subscribed;
  return runner;
}

const record = (n: number, over: Record<string, unknown> = {}) => ({
  timestamp: '2026-05-02 06:00:25',
  time: '2026-05-02T06:00:25.000Z',
  decky: 'decky-01',
  service: 'ssh',
  event_type: 'login',
  attacker_ip: '198.51.100.7',
  fields: { n: String(n) },
  msg: '',
  raw_line: `line ${n}`,
  source: 'tcp',
  source_worker: null,
  received_at: '2026-05-02T06:00:26.000Z',
  invalid_utf8: false,
  ...over,
});

async function publishAll(bus: Bus, items: { id: string; payload: Record<string, unknown> }[]): Promise<void> {
  for (const item of items) await bus.publish(EVENTS.logEvent.subject(String(item.payload.service)), item.payload, { id: item.id });
}


describe('the ingester turns log events into rows, once', () => {
  it('stores every event once even when the bus delivers some twice', async () => {
    const runner = await host();
    const bus = broker.connect('collector');
    const items = Array.from({ length: 500 }, (_, i) => ({ id: `id-${i}`, payload: record(i) }));
    await publishAll(bus, items);
    await publishAll(bus, items.slice(100, 200));
    await eventually(async () => (await countRows(database, logs)) === 500, 20_000, 50);
    await new Promise((r) => setTimeout(r, 200));
    await runner.stop();
    expect(new Set((await tableRows(database, logs)).map((r) => r.event_id)).size).toBe(500);
  });

  it('publishes credential.captured, smtp.probe.pending, email.received and batch_committed for new rows', async () => {
    await insertRows(database, attackers, [{ uuid: '11111111-1111-4111-8111-111111111111', ip: '203.0.113.5' }]);
    const probe = broker.connect('probe');
    const creds = captureEvents(probe, EVENTS.credentialCaptured.subject);
    const probes = captureEvents(probe, EVENTS.smtpProbePending.subject);
    const mails = captureEvents(probe, EVENTS.emailReceived.subject);
    const batches = captureEvents(probe, EVENTS.systemLog.subject);
    const runner = await host();
    const bus = broker.connect('collector');
    const auth = record(1, {
      event_type: 'auth_attempt',
      fields: { principal: 'root', secret_b64: Buffer.from('toor').toString('base64'), secret_printable: 'toor' },
    });
    const stored = record(2, {
      service: 'smtp_relay',
      event_type: 'message_stored',
      attacker_ip: '203.0.113.5',
      fields: { stored_as: 'm.eml', mail_from: 'a@evil.example', rcpt_to: 'b@corp.example', subject: 'secret plan', sha256: 'ab' },
    });
    await publishAll(bus, [
      { id: 'auth-1', payload: auth },
      { id: 'mail-1', payload: stored },
    ]);
    const [cred] = await creds.waitFor(1);
    expect(cred?.payload).toEqual({
      secret_sha256: createHash('sha256').update('toor').digest('hex'),
      secret_kind: 'plaintext',
      attacker_ip: '198.51.100.7',
      decky: 'decky-01',
      service: 'ssh',
    });
    const [pending] = await probes.waitFor(1);
    expect(pending?.payload).toEqual({
      decky: 'decky-01',
      attacker_ip: '203.0.113.5',
      stored_as: 'm.eml',
      mail_from: 'a@evil.example',
      rcpt_to: 'b@corp.example',
    });
    const [mail] = await mails.waitFor(1);
    expect(mail?.payload).toMatchObject({
      attacker_uuid: '11111111-1111-4111-8111-111111111111',
      mail_from_domain: 'evil.example',
      rcpt_domains: ['corp.example'],
      subject_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(JSON.stringify(mail?.payload)).not.toContain('secret plan');
    await batches.waitFor(1);
    expect(batches.events[0]).toMatchObject({ type: 'batch_committed', payload: { component: 'ingester' } });
    // A redelivery stores nothing new and so announces nothing.
    await publishAll(bus, [{ id: 'auth-1', payload: auth }]);
    await new Promise((r) => setTimeout(r, 300));
    await runner.stop();
    expect(creds.events).toHaveLength(1);
    expect((await tableRows(database, credentials)).map((r) => r.attempt_count)).toEqual([1]);
  });

  it('counts and skips malformed payloads, and stores the good ones around them', async () => {
    const runner = await host();
    const bus = broker.connect('collector');
    await bus.publish(EVENTS.logEvent.subject('ssh'), { not: 'a record' }, { id: 'bad-1' });
    await publishAll(bus, [{ id: 'good-1', payload: record(1) }]);
    await eventually(async () => (await countRows(database, logs)) === 1, 10_000, 50);
    await runner.stop();
  });

  it('isolates an event the database refuses and stores the rest of its batch', async () => {
    const allow = await refuseInserts(database, logs, { column: 'raw_line', equals: 'poison', sqlState: '22023' });
    try {
      const runner = await host({ batchSize: 50, idleFlushMs: 50 });
      const bus = broker.connect('collector');
      const items = Array.from({ length: 40 }, (_, i) => ({ id: `id-${i}`, payload: record(i, i === 17 ? { raw_line: 'poison' } : {}) }));
      await publishAll(bus, items);
      await eventually(async () => (await countRows(database, logs)) === 39, 10_000, 50);
      await runner.stop();
      expect(await countRows(database, logs, { event_id: 'id-17' })).toBe(0);
    } finally {
      await allow();
    }
  });
});
