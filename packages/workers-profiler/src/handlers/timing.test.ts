// Timing accumulator: any insertion order gives the statistics of the sorted history, the
// histogram keeps the median within 1%, and upstream's behaviour labels and thresholds hold.
import { describe, expect, it } from 'vitest';
import {
  EXACT_GAP_LIMIT,
  RECENT_WINDOW,
  behaviorOf,
  classifyBehavior,
  emptyTiming,
  insertTimestamp,
  insertTimestampOrApproximate,
  timingFromTimestamps,
  timingStats,
  type TimingStats,
} from './timing.js';

/** Deterministic PRNG (mulberry32) so every run tests the same orders. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reference statistics computed the obvious way from the whole sorted list. */
function reference(ms: number[]): { mean: number; median: number; stdev: number; min: number; max: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((t, i) => (t - (sorted[i] as number)) / 1000);
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const stdev = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
  const g = [...gaps].sort((a, b) => a - b);
  const k = g.length;
  const median = k % 2 ? (g[(k - 1) / 2] as number) : ((g[k / 2 - 1] as number) + (g[k / 2] as number)) / 2;
  return { mean, median, stdev, min: g[0] as number, max: g[k - 1] as number };
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function shuffledWithinWindow(ms: number[], random: () => number, depth: number): number[] {
  // Each element moves at most `depth` places: bounded reordering, as concurrent batches cause.
  return ms
    .map((v, i) => ({ v, key: i + random() * depth }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.v);
}

describe('the timing accumulator gives the statistics of the sorted history whatever the arrival order', () => {
  it('matches a direct computation for in-order events', () => {
    const ms = [0, 1_000, 3_000, 3_500, 10_000, 10_000, 22_000];
    const s = timingStats(timingFromTimestamps(ms));
    const ref = reference(ms);
    expect(s).toEqual({
      mean: r3(ref.mean),
      median: r3(ref.median),
      stdev: r3(ref.stdev),
      min: r3(ref.min),
      max: r3(ref.max),
      cv: Math.round((ref.stdev / ref.mean) * 10_000) / 10_000,
      event_count: 7,
      duration_s: 22,
    });
  });

  it('is exact for late events within the recent window, before the first event, and after the last', () => {
    const random = rng(7);
    for (let trial = 0; trial < 25; trial++) {
      const n = 20 + Math.floor(random() * 200);
      let t = 1_700_000_000_000;
      const ms = Array.from({ length: n }, () => (t += Math.floor(random() * 20_000)));
      const arrival = shuffledWithinWindow(ms, random, 40);
      const s = emptyTiming();
      for (const x of arrival) expect(insertTimestamp(s, x)).toBe(true);
      expect(timingStats(s)).toEqual(timingStats(timingFromTimestamps(ms)));
    }
  });

  it('keeps the median within 1% once gaps overflow into the histogram, and min, max, mean, stdev exact', () => {
    const random = rng(11);
    let t = 0;
    const ms = Array.from({ length: EXACT_GAP_LIMIT * 4 }, () => (t += 500 + Math.floor(random() * 60_000)));
    const arrival = shuffledWithinWindow(ms, random, 100);
    const s = emptyTiming();
    for (const x of arrival) expect(insertTimestamp(s, x)).toBe(true);
    expect(s.gaps).toBeNull();
    const stats = timingStats(s);
    const ref = reference(ms);
    expect(stats.mean).toBe(r3(ref.mean));
    expect(stats.stdev).toBeCloseTo(ref.stdev, 2);
    expect(stats.min).toBe(r3(ref.min));
    expect(stats.max).toBe(r3(ref.max));
    expect(Math.abs((stats.median as number) - ref.median) / ref.median).toBeLessThan(0.01);
  });

  it('reports an event between two events older than the window, and approximates it keeping count and mean exact', () => {
    const ms = Array.from({ length: RECENT_WINDOW + 50 }, (_, i) => i * 1_000);
    const s = timingFromTimestamps(ms);
    const before = JSON.stringify(s);
    expect(insertTimestamp(s, 10_500)).toBe(false);
    expect(JSON.stringify(s)).toBe(before);
    expect(insertTimestampOrApproximate(s, 10_500)).toBe('approximate');
    const stats = timingStats(s);
    expect(stats.event_count).toBe(ms.length + 1);
    expect(stats.mean).toBe(r3(reference([...ms, 10_500]).mean));
    // Before the first event is always exact, whatever the window.
    expect(insertTimestamp(s, -5_000)).toBe(true);
    expect(timingStats(s).duration_s).toBe(r3((ms[ms.length - 1] as number) / 1000 + 5));
  });

  it('gives nulls below two events and zero spread for simultaneous events', () => {
    expect(timingStats(timingFromTimestamps([5]))).toEqual({
      mean: null,
      median: null,
      stdev: null,
      min: null,
      max: null,
      cv: null,
      event_count: 1,
      duration_s: null,
    });
    const s = timingStats(timingFromTimestamps([7, 7, 7]));
    expect(s).toMatchObject({ mean: 0, stdev: 0, cv: 0, event_count: 3 });
  });
});

const stats = (over: Partial<TimingStats>): TimingStats => ({
  mean: 1,
  median: 1,
  stdev: 0,
  min: 1,
  max: 1,
  cv: 0,
  event_count: 10,
  duration_s: 9,
  ...over,
});

describe('classify_behavior applies upstream labels, thresholds and rule order', () => {
  it.each([
    ['unknown below 3 events', stats({ event_count: 2 }), 1, 'unknown'],
    ['unknown without a mean', stats({ mean: null, cv: null }), 1, 'unknown'],
    ['slow_scan: 2 services, mean 10 s, 4 events', stats({ event_count: 4, mean: 10, cv: 0.1 }), 2, 'slow_scan'],
    ['slow_scan wins over beaconing (rule order)', stats({ event_count: 20, mean: 60, cv: 0.1 }), 2, 'slow_scan'],
    ['not slow_scan with 3 events', stats({ event_count: 3, mean: 10, cv: 0.1 }), 2, 'mixed'],
    ['scanning: 3 services, mean under 10 s', stats({ event_count: 3, mean: 9.999, cv: 1 }), 3, 'scanning'],
    ['scanning: 2 services, mean under 2 s', stats({ event_count: 3, mean: 1.999, cv: 1 }), 2, 'scanning'],
    ['not scanning: 2 services, mean 2 s', stats({ event_count: 3, mean: 2, cv: 1 }), 2, 'mixed'],
    ['brute_force: 1 service, 8 events, mean under 5, cv under 0.6', stats({ event_count: 8, mean: 4.999, cv: 0.5999 }), 1, 'brute_force'],
    ['not brute_force with 7 events', stats({ event_count: 7, mean: 1, cv: 0.1 }), 1, 'mixed'],
    ['not brute_force at cv 0.6 (interactive instead)', stats({ event_count: 8, mean: 1, cv: 0.6 }), 1, 'interactive'],
    ['beaconing: cv under 0.35, mean 5 s, 4 events', stats({ event_count: 4, mean: 5, cv: 0.3499 }), 1, 'beaconing'],
    ['not beaconing at cv 0.35', stats({ event_count: 4, mean: 5, cv: 0.35 }), 1, 'mixed'],
    ['interactive: cv 0.5, mean under 5, 6 events', stats({ event_count: 6, mean: 4.9, cv: 0.5 }), 2, 'interactive'],
    ['not interactive with 5 events', stats({ event_count: 5, mean: 4.9, cv: 0.5 }), 1, 'mixed'],
    ['mixed otherwise', stats({ event_count: 6, mean: 7, cv: 0.45 }), 1, 'mixed'],
  ])('%s', (_name, s, services, label) => {
    expect(classifyBehavior(s, services)).toBe(label);
  });

  it('sets beacon interval and jitter only for beaconing', () => {
    expect(behaviorOf(stats({ event_count: 10, mean: 60, cv: 0.2 }), 1)).toEqual({
      behaviorClass: 'beaconing',
      beaconIntervalS: 60,
      beaconJitterPct: 20,
    });
    expect(behaviorOf(stats({ event_count: 10, mean: 1, cv: 0.2 }), 1)).toEqual({
      behaviorClass: 'brute_force',
      beaconIntervalS: null,
      beaconJitterPct: null,
    });
  });
});
