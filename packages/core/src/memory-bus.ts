// In-process bus: the same subject matching, envelope and group semantics as Kafka, with
// bounded per-subscription queues that hold publishers back when full (nothing accepted is
// dropped) and a short retention for groups that start `fromBeginning`. Used by tests and by
// `decnet up`.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Bus, BusStats, BusTransport, EventHandler, SubscribeOptions, Subscription } from './bus.js';
import { defaultGroup, emptyBusStats } from './bus.js';
import { createEnvelope, decodeEnvelope, encodeEnvelope, type Envelope, type Payload, type PublishOptions } from './envelope.js';
import { IllegalStateError } from './errors.js';
import { everyNth, silentLogger, type Logger } from './logger.js';
import { assertPattern, matchSubject } from './subjects.js';

/**
 * Queue capacity per subscription; beyond it a publish waits for room (a `lossy` subscription
 * drops its oldest event instead, counted).
 */
export const DEFAULT_QUEUE_SIZE = 1024;

/**
 * What a {@link MemoryBroker} keeps for groups that subscribe later with `fromBeginning`, as a
 * Kafka topic keeps its log: the last `events` published within `ms`. In one process this covers
 * start-up, where a producer may publish before its consumer has subscribed.
 */
export interface MemoryRetention {
  /** @default 4096 */
  readonly events: number;
  /** @default 60000 */
  readonly ms: number;
}

export const DEFAULT_RETENTION: MemoryRetention = { events: 4096, ms: 60_000 };

interface Retained {
  readonly subject: string;
  readonly encoded: string;
  readonly at: number;
}

/** A publish waiting for room in a full queue; admitted in arrival order. */
interface Waiter {
  readonly encoded: string;
  readonly admit: () => void;
}

/**
 * Set while a handler runs (and in everything it starts). A publish made from inside a handler
 * never waits for room: its own queue may be the full one, or a chain of handlers may wait on
 * each other. Such publishes are derived from an event that was itself held back at the source.
 */
const inHandler = new AsyncLocalStorage<true>();

interface Member {
  readonly pattern: string;
  readonly group: string;
  readonly handler: EventHandler;
  /** Runs a callback in the subscriber's async context, so failures are attributed to it. */
  readonly inContext: <R>(fn: () => R) => R;
  readonly capacity: number;
  /** Handler invocations in flight at once (SubscribeOptions.concurrency). */
  readonly concurrency: number;
  readonly owner: MemoryBus;
  /** Drop the oldest event instead of holding publishers back (wake-ups, live views). */
  readonly lossy: boolean;
  readonly queue: string[];
  /** Publishes waiting for room, oldest first. */
  readonly waiting: Waiter[];
  draining: Promise<void> | undefined;
  active: boolean;
}

/**
 * The shared hub behind a set of {@link MemoryBus} handles in one process. Each worker gets
 * its own handle from {@link MemoryBroker.connect}; handles see each other's events.
 */
export class MemoryBroker implements BusTransport {
  private readonly members: Member[] = [];
  private readonly cursors = new Map<string, number>();
  private readonly handles = new Set<MemoryBus>();
  /** Every group that ever subscribed: only a new group starts from the retained events. */
  private readonly groups = new Set<string>();
  private retained: Retained[] = [];

