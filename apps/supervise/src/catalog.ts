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
];

/** The catalog entry named `name`, or undefined. */
export function findWorker(name: string): CatalogEntry | undefined {
  return CATALOG.find((w) => w.name === name);
}
