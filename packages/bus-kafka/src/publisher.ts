// The transport's one idempotent producer. Publishes queue briefly and go out in batches (kafkajs
// sends one request at a time per broker for an idempotent producer); each publish resolves when
// the broker acknowledged its batch (acks=all) or rejects after the publish budget.
import { BusUnavailableError, everyNth, type Logger } from '@decnet/core';
import type { Kafka, Message, Producer } from 'kafkajs';
import { KafkaPublishRejectedError } from './errors.js';
import { BUNDLE_HEADER, BUNDLE_VERSION, bundleRuns, packBundle } from './bundle.js';
import { FastDefaultPartitioner, partitionForKey } from './partitioner.js';

/** Bytes of record data per produce request; a partition's batch must fit the topic's 1 MiB+ cap. */
const MAX_BATCH_BYTES = 1024 * 1024;
/** Records per produce request; larger batches gain little on loopback and delay acknowledgements. */
const MAX_BATCH_MESSAGES = 2_000;
/** Publishes waiting for the broker; beyond this a publish fails at once (the broker is not keeping up). */
const MAX_PENDING = 50_000;
/** Framing per record on top of key, value and headers, for the batch-size estimate. */
const RECORD_OVERHEAD_BYTES = 64;
/** kafkajs's own retries per request, kept short so our loop sees failures and can give up. */
const PRODUCER_RETRY = { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 } as const;
/** Wait between two of our attempts at one batch. */
const RESEND_BACKOFF_MS = { initial: 200, max: 2_000 } as const;
/** The broker waits this long for in-sync replicas before failing a produce (acks=all). */
const PRODUCE_TIMEOUT_MS = 30_000;

/** Broker errors that mean the producer's id or sequence state is void: make a new producer. */
const PRODUCER_STATE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'PRODUCER_FENCED',
]);

interface Pending {
  readonly topic: string;
  readonly message: Message;
  readonly bytes: number;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
  /** performance.now() after which the publish gives up. */
  readonly deadline: number;
  settled: boolean;
}

/** Partition counts are looked up again after this long (an operator may add partitions). */
const PARTITION_COUNT_TTL_MS = 60_000;

/** How often publishes past their budget are failed; one sweep instead of a timer per record. */
const SWEEP_MS = 100;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function errorType(err: unknown): string | undefined {
  let e = err as { type?: string; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string') return e.type;
    e = e.cause as typeof e;
  }
  return undefined;
}

function isRetriable(err: unknown): boolean {
  const e = err as { retriable?: boolean; name?: string; cause?: unknown } | undefined;
  if (e?.name === 'KafkaJSNumberOfRetriesExceeded') return true;
  if (e?.retriable === true) return true;
  const cause = e?.cause as { retriable?: boolean } | undefined;
  return cause?.retriable === true;
}

/**
 * Sends records through one idempotent kafkajs producer, in batches, with a bounded budget per
 * record. Owned by the transport; bus handles share it.
 */
export class Publisher {
  private producer: Producer;
  private readonly queue: Pending[] = [];
  /** The batch being sent: older than everything in `queue`. */
  private inFlight: readonly Pending[] = [];
  private sweeper: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly warnRetry: (meta?: Record<string, unknown>) => number;

  private readonly partitionCounts = new Map<string, { count: number; at: number }>();

  /**
   * @param partitionCount looks up a topic's partition count (for bundling); a failure or 0
   *   sends that topic's records one by one.
   */
  constructor(
    private readonly kafka: Kafka,
    private readonly address: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    private readonly partitionCount: (topic: string) => Promise<number> = async () => 0,
  ) {
    this.producer = this.createProducer();
    this.warnRetry = everyNth(log, 'warn', 'Kafka publish failed; retrying');
  }

