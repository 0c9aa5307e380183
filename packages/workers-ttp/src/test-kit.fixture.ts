// Shared by this package's database tests: the upstream rules directory (../shared, read as it
// is), a hosted ttp worker on a MemoryBroker, and event builders (the migrated scratch database
// is `migratedScratchDatabase` of @decnet/db/testing).
import { fileURLToPath } from 'node:url';
import { EVENTS, createLogger, silentLogger, type Envelope, type MemoryBroker } from '@decnet/core';
import { WorkerRunner } from '@decnet/host';
import { captureEvents, eventually, testConfig, type CapturedEvents } from '@decnet/core/testing';
import { createTtpWorker } from './index.js';
import type { TtpOptions } from './options.js';

/** Upstream's 59 rule files. */
export const UPSTREAM_RULES_DIR = fileURLToPath(new URL('../../../../shared/upstream-data/ttp-rules', import.meta.url));

/** A running ttp worker and what it publishes. */
export interface HostedTtp {
  readonly runner: WorkerRunner;
  readonly tagged: CapturedEvents;
  readonly fired: CapturedEvents;
  /** The newest health `detail` the worker reported. */
  health(): Promise<Record<string, unknown>>;
}

/** Hosts the ttp worker on `broker` against `url` and waits until it is subscribed. */
export async function hostTtp(broker: MemoryBroker, url: string, overrides: Partial<TtpOptions> = {}): Promise<HostedTtp> {
  const probe = broker.connect('probe');
  const tagged = captureEvents(probe, EVENTS.ttpTagged.subject);
  const fired = captureEvents(probe, EVENTS.ttpRuleFired.pattern);
  const health = captureEvents(probe, EVENTS.health.subject('ttp'));
  let ready!: () => void;
  const subscribed = new Promise<void>((r) => (ready = r));
  const runner = new WorkerRunner({
    spec: createTtpWorker({ rulesDir: UPSTREAM_RULES_DIR, rulesMode: 'replace', pendingRetryMs: 100, ruleStateRefreshMs: 100, rulesReloadMs: 100, ...overrides }, { onReady: ready }),
    bus: broker.connect('ttp'),
    config: testConfig({ DATABASE_URL: url, DECNET_HEALTH_INTERVAL_MS: '100' }),
    log: process.env.DEBUG_TEST ? createLogger({ level: 'debug', name: 'test' }) : silentLogger,
    control: false,
  });
  runner.start();
  await subscribed;
  return {
    runner,
    tagged,
    fired,
    async health() {
      const before = health.events.length;
      await eventually(() => health.events.length > before, 5_000);
      const last = health.events.at(-1) as Envelope;
      return (last.payload.detail ?? {}) as Record<string, unknown>;
    },
  };
}

/** A `log.event.<service>` payload as the collector publishes it. */
export function logEvent(over: { service?: string; event_type: string; attacker_ip?: string; time?: string; fields?: Record<string, string>; msg?: string; decky?: string }): Record<string, unknown> {
  const time = over.time ?? '2026-05-02T06:00:25.000Z';
  return {
    timestamp: time.slice(0, 19).replace('T', ' '),
    time,
    decky: over.decky ?? 'decky-01',
    service: over.service ?? 'ssh',
    event_type: over.event_type,
    attacker_ip: over.attacker_ip ?? '198.51.100.7',
    fields: over.fields ?? {},
    msg: over.msg ?? '',
    raw_line: '<134>1 - - - - -',
    source: 'tcp',
    source_worker: null,
    received_at: time,
    invalid_utf8: false,
  };
}
