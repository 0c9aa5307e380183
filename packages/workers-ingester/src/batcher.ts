// Groups events into batches for one database transaction each. A batch goes out when it is
// full, when its oldest event has waited `maxWaitMs`, or when no event arrived for `idleMs`
// (a bus that hands out one event at a time is then not made to wait). Up to `maxConcurrent`
// batches are written at once. In `commit` mode each event's promise resolves only once its
// batch committed, so the bus acknowledges it only then; in `receive` mode it resolves on
// arrival (bounded by `maxBuffered`).

/** When an event counts as handled towards the bus. */
export type AckMode = 'commit' | 'receive';

/** Tunables of a {@link Batcher}. */
export interface BatcherOptions {
  readonly maxSize: number;
  readonly maxWaitMs: number;
  readonly idleMs: number;
  readonly ack: AckMode;
  /** `receive` mode: events held (buffered plus being written) before `add` waits. */
  readonly maxBuffered: number;
  /** Batches written at once. @default 1 */
  readonly maxConcurrent?: number;
}

interface Entry<T> {
  readonly item: T;
  readonly settle: () => void;
}

/**
 * Writes a batch; resolves when it is durable. Rejecting means the batch was abandoned (the
 * worker is stopping): its events stay unacknowledged in `commit` mode.
 */
export type FlushFn<T> = (items: T[]) => Promise<void>;

/** The batch buffer. */
export class Batcher<T> {
  private buffer: Entry<T>[] = [];
  private writing = 0;
  private readonly flushes = new Set<Promise<void>>();
  private firstAt = 0;
  private lastAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private spaceWaiters: (() => void)[] = [];
  private stopped = false;
  private readonly maxConcurrent: number;

  constructor(
    private readonly options: BatcherOptions,
    private readonly flushFn: FlushFn<T>,
  ) {
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 1);
  }

  /** Events buffered and not yet in a flush. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Events held: buffered plus the batches being written. */
  get held(): number {
    return this.buffer.length + this.writing;
  }

  /**
   * Adds an event. `commit` mode: resolves when its batch committed (never, if the batch is
   * abandoned at stop). `receive` mode: resolves once there is room.
   */
  async add(item: T): Promise<void> {
    if (this.options.ack === 'receive') {
      while (this.held >= this.options.maxBuffered && !this.stopped) {
        await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
      }
      this.push({ item, settle: () => undefined });
      return;
    }
    await new Promise<void>((resolve) => this.push({ item, settle: resolve }));
  }

  /** Writes everything buffered and waits for every flush in progress. Used at stop. */
  async drain(): Promise<void> {
    this.clearTimer();
    while (this.buffer.length > 0 || this.flushes.size > 0) {
      while (this.buffer.length > 0 && this.flushes.size < this.maxConcurrent) this.startFlush();
      await Promise.race(this.flushes);
    }
  }

  /** Stops scheduling: later adds are buffered but nothing flushes until {@link drain}. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }

  private push(entry: Entry<T>): void {
    this.lastAt = Date.now();
    if (this.buffer.length === 0) this.firstAt = this.lastAt;
    this.buffer.push(entry);
    if (this.stopped) return;
    if (this.buffer.length >= this.options.maxSize && this.flushes.size < this.maxConcurrent) {
      this.startFlush();
      return;
    }
    this.schedule();
  }

  /** When the buffer is due: its oldest event's deadline, or `idleMs` after the last arrival. */
  private dueAt(): number {
    return Math.min(this.firstAt + this.options.maxWaitMs, this.lastAt + this.options.idleMs);
  }

  private schedule(): void {
    if (this.flushes.size >= this.maxConcurrent || this.buffer.length === 0 || this.stopped || this.timer) return;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, this.dueAt() - Date.now()));
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.flushes.size >= this.maxConcurrent || this.buffer.length === 0 || this.stopped) return;
    // Events kept arriving: not idle yet, unless the oldest has waited long enough.
    if (Date.now() < this.dueAt()) this.schedule();
    else this.startFlush();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private startFlush(): void {
    this.clearTimer();
    const batch = this.buffer.splice(0, this.options.maxSize);
    this.writing += batch.length;
    if (this.buffer.length > 0) this.firstAt = Date.now();
    const flush: Promise<void> = this.flushFn(batch.map((e) => e.item)).then(
      () => {
        for (const e of batch) e.settle();
      },
      () => {
        // Abandoned (stopping): commit-mode events stay unacknowledged for the bus to redeliver.
      },
    );
    this.flushes.add(flush);
    void flush.then(() => {
      this.flushes.delete(flush);
      this.writing -= batch.length;
      this.afterFlush();
    });
  }

  private afterFlush(): void {
    for (const wake of this.spaceWaiters.splice(0)) wake();
    if (this.stopped) return;
    while (
      this.flushes.size < this.maxConcurrent &&
      (this.buffer.length >= this.options.maxSize || (this.buffer.length > 0 && Date.now() >= this.dueAt()))
    ) {
      this.startFlush();
    }
    this.schedule();
  }
}
