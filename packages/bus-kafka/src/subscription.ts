// One subscription = one kafkajs consumer in one consumer group. It reads the topics its pattern
// selects, filters on the subject header, decodes defensively, runs the handler one message at a
// time, and restarts itself when kafkajs gives up (a broker restart, a lost coordinator).
import { decodeEnvelope, matchSubject, type BusStats, type Envelope, type EventHandler, type Logger, type Subscription } from '@decnet/core';
import type { Admin, Consumer, ConsumerCrashEvent, ConsumerGroupJoinEvent, EachBatchPayload, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import { BUNDLE_HEADER, isValidSubject, unpackBundle } from './bundle.js';
import { MAX_CONNECT_BACKOFF_MS, INITIAL_CONNECT_BACKOFF_MS } from './options.js';
import { TOPIC_MAX_MESSAGE_BYTES } from './topics.js';

/** A member silent this long is evicted and its partitions reassigned. Kafka's minimum is 6 s. */
const SESSION_TIMEOUT_MS = 10_000;
/** Frequent heartbeats make rebalances (an instance joining or leaving) complete quickly. */
const HEARTBEAT_INTERVAL_MS = 1_000;
/** Time members get to rejoin during a rebalance. */
const REBALANCE_TIMEOUT_MS = 30_000;
/** Longest wait of an idle fetch; also bounds how long unsubscribe waits for the fetch loop. */
const MAX_WAIT_TIME_MS = 1_000;
/** Offsets are committed after each fetched batch and at least this often within one. */
const AUTO_COMMIT_INTERVAL_MS = 1_000;
/** kafkajs's retries inside one consumer run before it crashes (and we or it restart it). */
const CONSUMER_RETRY = { retries: 5, initialRetryTime: 300, maxRetryTime: 3_000 } as const;
/** Attempts at committing start positions after a join before `ready` resolves regardless. */
const START_COMMIT_ATTEMPTS = 3;
/** Quick retries of the end-offset lookup (a fresh topic's leader takes a moment to settle). */
const OFFSET_LOOKUP_ATTEMPTS = 8;

/** What a subscription shares with its bus handle and transport. */
export interface SubscriptionContext {
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** Bootstrap servers, for log lines. */
  readonly address: string;
  readonly log: Logger;
  /** The owning bus handle's counters. */
  readonly counters: BusStats;
  readonly warnHandlerError: (meta?: Record<string, unknown>) => number;
  readonly warnMalformed: (meta?: Record<string, unknown>) => number;
  readonly closeTimeoutMs: number;
}

/** Where a subscription stands. */
export type SubscriptionState =
  /** Connecting, joining the group, committing start positions. */
  | 'starting'
  /** Joined; `ready` has resolved. */
  | 'running'
  /** kafkajs gave up; a new consumer starts after a backoff. */
  | 'restarting'
  /** unsubscribe() was called. */
  | 'stopped';

function headerString(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (Buffer.isBuffer(first)) return first.toString('utf8');
  return typeof first === 'string' ? first : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A live subscription on Kafka; see {@link Subscription}. */
export class KafkaSubscription implements Subscription {
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private consumer: Consumer | undefined;
  private currentState: SubscriptionState = 'starting';
  /** High watermarks when the subscription began: where a group with no position starts. */
  private startOffsets: Map<string, Map<number, string>> | undefined;
  private inFlight: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private backoffMs = INITIAL_CONNECT_BACKOFF_MS;
  private starting: Promise<void> | undefined;

  /**
   * @param pattern subject pattern (already validated)
   * @param group the Kafka consumer group id
   * @param topics Kafka topics the pattern selects
   */
  constructor(
    readonly pattern: string,
    readonly group: string,
    private readonly topics: readonly string[],
    private readonly handler: EventHandler,
    private readonly fromBeginning: boolean,
    private readonly ctx: SubscriptionContext,
    private readonly concurrency = 1,
  ) {
    this.ready = new Promise<void>((resolve) => (this.resolveReady = resolve));
    this.starting = this.start();
  }

  /** The lifecycle state. */
  get state(): SubscriptionState {
    return this.currentState;
  }

  /** A method, not a field comparison, so TypeScript does not narrow across awaits. */
  private isStopped(): boolean {
    return this.currentState === 'stopped';
  }

  private setState(next: SubscriptionState): void {
    if (next === this.currentState) return;
    this.ctx.log.debug('kafka subscription state', { group: this.group, from: this.currentState, to: next });
    this.currentState = next;
  }

  /** Starts a consumer, retrying with backoff until it runs or the subscription is stopped. */
  private async start(): Promise<void> {
    while (!this.isStopped()) {
      try {
        await this.startConsumer();
        return;
      } catch (err) {
        if (this.isStopped()) return;
        this.ctx.log.warn(`Kafka consumer could not start at ${this.ctx.address}; retrying in ${this.backoffMs / 1000}s`, {
          group: this.group,
          error: (err as Error).message,
        });
        await new Promise<void>((r) => {
          this.wake = r;
          this.restartTimer = setTimeout(r, this.backoffMs);
        });
        this.wake = undefined;
        this.backoffMs = Math.min(this.backoffMs * 2, MAX_CONNECT_BACKOFF_MS);
      }
    }
  }

  private async startConsumer(): Promise<void> {
    if (!this.fromBeginning && !this.startOffsets) this.startOffsets = await this.captureEndOffsets();
    const consumer = this.ctx.kafka.consumer({
      groupId: this.group,
      sessionTimeout: SESSION_TIMEOUT_MS,
      rebalanceTimeout: REBALANCE_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: MAX_WAIT_TIME_MS,
      maxBytesPerPartition: TOPIC_MAX_MESSAGE_BYTES * 2,
      allowAutoTopicCreation: false,
      retry: CONSUMER_RETRY,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => this.onJoin(consumer, event));
    consumer.on(consumer.events.CRASH, (event) => this.onCrash(consumer, event));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.topics], fromBeginning: this.fromBeginning });
      if (this.isStopped()) throw new Error('unsubscribed while starting');
      await consumer.run(
        this.concurrency > 1
          ? {
              autoCommit: true,
              autoCommitInterval: AUTO_COMMIT_INTERVAL_MS,
              partitionsConsumedConcurrently: 1,
              eachBatchAutoResolve: false,
              eachBatch: (payload) => this.onBatch(payload),
            }
          : {
              autoCommit: true,
              autoCommitInterval: AUTO_COMMIT_INTERVAL_MS,
              partitionsConsumedConcurrently: 1,
              eachMessage: (payload) => this.onMessage(payload),
            },
      );
    } catch (err) {
      if (this.consumer === consumer) this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  private async captureEndOffsets(): Promise<Map<string, Map<number, string>>> {
    const result = new Map<string, Map<number, string>>();
    await Promise.all(
      this.topics.map(async (topic) => {
        // Just after a topic is created its leader may not be known everywhere yet.
        for (let attempt = 1; ; attempt++) {
          try {
            const offsets = await this.ctx.admin.fetchTopicOffsets(topic);
            result.set(topic, new Map(offsets.map((o) => [o.partition, o.high])));
            return;
          } catch (err) {
            if (attempt >= OFFSET_LOOKUP_ATTEMPTS || this.isStopped()) throw err;
            await new Promise((r) => setTimeout(r, 100 * attempt));
          }
        }
      }),
    );
    return result;
  }

  /**
   * After each join: partitions this group has never committed get the subscription's start
   * position committed, so events published after `subscribe()` are never skipped by Kafka's
   * "latest" reset, and a restarted worker resumes where the group stopped on every partition.
   */
  private async onJoin(consumer: Consumer, event: ConsumerGroupJoinEvent): Promise<void> {
    if (consumer !== this.consumer || this.isStopped()) return;
    const assignment = event.payload.memberAssignment;
    for (let attempt = 1; this.startOffsets && attempt <= START_COMMIT_ATTEMPTS; attempt++) {
      try {
        await this.commitStartPositions(consumer, assignment);
        break;
      } catch (err) {
        if (consumer !== this.consumer || this.isStopped()) return;
        this.ctx.log.debug('could not commit start positions', { group: this.group, attempt, error: (err as Error).message });
        if (attempt === START_COMMIT_ATTEMPTS) {
          this.ctx.log.warn('Kafka subscription may skip events published before its first join', { group: this.group });
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
    if (consumer !== this.consumer || this.isStopped()) return;
    this.backoffMs = INITIAL_CONNECT_BACKOFF_MS;
    this.setState('running');
    this.resolveReady();
  }

  private async commitStartPositions(consumer: Consumer, assignment: Record<string, number[]>): Promise<void> {
    const assignedTopics = Object.keys(assignment).filter((t) => (assignment[t] ?? []).length > 0);
    if (assignedTopics.length === 0 || !this.startOffsets) return;
    const committed = await this.ctx.admin.fetchOffsets({ groupId: this.group, topics: assignedTopics });
    const missing: { topic: string; partition: number; offset: string }[] = [];
    for (const { topic, partitions } of committed) {
      const assigned = new Set(assignment[topic] ?? []);
      for (const { partition, offset } of partitions) {
        const start = this.startOffsets.get(topic)?.get(partition);
        if (assigned.has(partition) && offset === '-1' && start !== undefined) missing.push({ topic, partition, offset: start });
      }
    }
    if (missing.length > 0) await consumer.commitOffsets(missing);
  }

  private onCrash(consumer: Consumer, event: ConsumerCrashEvent): void {
    if (consumer !== this.consumer || this.isStopped()) return;
    const { error, restart } = event.payload;
    this.ctx.log.warn(`Kafka consumer crashed at ${this.ctx.address}; ${restart ? 'kafkajs restarts it' : `restarting in ${this.backoffMs / 1000}s`}`, {
      group: this.group,
      error: error.message,
    });
    if (restart) return;
    // kafkajs gave up for good (a non-retriable error): replace the consumer ourselves.
    this.setState('restarting');
    this.consumer = undefined;
    void consumer.disconnect().catch(() => undefined);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_CONNECT_BACKOFF_MS);
    this.restartTimer = setTimeout(() => {
      if (this.isStopped()) return;
      this.setState('starting');
      this.starting = this.start();
    }, delay);
  }

  private async onMessage({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const run = (async () => {
      for (const envelope of this.unpack(topic, partition, message)) await this.handle(envelope);
    })();
    this.inFlight = run;
    await run;
    this.inFlight = undefined;
  }

  /**
   * The events of one record this subscription must handle, in order: none when the subject
   * does not match, several for a bundle record. Malformed parts are counted and skipped.
   */
  private unpack(topic: string, partition: number, message: KafkaMessage): Envelope[] {
    const skip = (reason: string): Envelope[] => {
      this.ctx.counters.malformed++;
      this.ctx.warnMalformed({ topic, partition, offset: message.offset, reason });
      return [];
    };
    const bundle = headerString(message.headers?.[BUNDLE_HEADER]);
    if (bundle !== undefined) {
      if (!message.value) return skip('empty_value');
      const unpacked = unpackBundle(message.value);
      if (!unpacked.ok) return skip(unpacked.reason);
      const envelopes: Envelope[] = [];
      for (const element of unpacked.elements) {
        if (!element.ok) skip(element.reason);
        else if (matchSubject(this.pattern, element.envelope.topic)) envelopes.push(element.envelope);
      }
      return envelopes;
    }
    const subject = headerString(message.headers?.['subject']);
    if (subject === undefined) return skip('missing_subject');
    if (!isValidSubject(subject)) return skip('bad_subject');
    if (!matchSubject(this.pattern, subject)) return [];
    if (!message.value) return skip('empty_value');
    const decoded = decodeEnvelope(message.value, subject);
    if (!decoded.ok) return skip(decoded.reason);
    return [decoded.envelope];
  }

  /** Runs the handler on one event; never rejects (failures are counted). */
  private async handle(envelope: Envelope): Promise<void> {
    try {
      await this.handler(envelope);
      this.ctx.counters.delivered++;
    } catch (err) {
      this.ctx.counters.handlerErrors++;
      this.ctx.warnHandlerError({ pattern: this.pattern, err: (err as Error)?.message ?? String(err) });
    }
  }

  /**
   * Up to `concurrency` handlers of one fetched batch run at once; an offset is resolved only
   * when its handler and every earlier one settled, so the committed position never passes an
   * event still being handled.
   */
  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const work = this.runBatch(payload);
    this.inFlight = work;
    await work;
    this.inFlight = undefined;
  }

  private async runBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    // One entry per event; a record's offset rides on its last event (a bundle has several).
    const window: { offset: string | undefined; done: Promise<void> }[] = [];
    let head = 0;
    const settleHead = async (): Promise<void> => {
      const entry = window[head++] as { offset: string | undefined; done: Promise<void> };
      await entry.done;
      if (entry.offset !== undefined && isRunning() && !isStale()) resolveOffset(entry.offset);
    };
    const push = async (offset: string | undefined, done: Promise<void>): Promise<void> => {
      window.push({ offset, done });
      while (window.length - head >= this.concurrency) {
        await settleHead();
        await heartbeat();
      }
    };
    const settled = Promise.resolve();
    for (const message of batch.messages) {
      if (!isRunning() || isStale()) break;
      const envelopes = this.unpack(batch.topic, batch.partition, message);
      if (envelopes.length === 0) await push(message.offset, settled);
      for (let i = 0; i < envelopes.length; i++) {
        await push(i === envelopes.length - 1 ? message.offset : undefined, this.handle(envelopes[i] as Envelope));
      }
    }
    while (head < window.length) await settleHead();
    await heartbeat();
    await commitOffsetsIfNecessary();
  }

  /** Stops delivery: leaves the group after the handler in flight (bounded wait). Idempotent. */
  async unsubscribe(): Promise<void> {
    if (this.currentState === 'stopped') return;
    this.setState('stopped');
    clearTimeout(this.restartTimer);
    this.wake?.();
    this.resolveReady();
    const deadline = this.ctx.closeTimeoutMs;
    const result = await withTimeout(
      (async () => {
        await this.starting?.catch(() => undefined);
        await this.consumer?.disconnect().catch(() => undefined);
        await this.inFlight;
      })(),
      deadline,
    );
    if (result === 'timeout') this.ctx.log.warn('Kafka consumer did not stop in time', { group: this.group, ms: deadline });
    this.consumer = undefined;
  }
}
