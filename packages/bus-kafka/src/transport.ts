// A process's connection to Kafka: one kafkajs client, one idempotent producer and one admin
// shared by every worker hosted in the process; opening it waits for the broker and creates the
// topic layout.
import { BusUnavailableError, IllegalStateError, silentLogger, type BusTransport, type Logger } from '@decnet/core';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { KafkaBus, type KafkaBusContext } from './kafka-bus.js';
import { kafkaLogCreator } from './kafka-log.js';
import {
  compileOptions,
  INITIAL_CONNECT_BACKOFF_MS,
  MAX_CONNECT_BACKOFF_MS,
  type CompiledKafkaTransportOptions,
  type KafkaTransportOptions,
} from './options.js';
import { Publisher } from './publisher.js';
import { topicSpecs } from './topics.js';

/** A connection attempt to a dead address fails after this long. */
const CONNECTION_TIMEOUT_MS = 3_000;
/** Broker requests (a produce waiting on acks=all, a join) fail after this long. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Longest wait for freshly created topics to get partition leaders. */
const NEW_TOPIC_READY_MS = 15_000;
/** kafkajs's retries for admin and metadata requests once connected. */
const CLIENT_RETRY = { retries: 8, initialRetryTime: 300, maxRetryTime: 5_000 } as const;

/** Where a transport stands. */
export type KafkaTransportState =
  /** Connected; handles can be made. */
  | 'open'
  /** close() is draining handles and the producer. */
  | 'closing'
  /** Closed; connect() throws. */
  | 'closed';

/**
 * A {@link BusTransport} on Kafka. Made by {@link openKafkaTransport}; each worker gets its own
 * {@link KafkaBus} from {@link KafkaTransport.connect}.
 */
export class KafkaTransport implements BusTransport {
  private readonly handles = new Set<KafkaBus>();
  private currentState: KafkaTransportState = 'open';
  private closing: Promise<void> | undefined;
  private readonly context: KafkaBusContext;

  /** @internal Use {@link openKafkaTransport}. */
  constructor(
    private readonly options: CompiledKafkaTransportOptions,
    kafka: Kafka,
    private readonly admin: Admin,
    private readonly publisher: Publisher,
  ) {
    this.context = {
      kafka,
      admin,
      publisher,
      prefix: options.prefix,
      instanceId: options.instanceId,
      address: options.brokers.join(','),
      closeTimeoutMs: options.closeTimeoutMs,
    };
  }

  /** The lifecycle state. */
  get state(): KafkaTransportState {
    return this.currentState;
  }

  /** Prefix of every topic and group of this transport. */
  get prefix(): string {
    return this.options.prefix;
  }

  /**
   * A bus handle for the worker (or tool) named `clientName`.
   * @throws IllegalStateError once the transport is closing or closed.
   */
  connect(clientName: string, log: Logger = this.options.log): KafkaBus {
    if (this.currentState !== 'open') throw new IllegalStateError('connect', this.currentState);
    const bus = new KafkaBus(this.context, clientName, log);
    this.handles.add(bus);
    return bus;
  }

  /**
   * Closes every handle (handlers in flight get `closeTimeoutMs`), flushes queued publishes
   * within the same budget, and disconnects. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.setState('closing');
      const handles = [...this.handles];
      this.handles.clear();
      await Promise.all(handles.map((h) => h.close()));
      await this.publisher.close(this.options.closeTimeoutMs);
      await this.admin.disconnect().catch(() => undefined);
      this.setState('closed');
    })();
    return this.closing;
  }

  private setState(next: KafkaTransportState): void {
    this.options.log.info('kafka transport state', { from: this.currentState, to: next });
    this.currentState = next;
  }
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function isConnectionFailure(err: unknown): boolean {
  const name = (err as Error | undefined)?.name ?? '';
  return /Connection|NoBrokerAvailable|BrokerNotFound|RequestTimeout|NumberOfRetriesExceeded/.test(name);
}

async function ensureTopics(admin: Admin, options: CompiledKafkaTransportOptions): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topicSpecs(options.prefix, options.partitions).filter((spec) => !existing.has(spec.topic));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: false });
  } catch (err) {
    // Another process created some of them first: fine if they all exist now.
    const now = new Set(await admin.listTopics());
    if (missing.some((spec) => !now.has(spec.topic))) throw err;
  }
  // A new topic answers offset requests once its partitions have leaders.
  const created = missing.map((spec) => spec.topic);
  const deadline = Date.now() + NEW_TOPIC_READY_MS;
  for (const topic of created) {
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  return created;
}

/**
 * Connects to Kafka and creates the topic layout (idempotently). While the brokers are
 * unreachable it logs one line per attempt naming them ("Kafka unreachable at 127.0.0.1:9092;
 * retrying in 2s") and retries with backoff from 1 s doubling to 30 s, until connected or until
 * `signal` aborts.
 * @throws ConfigError for invalid options; BusUnavailableError when `signal` aborts first.
 */
export async function openKafkaTransport(input: KafkaTransportOptions): Promise<KafkaTransport> {
  const options = compileOptions(input);
  const log = options.log ?? silentLogger;
  const address = options.brokers.join(',');
  const clientId = `${options.prefix}.${options.instanceId}`;
  const kafka = new Kafka({
    clientId,
    brokers: [...options.brokers],
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    retry: CLIENT_RETRY,
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(log),
  });
  // Attempts at open fail fast and quietly; this loop does the retrying and the logging.
  const probe = new Kafka({
    clientId,
    brokers: [...options.brokers],
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  let backoff = INITIAL_CONNECT_BACKOFF_MS;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new BusUnavailableError(address, { cause: options.signal.reason });
    const probeAdmin = probe.admin({ retry: { retries: 0 } });
    const admin = kafka.admin();
    const publisher = new Publisher(kafka, address, options.publishTimeoutMs, log, async (topic) => {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      return metadata.topics[0]?.partitions.length ?? 0;
    });
    try {
      await probeAdmin.connect();
      await probeAdmin.describeCluster();
      await admin.connect();
      const created = await ensureTopics(admin, options);
      await publisher.connect();
      log.info('kafka transport open', { brokers: address, prefix: options.prefix, topicsCreated: created.length, attempt });
      return new KafkaTransport(options, kafka, admin, publisher);
    } catch (err) {
      await Promise.all([publisher.close(0), admin.disconnect().catch(() => undefined)]);
      const seconds = backoff / 1000;
      const detail = { brokers: address, retryInMs: backoff, attempt, error: (err as Error).message };
      if (isConnectionFailure(err)) log.warn(`Kafka unreachable at ${address}; retrying in ${seconds}s`, detail);
      else log.warn(`Kafka set-up failed at ${address}; retrying in ${seconds}s`, detail);
      await abortableSleep(backoff, options.signal);
      backoff = Math.min(backoff * 2, MAX_CONNECT_BACKOFF_MS);
    } finally {
      await probeAdmin.disconnect().catch(() => undefined);
    }
  }
}