  constructor(
    private readonly retention: MemoryRetention = DEFAULT_RETENTION,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A new bus handle named `clientName`. */
  connect(clientName: string, log: Logger = silentLogger): MemoryBus {
    const bus = new MemoryBus(this, clientName, log);
    this.handles.add(bus);
    return bus;
  }

  /** Closes every handle made by {@link MemoryBroker.connect}. */
  async close(): Promise<void> {
    const handles = [...this.handles];
    this.handles.clear();
    await Promise.all(handles.map((h) => h.close()));
  }

  /**
   * @internal Adds a member; a member of a group never seen before that asked for
   * `fromBeginning` first receives the retained events its pattern matches, oldest first.
   */
  add(member: Member, fromBeginning: boolean): void {
    const isNewGroup = !this.groups.has(member.group);
    this.groups.add(member.group);
    this.members.push(member);
    if (!fromBeginning || !isNewGroup) return;
    // Replayed history may exceed the queue: it is bounded by the retention, and nobody waits on it.
    for (const event of this.live()) {
      if (matchSubject(member.pattern, event.subject)) void member.owner.enqueue(member, event.encoded, true);
    }
  }

  /** Retained events still inside the window. */
  private live(): Retained[] {
    const oldest = this.now() - this.retention.ms;
    let first = Math.max(0, this.retained.length - this.retention.events);
    while (first < this.retained.length && (this.retained[first] as Retained).at < oldest) first++;
    if (first > 0) this.retained = this.retained.slice(first);
    return this.retained;
  }

  private retain(subject: string, encoded: string): void {
    if (this.retention.events <= 0) return;
    this.retained.push({ subject, encoded, at: this.now() });
    // Trim in bulk, so each publish stays O(1) amortised.
    if (this.retained.length >= 2 * this.retention.events) this.live();
  }

  /** @internal */
  remove(member: Member): void {
    const i = this.members.indexOf(member);
    if (i >= 0) this.members.splice(i, 1);
  }

  /**
   * @internal Routes one encoded event: one member per matching group, round-robin. Returns a
   * promise when a chosen member's queue is full and the publisher must wait for room.
   */
  route(subject: string, encoded: string): Promise<void> | undefined {
    this.retain(subject, encoded);
    const force = inHandler.getStore() === true;
    let waits: Promise<void>[] | undefined;
    const byGroup = new Map<string, Member[]>();
    for (const m of this.members) {
      if (!m.active || !matchSubject(m.pattern, subject)) continue;
      const list = byGroup.get(m.group);
      if (list) list.push(m);
      else byGroup.set(m.group, [m]);
    }
    for (const [group, candidates] of byGroup) {
      const cursor = this.cursors.get(group) ?? 0;
      const chosen = candidates[cursor % candidates.length] as Member;
      this.cursors.set(group, cursor + 1);
      const wait = chosen.owner.enqueue(chosen, encoded, force);
      if (wait) (waits ??= []).push(wait);
    }
    if (!waits) return undefined;
    return waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
  }
}

/** One worker's handle on a {@link MemoryBroker}. */
export class MemoryBus implements Bus {
  private readonly counters: BusStats = emptyBusStats();
  private readonly own = new Set<Member>();
  private closed = false;
  private readonly warnHandlerError: ReturnType<typeof everyNth>;
  private readonly warnDropped: ReturnType<typeof everyNth>;
  private readonly warnClosed: ReturnType<typeof everyNth>;
  private readonly warnMalformed: ReturnType<typeof everyNth>;

  constructor(
    private readonly broker: MemoryBroker,
    readonly clientName: string,
    private readonly log: Logger = silentLogger,
  ) {
    this.warnHandlerError = everyNth(log, 'warn', 'bus handler failed');
    this.warnDropped = everyNth(log, 'warn', 'lossy bus queue full, dropped oldest event');
    this.warnClosed = everyNth(log, 'warn', 'publish after bus close dropped', 1_000_000);
    this.warnMalformed = everyNth(log, 'warn', 'malformed bus message skipped');
  }

  async publish(subject: string, payload: Payload, options: PublishOptions = {}): Promise<void> {
    const envelope = createEnvelope(subject, payload, options, this.clientName);
    const encoded = encodeEnvelope(envelope).toString('utf8');
    if (this.closed) {
      this.counters.dropped++;
      this.warnClosed({ subject });
      return;
    }
    this.counters.published++;
    const wait = this.broker.route(subject, encoded);
    if (wait) await wait;
  }

