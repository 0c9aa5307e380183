// One lane per subscription: a bounded drop-oldest queue and one delivery at a time, each lane
// independent, so a receiver that hangs or fails only delays its own lane (upstream shared one
// unbounded task pool). Lanes follow the subscription list: added, updated in place, or stopped
// (aborting the request in flight) when a subscription is removed, disabled or trips its breaker.
import type { Logger } from '@decnet/core';
import { createKeepAliveAgents, deliver, type DeliveryResult, type DeliverySettings, type KeepAliveAgents } from './delivery.js';
import type { DeliveryEvent } from './handlers/formats.js';
import { matchesAny } from './handlers/patterns.js';
import { BoundedQueue } from './handlers/queue.js';
import type { SubscriptionRow } from './subscriptions.js';

/** What happens after a delivery's outcome was recorded. */
export type AfterResult = 'continue' | 'stop';

/** Records an outcome (database bookkeeping); `stop` when the breaker tripped. */
export type ResultRecorder = (sub: SubscriptionRow, event: DeliveryEvent, result: DeliveryResult) => Promise<AfterResult>;

/** Per-lane counters reported in health. */
export interface LaneStats {
  readonly uuid: string;
  readonly name: string;
  readonly queued: number;
  readonly dropped: number;
  readonly delivered: number;
  readonly failed: number;
  readonly refused: number;
  readonly inFlight: boolean;
}

class Lane {
  readonly queue: BoundedQueue<DeliveryEvent>;
  private readonly abort = new AbortController();
  private readonly agents: KeepAliveAgents = createKeepAliveAgents();
  private readonly laneSettings: DeliverySettings;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private inFlight = false;
  delivered = 0;
  failed = 0;
  refused = 0;

  constructor(
    public sub: SubscriptionRow,
    queueSize: number,
    settings: DeliverySettings,
    private readonly record: ResultRecorder,
    private readonly log: Logger,
    parent: AbortSignal,
  ) {
    this.queue = new BoundedQueue(queueSize);
    this.laneSettings = { ...settings, agents: this.agents };
    if (parent.aborted) this.abort.abort();
    else parent.addEventListener('abort', () => this.abort.abort(), { once: true });
  }

  enqueue(event: DeliveryEvent): void {
    if (this.stopped) return;
    this.queue.push(event);
    this.loop ??= this.run().finally(() => (this.loop = undefined));
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.queue.size > 0) {
      const event = this.queue.shift() as DeliveryEvent;
      const sub = this.sub;
      this.inFlight = true;
      let result: DeliveryResult;
      try {
        result = await deliver(sub, event, this.laneSettings, this.abort.signal);
      } catch (err) {
        // deliver() never throws by design; a bug here must not kill the lane.
        result = { ok: false, status: null, attempts: 0, error: `internal error: ${(err as Error).message}` };
      } finally {
        this.inFlight = false;
      }
      if (result.aborted) break;
      if (result.ok) this.delivered++;
      else if (result.refused) this.refused++;
      else this.failed++;
      let next: AfterResult = 'continue';
      try {
        next = await this.record(sub, event, result);
      } catch (err) {
        this.log.warn('delivery outcome not recorded', { subscription: sub.uuid, error: (err as Error).message });
      }
      if (next === 'stop') this.stop();
    }
  }

  /** Stops the lane: drops its queue (counted) and aborts the request in flight. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.queue.clear();
    this.abort.abort();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Resolves when the delivery loop has returned. */
  async idle(): Promise<void> {
    await this.loop;
  }

  stats(): LaneStats {
    return {
      uuid: this.sub.uuid,
      name: this.sub.name,
      queued: this.queue.size,
      dropped: this.queue.dropped,
      delivered: this.delivered,
      failed: this.failed,
      refused: this.refused,
      inFlight: this.inFlight,
    };
  }
}

/** Routes events to per-subscription lanes. */
export class Dispatcher {
  private readonly lanes = new Map<string, Lane>();
  /** Counters of lanes that no longer exist, so health totals never go backwards. */
  private retired = { dropped: 0, delivered: 0, failed: 0, refused: 0 };

  constructor(
    private readonly queueSize: number,
    private readonly settings: DeliverySettings,
    private readonly record: ResultRecorder,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
  ) {}

  /** Makes the lanes match `subs` (the enabled subscriptions): new lanes, updated rows, stopped lanes. */
  apply(subs: readonly SubscriptionRow[]): { added: number; removed: number } {
    const wanted = new Map(subs.map((s) => [s.uuid, s]));
    let removed = 0;
    for (const [uuid, lane] of this.lanes) {
      const sub = wanted.get(uuid);
      if (sub && !lane.isStopped) {
        lane.sub = sub;
        continue;
      }
      this.retire(uuid, lane);
      removed++;
    }
    let added = 0;
    for (const sub of subs) {
      if (this.lanes.has(sub.uuid)) continue;
      this.lanes.set(sub.uuid, new Lane(sub, this.queueSize, this.settings, this.record, this.log, this.signal));
      added++;
    }
    return { added, removed };
  }

  private retire(uuid: string, lane: Lane): void {
    lane.stop();
    const s = lane.stats();
    this.retired = {
      dropped: this.retired.dropped + s.dropped,
      delivered: this.retired.delivered + s.delivered,
      failed: this.retired.failed + s.failed,
      refused: this.retired.refused + s.refused,
    };
    this.lanes.delete(uuid);
  }

  /** The patterns of every live lane. */
  patterns(): string[] {
    return [...this.lanes.values()].filter((l) => !l.isStopped).flatMap((l) => l.sub.topicPatterns);
  }

  /** Queues `event` on every lane whose patterns match its topic (once per lane). @returns lanes matched. */
  route(event: DeliveryEvent): number {
    let matched = 0;
    for (const lane of this.lanes.values()) {
      if (lane.isStopped || !matchesAny(lane.sub.topicPatterns, event.topic)) continue;
      lane.enqueue(event);
      matched++;
    }
    return matched;
  }

  /** Per-lane counters and totals (including lanes since removed). */
  stats(): { lanes: LaneStats[]; totals: { dropped: number; delivered: number; failed: number; refused: number; queued: number } } {
    const lanes = [...this.lanes.values()].map((l) => l.stats());
    const totals = { ...this.retired, queued: 0 };
    for (const l of lanes) {
      totals.dropped += l.dropped;
      totals.delivered += l.delivered;
      totals.failed += l.failed;
      totals.refused += l.refused;
      totals.queued += l.queued;
    }
    return { lanes, totals };
  }

  /** Stops every lane and waits for their loops (requests in flight are aborted). */
  async stop(): Promise<void> {
    const lanes = [...this.lanes.values()];
    for (const lane of lanes) lane.stop();
    await Promise.all(lanes.map((l) => l.idle()));
  }
}
