// A bus view per worker run: it remembers the run's subscriptions so the runner can remove a
// failed run's leftovers before starting the next one (no handler of a dead run keeps firing).
import type { Bus, BusStats, EventHandler, Payload, PublishOptions, SubscribeOptions, Subscription } from '@decnet/core';

/** A Bus view that remembers its subscriptions so a run's leftovers can be removed. */
export class ScopedBus implements Bus {
  private readonly subs = new Set<Subscription>();
  constructor(private readonly inner: Bus) {}
  get clientName(): string {
    return this.inner.clientName;
  }
  publish(subject: string, payload: Payload, options?: PublishOptions): Promise<void> {
    return this.inner.publish(subject, payload, options);
  }
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription {
    const sub = this.inner.subscribe(pattern, handler, options);
    this.subs.add(sub);
    return {
      pattern: sub.pattern,
      group: sub.group,
      ready: sub.ready,
      unsubscribe: async () => {
        this.subs.delete(sub);
        await sub.unsubscribe();
      },
    };
  }
  async close(): Promise<void> {
    const subs = [...this.subs];
    this.subs.clear();
    await Promise.allSettled(subs.map((s) => s.unsubscribe()));
  }
  stats(): BusStats {
    return this.inner.stats();
  }
}
