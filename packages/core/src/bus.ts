// The Bus interface every worker codes against, and the options and counters it shares
// across implementations (MemoryBus here, KafkaBus in @decnet/bus-kafka).
import type { Envelope, Payload, PublishOptions } from './envelope.js';
import type { Logger } from './logger.js';

/** Called once per delivered event; a throw or rejection is counted and logged, never fatal. */
export type EventHandler = (event: Envelope) => void | Promise<void>;

/** How a subscription shares or receives events. */
export interface SubscribeOptions {
  /**
   * Subscriptions in one group share its events: each event goes to one member. Instances
   * of a worker use the same group, so adding instances spreads the work.
   * @default `<clientName>:<pattern>`
   */
  group?: string;
  /** Every instance gets every event (control subjects). Overrides `group`. @default false */
  broadcast?: boolean;
  /** A group with no stored position starts at the oldest retained event. @default false */
  fromBeginning?: boolean;
  /**
   * Events waiting for this handler before a publish waits for room (MemoryBus; publishes made
   * from inside a handler never wait). @default 1024
   */
  queueSize?: number;
  /**
   * For wake-ups and live views that catch up elsewhere: when the queue is full, drop the
   * oldest event (counted in `dropped`) instead of holding publishers back. @default false
   */
  lossy?: boolean;
  /**
   * Handler invocations in flight at once for this subscription. The bus's position (Kafka
   * offset) only moves past an event once its handler and every earlier one settled, so a
   * handler that resolves after its work is durable loses nothing on a crash. @default 1
   */
  concurrency?: number;
}

/** A live subscription. */
export interface Subscription {
  readonly pattern: string;
  readonly group: string;
  /** Resolves when the subscription receives events (Kafka group joins take seconds). */
  readonly ready: Promise<void>;
  /** Stops delivery; waits for the handler in flight. Idempotent. */
  unsubscribe(): Promise<void>;
}

/** Counters every bus reports in health. */
export interface BusStats {
  published: number;
  delivered: number;
  handlerErrors: number;
  /** Events dropped: full `lossy` queues, or publishes after close. */
  dropped: number;
  /** Messages refused at decode: bad JSON, over 1 MiB, wrong envelope. */
  malformed: number;
}

/** A handle on the event bus, one per worker. */
export interface Bus {
  /** Who publishes through this handle; stamped as `origin` on each envelope. */
  readonly clientName: string;
  /**
   * Publishes one event; resolves once the bus has accepted it (for Kafka: acknowledged by
   * the broker). After `close()` the event is dropped with one warning.
   * @throws InvalidSubjectError, MessageTooLargeError; BusUnavailableError when the broker
   *   cannot be reached within the retry budget.
   */
  publish(subject: string, payload: Payload, options?: PublishOptions): Promise<void>;
  /**
   * Registers `handler` for subjects matching `pattern`. Registration is synchronous;
   * await `ready` before relying on delivery.
   * @throws InvalidSubjectError for a malformed pattern; IllegalStateError after close.
   */
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription;
  /** Ends every subscription and releases connections. Idempotent. */
  close(): Promise<void>;
  stats(): BusStats;
}

/** Zeroed counters. */
export function emptyBusStats(): BusStats {
  return { published: 0, delivered: 0, handlerErrors: 0, dropped: 0, malformed: 0 };
}

/** Group name a subscription uses when none is given. */
export function defaultGroup(clientName: string, pattern: string): string {
  return `${clientName}:${pattern}`;
}

/**
 * A process's connection to a bus backend; each worker gets its own {@link Bus} handle from it,
 * so one process shares sockets and producers between the workers it hosts.
 */
export interface BusTransport {
  /** A handle for the worker (or tool) named `clientName`. */
  connect(clientName: string, log?: Logger): Bus;
  /** Closes every handle and the shared connections. Idempotent. */
  close(): Promise<void>;
}
