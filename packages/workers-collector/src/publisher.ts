// Publishing with retry and a bound on what is in flight: a publish the bus cannot take yet is
// retried with the same envelope id until it is acknowledged or the collector stops, and input
// is paused (TCP, files) or dropped (UDP) while too many publishes are outstanding.
import { everyNth, publishUntilAcknowledged, type Bus, type Logger } from '@decnet/core';
import type { PublishItem } from './line-processor.js';

/** Counters of the publisher. */
export interface PublisherCounters {
  published: number;
  /** Attempts that failed and were retried. */
  retries: number;
  /** Events given up: rejected by the bus for good (too large) or abandoned at stop. */
  failed: number;
}

/**
 * Wraps a bus handle. `publish` resolves true once the bus acknowledged the event, false when it
 * gave up (the event was refused for good or the collector is stopping). It never rejects.
 */
export class RetryingPublisher {
  readonly counters: PublisherCounters = { published: 0, retries: 0, failed: 0 };
  private pending = 0;
  private waiters: { below: number; resolve: () => void }[] = [];
  private readonly warnRetry: (meta?: Record<string, unknown>) => number;
  private readonly warnFailed: (meta?: Record<string, unknown>) => number;

  constructor(
    private readonly bus: Bus,
    private readonly signal: AbortSignal,
    log: Logger,
    /** Called with the number of events each time publishes are acknowledged. */
    private readonly onPublished: (count: number) => void = () => undefined,
  ) {
    this.warnRetry = everyNth(log, 'warn', 'bus refused a publish; retrying');
    this.warnFailed = everyNth(log, 'error', 'event could not be published; dropped');
  }

  /** Publishes not yet acknowledged. */
  get inflight(): number {
    return this.pending;
  }

  /** Resolves once fewer than `below` publishes are outstanding (at once if already so). */
  whenBelow(below: number): Promise<void> {
    if (this.pending < below) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ below, resolve }));
  }

  /** Publishes every item; resolves true when all were acknowledged. */
  async publishAll(items: readonly PublishItem[]): Promise<boolean> {
    if (items.length === 1) return this.publish(items[0] as PublishItem);
    const results = await Promise.all(items.map((item) => this.publish(item)));
    return results.every(Boolean);
  }

  /** Publishes one item, retrying while the bus is unavailable. */
  async publish(item: PublishItem): Promise<boolean> {
    this.pending++;
    try {
      const result = await publishUntilAcknowledged(
        this.bus,
        item.subject,
        item.payload,
        { id: item.id, key: item.key, type: item.type },
        this.signal,
        (err, retryInMs) => {
          this.counters.retries++;
          this.warnRetry({ subject: item.subject, reason: err.message, retryInMs });
        },
      );
      if (result.outcome === 'ok') {
        this.counters.published++;
        this.onPublished(1);
        return true;
      }
      this.counters.failed++;
      // Given up at a failure (refused for good, or found stopping): say so; a wait cut short by stop is not news.
      if (result.error) {
        this.warnFailed({ subject: item.subject, id: item.id, reason: result.error.message, stopping: this.signal.aborted });
      }
      return false;
    } finally {
      this.pending--;
      if (this.waiters.length > 0) this.release();
    }
  }

  private release(): void {
    const ready = this.waiters.filter((w) => this.pending < w.below);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => this.pending >= w.below);
    for (const w of ready) w.resolve();
  }
}
