// A bounded FIFO that drops its oldest item when full and counts what it dropped, so a slow
// receiver holds at most `capacity` events instead of growing memory without bound (upstream
// created one task per event). Pure.

/** A bounded drop-oldest queue. */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  /** Items dropped because the queue was full (or cleared). */
  dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Adds `item`; when full, drops the oldest first. @returns the dropped item, if any. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.size >= this.capacity) {
      dropped = this.shift();
      this.dropped++;
    }
    this.items.push(item);
    return dropped;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head] as T;
    this.head++;
    // Compact now and then so the array does not grow with the consumed prefix.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Empties the queue, counting the items as dropped. @returns how many were dropped. */
  clear(): number {
    const n = this.size;
    this.dropped += n;
    this.items = [];
    this.head = 0;
    return n;
  }
}
