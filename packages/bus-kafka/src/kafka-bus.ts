// One worker's handle on a Kafka transport: the same contract as core's MemoryBus (envelope,
// matching, groups, counters, publish-after-close), with records on per-root topics.
import { randomUUID } from 'node:crypto';
import {
  assertPattern,
  createEnvelope,
  defaultGroup,
  emptyBusStats,
  encodeEnvelope,
  everyNth,
  IllegalStateError,
  type Bus,
  type BusStats,
  type EventHandler,
  type Logger,
  type Payload,
  type PublishOptions,
  type SubscribeOptions,
  type Subscription,
} from '@decnet/core';
import type { Admin, Kafka } from 'kafkajs';
import type { Publisher } from './publisher.js';
import { KafkaSubscription, type SubscriptionContext } from './subscription.js';
import { groupIdFor, topicForSubject, topicsForPattern } from './topics.js';

/** What a bus handle needs from its transport. */
export interface KafkaBusContext {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly publisher: Publisher;
  readonly prefix: string;
  readonly instanceId: string;
  /** Bootstrap servers, for log lines and errors. */
  readonly address: string;
  readonly closeTimeoutMs: number;
}

/**
 * A {@link Bus} on Kafka. Publishes resolve once the broker acknowledged them; each subscription
 * is a consumer in group `<prefix>.<group>` (default `<clientName>:<pattern>`), so instances of
 * one worker share the work; `broadcast` gives each instance its own group.
 */
export class KafkaBus implements Bus {
  private readonly counters: BusStats = emptyBusStats();
  private readonly own = new Set<KafkaSubscription>();
  private closed = false;
  private readonly warnClosed: (meta?: Record<string, unknown>) => number;
  private readonly subscriptionContext: SubscriptionContext;

  constructor(
    private readonly ctx: KafkaBusContext,
    readonly clientName: string,
    private readonly log: Logger,
  ) {
    this.warnClosed = everyNth(log, 'warn', 'publish after bus close dropped', 1_000_000);
    this.subscriptionContext = {
      kafka: ctx.kafka,
      admin: ctx.admin,
      address: ctx.address,
      log,
      counters: this.counters,
      warnHandlerError: everyNth(log, 'warn', 'bus handler failed'),
      warnMalformed: everyNth(log, 'warn', 'malformed Kafka message skipped'),
      closeTimeoutMs: ctx.closeTimeoutMs,
    };
  }

  /**
   * Publishes one event; resolves when the broker acknowledged it (acks=all). After `close()`
   * the event is dropped with one warning. A rejection means "not known to be acknowledged":
   * the record may still have been written (delivery is at-least-once).
   * @throws InvalidSubjectError, MessageTooLargeError (over 1 MiB encoded); BusUnavailableError
   *   when not acknowledged within the publish budget; KafkaPublishRejectedError when the
   *   broker refuses the record for good.
   */
  async publish(subject: string, payload: Payload, options: PublishOptions = {}): Promise<void> {
    const envelope = createEnvelope(subject, payload, options, this.clientName);
    const value = encodeEnvelope(envelope);
    if (this.closed) {
      this.counters.dropped++;
      this.warnClosed({ subject });
      return;
    }
    await this.ctx.publisher.send(
      topicForSubject(this.ctx.prefix, subject),
      {
        key: options.key ?? subject,
        value,
        // Only the subject: consumers route on it. Type, origin and version are in the body,
        // and each header costs two encoder allocations per record on the hot path.
        headers: { subject },
      },
      value.length,
    );
    this.counters.published++;
  }

  /**
   * Subscribes `handler` to subjects matching `pattern`. Await `ready` (the consumer joined its
   * group and its start positions are committed) before relying on delivery. `queueSize` does
   * not apply: a Kafka consumer pulls, so a slow handler leaves events in the broker, not in memory.
   * @throws InvalidSubjectError for a malformed pattern; IllegalStateError after close.
   */
  subscribe(pattern: string, handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    if (this.closed) throw new IllegalStateError('subscribe', 'closed');
    assertPattern(pattern);
    const logical = options.broadcast
      ? `${defaultGroup(this.clientName, pattern)}.${this.ctx.instanceId}.${randomUUID()}`
      : (options.group ?? defaultGroup(this.clientName, pattern));
    const sub = new KafkaSubscription(
      pattern,
      groupIdFor(this.ctx.prefix, logical),
      topicsForPattern(this.ctx.prefix, pattern),
      handler,
      options.fromBeginning ?? false,
      this.subscriptionContext,
      Math.max(1, Math.floor(options.concurrency ?? 1)),
    );
    this.own.add(sub);
    return {
      pattern,
      group: sub.group,
      ready: sub.ready,
      unsubscribe: async () => {
        this.own.delete(sub);
        await sub.unsubscribe();
      },
    };
  }

  /** Ends every subscription of this handle (waiting, bounded, for handlers in flight). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const subs = [...this.own];
    this.own.clear();
    await Promise.all(subs.map((s) => s.unsubscribe()));
    this.log.debug('kafka bus closed', { client: this.clientName });
  }

  stats(): BusStats {
    return { ...this.counters };
  }
}
