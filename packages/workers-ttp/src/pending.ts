// Tags waiting for their anchor: upstream dropped a tag whose attacker row did not exist yet
// (the profiler creates it on its next tick). Here they wait, bounded in number and age, are
// retried on a timer or when the attacker shows up, and survive a graceful restart.
import type { TagCandidate } from '@decnet/ttp-engine';
import * as z from 'zod/mini';
import type { Anchor } from './jobs.js';

/** Tags of one job waiting for their anchor. */
export interface PendingItem {
  readonly anchor: Anchor;
  readonly tags: readonly TagCandidate[];
  readonly sessionId: string | null;
  readonly deckyId: string | null;
  /** Epoch ms when first queued. */
  readonly since: number;
}

/** Counters reported in health. */
export interface PendingCounters {
  /** Items dropped because the queue was full (oldest first). */
  dropped: number;
  /** Items that waited longer than the time-to-live. */
  expired: number;
}

/** The key items are grouped and woken by: the address, else the uuid. */
export function anchorKey(anchor: Anchor): string {
  return anchor.attackerIp ?? anchor.attackerUuid ?? anchor.identityUuid ?? '';
}

/** Bounded FIFO of pending items. */
export class PendingTags {
  private items: PendingItem[] = [];
  readonly counters: PendingCounters = { dropped: 0, expired: 0 };

  constructor(
    private readonly max: number,
    private readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.items.length;
  }

  /** Queues `item`, dropping the oldest when full. */
  add(item: PendingItem): void {
    this.items.push(item);
    if (this.items.length > this.max) {
      const excess = this.items.length - this.max;
      this.items.splice(0, excess);
      this.counters.dropped += excess;
    }
  }

  /** Removes and returns every item, first dropping those older than the time-to-live. */
  takeAll(now: number): PendingItem[] {
    const live = this.items.filter((i) => now - i.since <= this.ttlMs);
    this.counters.expired += this.items.length - live.length;
    this.items = [];
    return live;
  }

  /** True when some item waits for `key`. */
  has(key: string): boolean {
    return this.items.some((i) => anchorKey(i.anchor) === key);
  }

  /** Every item, for persisting at stop. */
  snapshot(): readonly PendingItem[] {
    return this.items;
  }
}

const tagSchema = z.object({
  uuid: z.string(),
  sourceKind: z.string(),
  sourceId: z.string(),
  ruleId: z.string(),
  ruleVersion: z.number(),
  ruleName: z.string(),
  tactic: z.string(),
  techniqueId: z.string(),
  subTechniqueId: z.nullable(z.string()),
  confidence: z.number(),
  evidence: z.record(z.string(), z.unknown()),
  mitreUrl: z.string(),
  attackRelease: z.string(),
  identityOnly: z.boolean(),
});
const itemSchema = z.object({
  anchor: z.object({ attackerUuid: z.optional(z.string()), identityUuid: z.optional(z.string()), attackerIp: z.optional(z.string()) }),
  tags: z.array(tagSchema),
  sessionId: z.nullable(z.string()),
  deckyId: z.nullable(z.string()),
  since: z.number(),
});

/** Items read back from a persisted snapshot; invalid entries are skipped and counted. */
export function restorePending(value: unknown): { items: PendingItem[]; invalid: number } {
  if (!Array.isArray(value)) return { items: [], invalid: value === undefined || value === null ? 0 : 1 };
  const items: PendingItem[] = [];
  let invalid = 0;
  for (const entry of value) {
    const parsed = itemSchema.safeParse(entry);
    if (parsed.success) items.push(parsed.data as PendingItem);
    else invalid++;
  }
  return { items, invalid };
}
