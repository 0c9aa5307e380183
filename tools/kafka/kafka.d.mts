// Types for kafka.mjs, the local single-node Kafka used by development and tests.

/** Anything with these methods: a decnet Logger, console, or nothing. */
export interface KafkaToolLog {
  debug?(message: string, meta?: Record<string, unknown>): void;
  info?(message: string, meta?: Record<string, unknown>): void;
  warn?(message: string, meta?: Record<string, unknown>): void;
  error?(message: string, meta?: Record<string, unknown>): void;
}

/** Options for {@link startKafka}. */
export interface StartKafkaOptions {
  /** Broker data; kept across restarts. @default a fresh temp dir, deleted by `stop()` */
  dataDir?: string;
  /** Client port on 127.0.0.1. @default a free port */
  port?: number;
  /** KRaft controller port on 127.0.0.1. @default a free port */
  controllerPort?: number;
  /** Diagnostics (fetch progress, ready, stopped). @default silent */
  log?: KafkaToolLog;
  /** Give up waiting for the broker after this long. @default 120000 */
  readyTimeoutMs?: number;
  /** Leave the broker running when this process exits (the CLI's `start`). @default false */
  detached?: boolean;
  /** With `detached`: a process whose death lets a later start reap this broker. */
  ownerPid?: number;
}

/** A running broker. */
export interface KafkaBroker {
  /** Bootstrap servers, e.g. `['127.0.0.1:39211']`. */
  readonly brokers: string[];
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  /** The java process id (changes on restart). */
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 20 s; deletes a temp data dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; data is kept for `restart()`. */
  kill(): Promise<void>;
  /** Stops (gracefully, if running) and starts again on the same ports and data dir. */
  restart(): Promise<void>;
}

/** Broker version the pom fetches. */
export const KAFKA_VERSION: string;
/** tools/kafka/.kafka: jars, run registry, CLI data. */
export const KAFKA_HOME: string;
/** Partitions of topics created without an explicit count. */
export const DEFAULT_PARTITIONS: number;

/**
 * Starts a single-node KRaft broker (combined broker + controller) on 127.0.0.1, fetching the jars
 * with Maven first if needed, and resolves once it serves metadata and group requests.
 * @throws Error when java or Maven fails, or the broker is not ready in time (with its log tail).
 */
export function startKafka(options?: StartKafkaOptions): Promise<KafkaBroker>;
/** Fetches the broker jars once (serialised across processes by a lock file); resolves to the lib dir. */
export function ensureKafkaJars(options?: { log?: KafkaToolLog }): Promise<string>;
/** A free TCP port on 127.0.0.1. */
export function findFreePort(): Promise<number>;
/** Kills brokers this tool started whose owner process has died. */
export function reapOrphanBrokers(log?: KafkaToolLog): void;