  private createProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      allowAutoTopicCreation: false,
      createPartitioner: FastDefaultPartitioner,
      retry: PRODUCER_RETRY,
    });
  }

  /** Connects the producer (and obtains its producer id). */
  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /**
   * Queues one record; resolves when the broker acknowledged it.
   * @throws BusUnavailableError when not acknowledged within the budget or the queue is full;
   *   KafkaPublishRejectedError when the broker refused the batch for good.
   */
  send(topic: string, message: Message, valueBytes: number): Promise<void> {
    if (this.closed) return Promise.reject(new BusUnavailableError(this.address, { cause: new Error('transport closed') }));
    if (this.queue.length >= MAX_PENDING) {
      return Promise.reject(new BusUnavailableError(this.address, { cause: new Error(`${MAX_PENDING} publishes pending`) }));
    }
    return new Promise<void>((resolve, reject) => {
      let headerBytes = 0;
      for (const [k, v] of Object.entries(message.headers ?? {})) headerBytes += k.length + String(v).length;
      const pending: Pending = {
        topic,
        message,
        bytes: valueBytes + String(message.key ?? '').length + headerBytes + RECORD_OVERHEAD_BYTES,
        resolve,
        reject,
        deadline: performance.now() + this.timeoutMs,
        settled: false,
      };
      this.queue.push(pending);
      this.sweeper ??= setInterval(() => this.sweep(), Math.min(SWEEP_MS, this.timeoutMs)).unref();
      this.flushing ??= this.flushLoop();
    });
  }

  private settle(p: Pending, err?: Error): void {
    if (p.settled) return;
    p.settled = true;
    if (err) p.reject(err);
    else p.resolve();
  }

  /**
   * Fails publishes past their budget. Deadlines grow with arrival order, and the in-flight batch
   * is older than the queue, so each scan stops at the first publish still in time.
   */
  private sweep(): void {
    const now = performance.now();
    const expired = (p: Pending): boolean => !p.settled && p.deadline <= now;
    const fail = (p: Pending): void =>
      this.settle(p, new BusUnavailableError(this.address, { cause: new Error(`not acknowledged within ${this.timeoutMs} ms`) }));
    for (const p of this.inFlight) {
      if (p.deadline > now) break;
      if (expired(p)) fail(p);
    }
    for (const p of this.queue) {
      if (p.deadline > now) break;
      if (expired(p)) fail(p);
    }
    if (this.queue.length === 0 && this.inFlight.length === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let bytes = 0;
    let taken = 0;
    // One splice per batch: shifting a deep queue one record at a time is quadratic.
    for (; taken < this.queue.length && batch.length < MAX_BATCH_MESSAGES; taken++) {
      const next = this.queue[taken] as Pending;
      if (next.settled) continue;
      if (batch.length > 0 && bytes + next.bytes > MAX_BATCH_BYTES) break;
      batch.push(next);
      bytes += next.bytes;
    }
    this.queue.splice(0, taken);
    return batch;
  }

  private async flushLoop(): Promise<void> {
    // Let publishes issued in the same tick join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    try {
      for (;;) {
        const batch = this.takeBatch();
        if (batch.length === 0) break;
        this.inFlight = batch;
        await this.sendBatch(batch);
        this.inFlight = [];
      }
    } finally {
      this.inFlight = [];
      this.flushing = undefined;
    }
    // A publish may have arrived between the last take and the finally above.
    if (this.queue.length > 0 && !this.flushing) this.flushing = this.flushLoop();
  }

  private async partitionsOf(topic: string): Promise<number> {
    const cached = this.partitionCounts.get(topic);
    if (cached && performance.now() - cached.at < PARTITION_COUNT_TTL_MS) return cached.count;
    try {
      const count = await this.partitionCount(topic);
      this.partitionCounts.set(topic, { count, at: performance.now() });
      return count;
    } catch (err) {
      this.log.debug('Kafka partition count lookup failed; sending records one by one', { topic, error: (err as Error).message });
      return cached?.count ?? 0;
    }
  }

  /**
   * The records for one topic's publishes: keyed publishes bound for the same partition go out
   * as bundle records (in order, so a key's events keep their order); a lone or keyless publish
   * goes out as itself.
   */
  private async recordsFor(topic: string, pendings: readonly Pending[]): Promise<Message[]> {
    const single = pendings.map((p) => p.message);
    if (pendings.length < 2) return single;
    const count = await this.partitionsOf(topic);
    if (count <= 0) return single;
    const records: Message[] = [];
    const byPartition = new Map<number, Message[]>();
    for (const { message } of pendings) {
      if (message.key === null || message.key === undefined || message.value === null || typeof message.value === 'string') {
        records.push(message);
        continue;
      }
      const partition = partitionForKey(message.key, count);
      const list = byPartition.get(partition);
      if (list) list.push(message);
      else byPartition.set(partition, [message]);
    }
    for (const [partition, messages] of byPartition) {
      const values = messages.map((m) => m.value as Buffer);
      for (const [start, end] of bundleRuns(values.map((v) => v.length))) {
        if (end - start === 1) records.push(messages[start] as Message);
        else records.push({ partition, value: packBundle(values.slice(start, end)), headers: { [BUNDLE_HEADER]: BUNDLE_VERSION } });
      }
    }
    return records;
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Pending[]>();
    for (const p of batch) {
      const list = byTopic.get(p.topic);
      if (list) list.push(p);
      else byTopic.set(p.topic, [p]);
    }
    const topicMessages = await Promise.all([...byTopic].map(async ([topic, pendings]) => ({ topic, messages: await this.recordsFor(topic, pendings) })));
    let backoff: number = RESEND_BACKOFF_MS.initial;
    for (;;) {
      try {
        await this.producer.sendBatch({ acks: -1, timeout: PRODUCE_TIMEOUT_MS, topicMessages });
        for (const p of batch) this.settle(p);
        return;
      } catch (err) {
        const type = errorType(err);
        const everyoneGaveUp = batch.every((p) => p.settled);
        if (type !== undefined && PRODUCER_STATE_ERRORS.has(type)) {
          // Sequence state is void; a fresh producer id re-sends the batch (duplicates possible).
          this.log.warn('Kafka producer state lost; starting a new producer', { error: type });
          await this.replaceProducer();
          if (this.closed || everyoneGaveUp) return;
          continue;
        }
        if (!isRetriable(err) || this.closed || everyoneGaveUp) {
          const reason = type ?? (err as Error).message;
          const failure =
            isRetriable(err) || this.closed
              ? new BusUnavailableError(this.address, { cause: err })
              : new KafkaPublishRejectedError(batch[0]?.topic ?? '?', reason, { cause: err });
          for (const p of batch) this.settle(p, failure);
          // The batch may or may not have been written; sequences it used must not be reused.
          await this.replaceProducer();
          return;
        }
        this.warnRetry({ address: this.address, error: (err as Error).message, records: batch.length });
        await sleep(backoff);
        backoff = Math.min(backoff * 2, RESEND_BACKOFF_MS.max);
      }
    }
  }

  private async replaceProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.createProducer();
    await old.disconnect().catch(() => undefined);
    if (this.closed) return;
    try {
      await this.producer.connect();
    } catch (err) {
      // The next send connects on demand; keep the error for diagnostics only.
      this.log.debug('Kafka producer reconnect deferred', { error: (err as Error).message });
    }
  }

  /**
   * Stops accepting records, waits up to `timeoutMs` for queued ones, fails the rest with
   * BusUnavailableError and disconnects. Idempotent.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    const drained = this.flushing;
    if (drained) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)));
      await Promise.race([drained, timedOut]);
      clearTimeout(timer);
    }
    this.closed = true;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const p of this.queue.splice(0)) this.settle(p, new BusUnavailableError(this.address, { cause: new Error('transport closed') }));
    await this.producer.disconnect().catch(() => undefined);
  }
}
