// The worker catalog: every worker this build ships, read from each worker package's own
// package.json (`decnet.worker`: name, needs, group, description, fixture, embedded), with a lazy
// loader so listing workers loads none of them. A worker added later needs only that field.
import * as z from 'zod/mini';
import type { WorkerNeed, WorkerSpec } from '@decnet/core';
import { GROUPS } from './groups.js';
import { workerPackages, type WorkerPackage } from './worker-packages.js';

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
  /** The npm package that exports the worker's spec as `worker`. */
  readonly packageName: string;
  readonly load: () => Promise<WorkerSpec>;
}

/** The `decnet.worker` field of a worker package's package.json. */
export const workerManifestSchema = z.object({
  name: z.string().check(z.regex(/^[a-z][a-z0-9-]*$/)),
  needs: z.array(z.enum(['bus', 'db'])),
  group: z.string(),
  description: z.string().check(z.minLength(1)),
  fixture: z.optional(z.boolean()),
  embedded: z.optional(z.boolean()),
});

/**
 * Builds catalog entries from worker packages, sorted by worker name.
 * @throws Error naming the package and the field when a manifest is invalid, its group unknown,
 *   or two packages claim one worker name.
 */
export function catalogFrom(packages: readonly WorkerPackage[]): CatalogEntry[] {
  const entries = packages.map((p): CatalogEntry => {
    const parsed = workerManifestSchema.safeParse(p.manifest);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${['decnet', 'worker', ...i.path].join('.')}: ${i.message}`);
      throw new Error(`${p.packageName}: invalid worker manifest in package.json (${problems.join('; ')})`);
    }
    const m = parsed.data;
    if (!(m.group in GROUPS)) {
      throw new Error(`${p.packageName}: decnet.worker.group "${m.group}" is not a group; known: ${Object.keys(GROUPS).join(', ')}`);
    }
    return {
      name: m.name,
      needs: m.needs,
      group: m.group,
      description: m.description,
      fixture: m.fixture ?? false,
      ...(m.embedded !== undefined ? { embedded: m.embedded } : {}),
      packageName: p.packageName,
      load: async () => (await p.load()).worker,
    };
  });
  const seen = new Map<string, string>();
  for (const e of entries) {
    const other = seen.get(e.name);
    if (other) throw new Error(`worker name "${e.name}" is declared by both ${other} and ${e.packageName}`);
    seen.set(e.name, e.packageName);
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

/** Every worker, alphabetically. A test checks each entry against its package and spec. */
export const CATALOG: readonly CatalogEntry[] = catalogFrom(workerPackages());

/** The catalog entry named `name`, or undefined. */
export function findWorker(name: string): CatalogEntry | undefined {
  return CATALOG.find((w) => w.name === name);
}

/** Names of the workers in `group`, in catalog order. */
export function groupMembers(group: string): string[] {
  return CATALOG.filter((w) => w.group === group).map((w) => w.name);
}

/** Groups that have at least one worker in this build. */
export function populatedGroups(): string[] {
  return Object.keys(GROUPS).filter((g) => groupMembers(g).length > 0);
}
