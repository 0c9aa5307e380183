// Batching: full batches go at once, partial ones after idle or max wait; in commit mode an
// event is acknowledged only after its batch committed, never when the batch was abandoned.
import { describe, expect, it } from 'vitest';
import { Batcher, type BatcherOptions } from './batcher.js';

const base: BatcherOptions = { maxSize: 3, maxWaitMs: 200, idleMs: 5, ack: 'commit', maxBuffered: 6 };

describe('batches fill up to the size cap and wait at most maxWaitMs', () => {
  it('flushes a full batch at once and a partial one after idling', async () => {
    const flushed: number[][] = [];
    const b = new Batcher<number>(base, async (items) => void flushed.push(items));
    await Promise.all([1, 2, 3, 4].map((n) => b.add(n)));
    expect(flushed).toEqual([[1, 2, 3], [4]]);
  });
  it('waits for the idle gap, not for the max wait, when events stop', async () => {
    const b = new Batcher<number>({ ...base, maxSize: 100, idleMs: 10, maxWaitMs: 5_000 }, async () => undefined);
    const started = Date.now();
    await b.add(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
  it('flushes at maxWaitMs even while events keep arriving', async () => {
    const flushed: number[][] = [];
    const b = new Batcher<number>({ ...base, maxSize: 1_000, idleMs: 50, maxWaitMs: 60 }, async (items) => void flushed.push(items));
    const adds: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      adds.push(b.add(i));
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.all(adds);
    expect(flushed.length).toBeGreaterThan(1);
    expect(flushed.flat()).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('up to maxConcurrent batches are written at once', () => {
  it('starts a second full batch while the first is still being written', async () => {
    let inFlight = 0;
    let peak = 0;
    const b = new Batcher<number>({ ...base, maxConcurrent: 2 }, async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight--;
    });
    await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => b.add(n)));
    expect(peak).toBe(2);
  });
});

describe('commit mode acknowledges an event only after its batch is durable', () => {
  it('keeps add pending until the flush resolves', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = new Batcher<number>(base, () => gate);
    let acked = false;
    const add = b.add(1).then(() => (acked = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(acked).toBe(false);
    release();
    await add;
    expect(acked).toBe(true);
  });
  it('never acknowledges the events of an abandoned batch', async () => {
    const b = new Batcher<number>(base, () => Promise.reject(new Error('stopping')));
    let acked = false;
    void b.add(1).then(() => (acked = true));
    await b.drain();
    await new Promise((r) => setTimeout(r, 20));
    expect(acked).toBe(false);
  });
});

describe('receive mode acknowledges on arrival, within the buffer bound', () => {
  it('lets adds through at once, then makes them wait while the buffer is full', async () => {
    let release!: () => void;
    let gate = new Promise<void>((r) => (release = r));
    const flushed: number[][] = [];
    const b = new Batcher<number>({ ...base, ack: 'receive', maxBuffered: 4 }, async (items) => {
      await gate;
      flushed.push(items);
    });
    for (let i = 0; i < 4; i++) await b.add(i);
    let fifth = false;
    const add5 = b.add(4).then(() => (fifth = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(fifth).toBe(false);
    const open = release;
    gate = Promise.resolve();
    open();
    await add5;
    await b.drain();
    expect(flushed.flat()).toEqual([0, 1, 2, 3, 4]);
  });
});
