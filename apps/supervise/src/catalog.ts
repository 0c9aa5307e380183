// The worker catalog: every worker this build ships, with what it needs and its default
// group, and a lazy loader so listing workers loads none of them.
import type { WorkerNeed, WorkerSpec } from '@decnet/core';

/** One worker the fleet can host. */
export interface CatalogEntry {
  /** One name everywhere (Nx project `worker-<name>`, `decnet run <name>`, `system.<name>.health`). */
  readonly name: string;
  readonly needs: readonly WorkerNeed[];
  /** The group `decnet supervise` hosts it in by default. */
  readonly group: string;
  readonly description: string;
  /** A fixture exists to measure and test the runtime; `decnet up` skips it while real workers exist. */
  readonly fixture: boolean;
  /**
   * Hosted by `decnet up`. Workers that only make sense across hosts (a forwarder shipping logs
   * to a remote listener) opt out. @default true
   */
  readonly embedded?: boolean;
  readonly load: () => Promise<WorkerSpec>;
}

/** Every worker, alphabetically. A test checks each entry against its package and spec. */
export const CATALOG: readonly CatalogEntry[] = [
  {
    name: 'collector',
    needs: ['bus'],
    group: 'pipeline',
    description: 'syslog (UDP/TCP) and tailed log files on this host → filtered, stably-identified log.event.* on the bus',
    fixture: false,
    load: async () => (await import('@decnet/worker-collector')).worker,
  },
  {
    name: 'fixture',
    needs: ['bus'],
    group: 'fixtures',
    description: 'FIXTURE: smallest bus worker, for footprint and hosting tests',
    fixture: true,
    load: async () => (await import('@decnet/worker-fixture')).worker,
  },
  {
    name: 'fixture-db',
    needs: ['bus', 'db'],
    group: 'fixtures',
    description: 'FIXTURE: smallest database worker, for footprint and hosting tests',
    fixture: true,
    load: async () => (await import('@decnet/worker-fixture-db')).worker,
  },
  {
    name: 'forwarder',
    needs: ['bus'],
    group: 'agent',
    description: 'ships a local log file to a listener over mutual TLS, acknowledged',
    fixture: false,
    embedded: false,
    load: async () => (await import('@decnet/worker-forwarder')).worker,
  },
  {
    name: 'ingester',
    needs: ['bus', 'db'],
    group: 'pipeline',
    description: 'log.event.* → logs, credentials, bounty (one transaction per batch, idempotent on event id)',
    fixture: false,
    load: async () => (await import('@decnet/worker-ingester')).worker,
  },
  {
    name: 'listener',
    needs: ['bus'],
    group: 'pipeline',
    description: 'RFC 5425 syslog over mutual TLS from remote forwarders onto the bus',
    fixture: false,
    embedded: false,
    load: async () => (await import('@decnet/worker-listener')).worker,
  },
  {
    name: 'profiler',
    needs: ['bus', 'db'],
    group: 'heavy',
    description: 'logs → attackers, attacker_behavior (incremental cursor, one transaction per batch); attacker.observed/scored',
    fixture: false,
    load: async () => (await import('@decnet/worker-profiler')).worker,
  },
  {
    name: 'ttp',
    needs: ['bus', 'db'],
    group: 'heavy',
    description: 'ATT&CK tagging: sessions, commands, HTTP, auth, intel, mail, canary → ttp_tag, ttp.tagged, ttp.rule.fired.*',
    fixture: false,
    load: async () => (await import('@decnet/worker-ttp')).worker,
  },
  {
    name: 'webhook',
    needs: ['bus', 'db'],
    group: 'herd',
    description: 'bus events → signed HTTP webhooks (JSON, Slack, Discord) with retries, breaker, SSRF guard',
    fixture: false,
    load: async () => (await import('@decnet/worker-webhook')).worker,
  },
];

/** The catalog entry named `name`, or undefined. */
export function findWorker(name: string): CatalogEntry | undefined {
  return CATALOG.find((w) => w.name === name);
}
