// The bounded queue drops its oldest item when full and counts every drop.
import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './queue.js';

describe('a bounded queue never holds more than its capacity', () => {
  it('drops the oldest item when full and counts it', () => {
    const q = new BoundedQueue<number>(3);
    for (let i = 1; i <= 5; i++) q.push(i);
    expect(q.size).toBe(3);
    expect(q.dropped).toBe(2);
    expect([q.shift(), q.shift(), q.shift(), q.shift()]).toEqual([3, 4, 5, undefined]);
  });

  it('counts a clear as drops and stays usable after many cycles', () => {
    const q = new BoundedQueue<number>(2000);
    for (let i = 0; i < 5000; i++) {
      q.push(i);
      if (i % 2 === 0) q.shift();
    }
    expect(q.size).toBe(2000);
    expect(q.clear()).toBe(2000);
    expect(q.dropped).toBe(500 + 2000);
    expect(() => new BoundedQueue(0)).toThrow(RangeError);
  });
});
