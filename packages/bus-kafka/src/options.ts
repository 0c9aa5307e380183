// Options of a Kafka transport: what callers pass to openKafkaTransport, and the compiled form
// with every default applied (written once, here).
import { ConfigError, type Logger } from '@decnet/core';

/** Partitions of each per-root topic: a few instances of one worker can share the work. */
export const DEFAULT_PARTITIONS = 4;
/** A publish not acknowledged within this budget rejects with BusUnavailableError. */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 30_000;
/** First wait after Kafka was unreachable at open; doubles up to {@link MAX_CONNECT_BACKOFF_MS}. */
export const INITIAL_CONNECT_BACKOFF_MS = 1_000;
/** Longest wait between two connection attempts at open, and between consumer restarts. */
export const MAX_CONNECT_BACKOFF_MS = 30_000;
/** How long close() waits for handlers in flight and queued publishes before it gives up. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/** Options for {@link openKafkaTransport}. */
export interface KafkaTransportOptions {
  /** Bootstrap servers, `host:port`. */
  readonly brokers: readonly string[];
  /** Prefix of every topic and consumer group (`decnet` → `decnet.attacker`). */
  readonly prefix: string;
  /** This process's instance id: names broadcast groups and the Kafka client id. */
  readonly instanceId: string;
  /** Diagnostics; kafkajs's own lines are routed here at debug, with rate-limited warnings. */
  readonly log: Logger;
  /** Aborting stops the connection retries of open (which then rejects). */
  readonly signal?: AbortSignal;
  /** Partitions of topics this transport creates. @default 4 */
  readonly partitions?: number;
  /** Budget for one publish to be acknowledged. @default 30000 */
  readonly publishTimeoutMs?: number;
  /** Budget for close() to drain handlers and publishes. @default 10000 */
  readonly closeTimeoutMs?: number;
}

/** {@link KafkaTransportOptions} with defaults applied. */
export interface CompiledKafkaTransportOptions {
  readonly brokers: readonly string[];
  readonly prefix: string;
  readonly instanceId: string;
  readonly log: Logger;
  readonly signal: AbortSignal | undefined;
  readonly partitions: number;
  readonly publishTimeoutMs: number;
  readonly closeTimeoutMs: number;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/**
 * Validates options and applies defaults.
 * @throws ConfigError naming the first invalid option.
 */
export function compileOptions(options: KafkaTransportOptions): CompiledKafkaTransportOptions {
  if (options.brokers.length === 0 || options.brokers.some((b) => !/^\S+:\d+$/.test(b))) {
    throw new ConfigError('KAFKA_BROKERS', 'host:port[,host:port...]', options.brokers.join(','));
  }
  if (!PREFIX_PATTERN.test(options.prefix) || options.prefix.length > 100) {
    throw new ConfigError('DECNET_KAFKA_PREFIX', 'letters, digits, _ - and single dots', options.prefix);
  }
  const partitions = options.partitions ?? DEFAULT_PARTITIONS;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
    throw new ConfigError('partitions', 'an integer from 1 to 1024', String(partitions));
  }
  return {
    brokers: [...options.brokers],
    prefix: options.prefix,
    instanceId: options.instanceId,
    log: options.log,
    signal: options.signal,
    partitions,
    publishTimeoutMs: options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS,
    closeTimeoutMs: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
  };
}