  subscribe(pattern: string, handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    if (this.closed) throw new IllegalStateError('subscribe', 'closed');
    assertPattern(pattern);
    const group = options.broadcast
      ? `${this.clientName}:${pattern}:${randomUUID()}`
      : (options.group ?? defaultGroup(this.clientName, pattern));
    const member: Member = {
      pattern,
      group,
      handler,
      inContext: AsyncLocalStorage.snapshot(),
      capacity: options.queueSize ?? DEFAULT_QUEUE_SIZE,
      concurrency: Math.max(1, Math.floor(options.concurrency ?? 1)),
      owner: this,
      lossy: options.lossy === true,
      queue: [],
      waiting: [],
      draining: undefined,
      active: true,
    };
    this.own.add(member);
    this.broker.add(member, options.fromBeginning === true && options.broadcast !== true);
    return {
      pattern,
      group,
      ready: Promise.resolve(),
      unsubscribe: () => this.detach(member),
    };
  }

  /**
   * @internal Called by the broker with an encoded event for `member`. When the queue is full
   * (or publishers already wait) the event waits its turn and the returned promise resolves once
   * it is queued; `force` queues it at once regardless (replays, publishes made by handlers).
   */
  enqueue(member: Member, encoded: string, force = false): Promise<void> | undefined {
    if (member.queue.length >= member.capacity || member.waiting.length > 0) {
      if (member.lossy) {
        member.queue.shift();
        this.counters.dropped++;
        this.warnDropped({ pattern: member.pattern, capacity: member.capacity });
      } else if (!force) {
        return new Promise<void>((admit) => member.waiting.push({ encoded, admit }));
      }
    }
    member.queue.push(encoded);
    // Drain in the subscriber's async context, not the publisher's.
    if (!member.draining) member.draining = member.inContext(() => this.drain(member));
    return undefined;
  }

  /** Moves waiting publishes into the queue while it has room, in arrival order. */
  private admit(member: Member): void {
    while (member.waiting.length > 0 && member.queue.length < member.capacity) {
      const waiter = member.waiting.shift() as Waiter;
      member.queue.push(waiter.encoded);
      waiter.admit();
    }
  }

  private async drain(member: Member): Promise<void> {
    // Yield first so a publisher's loop never runs handlers re-entrantly.
    await Promise.resolve();
    const inFlight = new Set<Promise<void>>();
    while (member.active && (member.queue.length > 0 || inFlight.size > 0)) {
      if (member.queue.length === 0 || inFlight.size >= member.concurrency) {
        await Promise.race(inFlight);
        continue;
      }
      const encoded = member.queue.shift() as string;
      if (member.waiting.length > 0) this.admit(member);
      // Each delivery decodes its own copy: no handler can mutate another's event.
      const decoded = decodeEnvelope(encoded);
      if (!decoded.ok) {
        this.counters.malformed++;
        this.warnMalformed({ reason: decoded.reason });
        continue;
      }
      const run = this.deliver(member, decoded.envelope).finally(() => inFlight.delete(run));
      inFlight.add(run);
    }
    await Promise.all(inFlight);
    member.draining = undefined;
  }

  private async deliver(member: Member, event: Envelope): Promise<void> {
    try {
      await inHandler.run(true, () => member.handler(event));
      this.counters.delivered++;
    } catch (err) {
      this.counters.handlerErrors++;
      this.warnHandlerError({ pattern: member.pattern, err: (err as Error)?.message ?? String(err) });
    }
  }

  private async detach(member: Member): Promise<void> {
    if (!member.active) return;
    member.active = false;
    this.broker.remove(member);
    this.own.delete(member);
    member.queue.length = 0;
    // Publishers waiting on a member that is gone are let go; the group no longer exists here.
    for (const waiter of member.waiting.splice(0)) waiter.admit();
    await member.draining;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.own].map((m) => this.detach(m)));
    this.log.debug('memory bus closed', { client: this.clientName });
  }

  stats(): BusStats {
    return { ...this.counters };
  }
}

/** A bus that drops every publish and never delivers (`DECNET_BUS=none`). */
export class NullBus implements Bus {
  private readonly counters = emptyBusStats();
  constructor(readonly clientName: string) {}
  async publish(): Promise<void> {
    this.counters.dropped++;
  }
  subscribe(pattern: string): Subscription {
    assertPattern(pattern);
    return { pattern, group: 'null', ready: Promise.resolve(), unsubscribe: async () => undefined };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  stats(): BusStats {
    return { ...this.counters };
  }
}
