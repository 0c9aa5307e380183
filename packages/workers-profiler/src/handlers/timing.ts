// Inter-arrival timing of one attacker's events, kept incrementally: the state survives in the
// database between batches, accepts events in any order (a late event is inserted between its
// neighbours), and yields upstream's timing_stats and behaviour class. Pure.

/** Gaps kept exactly (for an exact median); beyond this they go into a log-scale histogram. */
export const EXACT_GAP_LIMIT = 256;
/** Smallest histogram bucket's lower edge, in seconds; shorter gaps share one "zero" bucket. */
export const HIST_MIN_S = 0.001;
/** Ratio between histogram bucket edges: the median is then within 1% of the exact value. */
export const HIST_RATIO = 1.02;
/**
 * Latest timestamps kept so a late event can be placed between its exact neighbours. Reordering
 * comes from concurrent ingester batches, so a window of a few batches' depth is enough; an
 * event older than the window makes the caller rebuild the state from `logs`.
 */
export const RECENT_WINDOW = 512;

/** The persisted accumulator. Gaps are in seconds, timestamps in epoch milliseconds. */
export interface TimingState {
  /** Events seen. */
  n: number;
  /** Gaps recorded (n - 1 between updates). */
  k: number;
  firstMs: number | null;
  lastMs: number | null;
  /** Sum of squared gaps (s²); with n, first and last it gives the population variance. */
  sumSq: number;
  minGap: number | null;
  /**
   * Largest gap between timestamps that left the recent window. Such gaps never change again (a
   * later event can only split a gap inside the window), so with the window's own gaps this
   * gives the exact maximum.
   */
  maxOld: number | null;
  /** Every gap, ascending, while there are at most {@link EXACT_GAP_LIMIT}; otherwise null. */
  gaps: number[] | null;
  /** Gap counts per log-scale bucket once {@link gaps} overflowed; otherwise null. */
  hist: Record<string, number> | null;
  /** The latest timestamps, ascending (at most {@link RECENT_WINDOW}). */
  recent: number[];
}

/** Upstream's timing_stats (seconds; three decimals, cv four). Fewer than 2 events: nulls. */
export interface TimingStats {
  mean: number | null;
  median: number | null;
  stdev: number | null;
  min: number | null;
  max: number | null;
  cv: number | null;
  event_count: number;
  duration_s: number | null;
}

/** Upstream's behaviour labels. */
export type BehaviorClass = 'unknown' | 'slow_scan' | 'scanning' | 'brute_force' | 'beaconing' | 'interactive' | 'mixed';

/** An empty accumulator. */
export function emptyTiming(): TimingState {
  return { n: 0, k: 0, firstMs: null, lastMs: null, sumSq: 0, minGap: null, maxOld: null, gaps: [], hist: null, recent: [] };
}

/** A deep copy (the merge works on copies so a failed batch leaves nothing half-applied). */
export function cloneTiming(s: TimingState): TimingState {
  return {
    ...s,
    gaps: s.gaps === null ? null : [...s.gaps],
    hist: s.hist === null ? null : { ...s.hist },
    recent: [...s.recent],
  };
}

function bucketOf(gap: number): number {
  return gap < HIST_MIN_S ? -1 : Math.floor(Math.log(gap / HIST_MIN_S) / Math.log(HIST_RATIO));
}

function bucketValue(bucket: number): number {
  return bucket < 0 ? 0 : HIST_MIN_S * HIST_RATIO ** (bucket + 0.5);
}

/** Index of the first element >= value in an ascending array. */
function lowerBound(values: readonly number[], value: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function addGap(s: TimingState, gap: number): void {
  s.sumSq += gap * gap;
  s.minGap = s.minGap === null ? gap : Math.min(s.minGap, gap);
  s.k++;
  if (s.gaps !== null) {
    s.gaps.splice(lowerBound(s.gaps, gap), 0, gap);
    if (s.gaps.length > EXACT_GAP_LIMIT) {
      s.hist = {};
      for (const g of s.gaps) {
        const key = String(bucketOf(g));
        s.hist[key] = (s.hist[key] ?? 0) + 1;
      }
      s.gaps = null;
    }
  } else if (s.hist !== null) {
    const key = String(bucketOf(gap));
    s.hist[key] = (s.hist[key] ?? 0) + 1;
  }
}

function removeGap(s: TimingState, gap: number): void {
  s.sumSq = Math.max(0, s.sumSq - gap * gap);
  s.k = Math.max(0, s.k - 1);
  if (s.gaps !== null) {
    const i = lowerBound(s.gaps, gap);
    if (s.gaps[i] === gap) s.gaps.splice(i, 1);
  } else if (s.hist !== null) {
    const key = String(bucketOf(gap));
    const left = (s.hist[key] ?? 0) - 1;
    if (left > 0) s.hist[key] = left;
    else delete s.hist[key];
  }
}

function maxOld(s: TimingState, gap: number): void {
  s.maxOld = s.maxOld === null ? gap : Math.max(s.maxOld, gap);
}

function pushRecent(s: TimingState, ms: number, index: number): void {
  s.recent.splice(index, 0, ms);
  if (s.recent.length > RECENT_WINDOW) {
    const left = s.recent.shift() as number;
    maxOld(s, ((s.recent[0] as number) - left) / 1000);
  }
}

/**
 * Adds one event at `ms` (mutating `s`). Events may come in any order: after the last, before
 * the first, or between two known neighbours.
 * @returns false, leaving `s` unchanged, when the event falls between two events older than the
 *   recent window: its neighbours are unknown, so the caller must rebuild from the full history.
 */
export function insertTimestamp(s: TimingState, ms: number): boolean {
  if (s.n === 0 || s.firstMs === null || s.lastMs === null) {
    s.n = 1;
    s.k = 0;
    s.firstMs = ms;
    s.lastMs = ms;
    s.recent = [ms];
    return true;
  }
  const coversAll = s.recent.length === s.n;
  if (ms >= s.lastMs) {
    addGap(s, (ms - s.lastMs) / 1000);
    s.lastMs = ms;
    pushRecent(s, ms, s.recent.length);
  } else if (ms <= s.firstMs) {
    const gap = (s.firstMs - ms) / 1000;
    addGap(s, gap);
    s.firstMs = ms;
    if (coversAll) pushRecent(s, ms, 0);
    else maxOld(s, gap);
  } else {
    const window = s.recent;
    if (!coversAll && ms < (window[0] as number)) return false;
    // a <= ms < b, both known: the gap b-a becomes a..ms and ms..b.
    const j = lowerBound(window, ms + 1);
    const a = window[j - 1] as number;
    const b = window[j] as number;
    removeGap(s, (b - a) / 1000);
    addGap(s, (ms - a) / 1000);
    addGap(s, (b - ms) / 1000);
    pushRecent(s, ms, j);
  }
  s.n++;
  return true;
}

/**
 * Adds one event, approximating when its neighbours are unknown ({@link insertTimestamp} returned
 * false): the event is then counted at the oldest timestamp still in the window. Count, first,
 * last and so the mean stay exact; only that event's contribution to the spread, minimum and
 * median is approximate. Never leaves the state inconsistent.
 * @returns whether the insertion was exact.
 */
export function insertTimestampOrApproximate(s: TimingState, ms: number): 'exact' | 'approximate' {
  if (insertTimestamp(s, ms)) return 'exact';
  insertTimestamp(s, s.recent[0] as number);
  return 'approximate';
}

/** The accumulator of a complete, ascending list of timestamps. */
export function timingFromTimestamps(sortedMs: readonly number[]): TimingState {
  const s = emptyTiming();
  for (const ms of sortedMs) insertTimestamp(s, ms);
  return s;
}

/** Rounds half away from zero to `digits` decimals. */
export function roundTo(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function histRank(hist: Record<string, number>, rank: number): number {
  const buckets = Object.keys(hist)
    .map(Number)
    .sort((x, y) => x - y);
  let seen = 0;
  for (const b of buckets) {
    seen += hist[String(b)] ?? 0;
    if (rank < seen) return bucketValue(b);
  }
  return bucketValue(buckets[buckets.length - 1] ?? -1);
}

/** Upstream's timing_stats of an accumulator (population standard deviation; cv = stdev / mean, 0 when the mean is 0). */
export function timingStats(s: TimingState): TimingStats {
  const k = s.n - 1;
  if (k < 1 || s.firstMs === null || s.lastMs === null) {
    return { mean: null, median: null, stdev: null, min: null, max: null, cv: null, event_count: s.n, duration_s: null };
  }
  const duration = (s.lastMs - s.firstMs) / 1000;
  const mean = duration / k;
  const stdev = Math.sqrt(Math.max(0, s.sumSq / k - mean * mean));
  const min = s.minGap ?? 0;
  let max = s.maxOld ?? 0;
  for (let i = 1; i < s.recent.length; i++) max = Math.max(max, ((s.recent[i] as number) - (s.recent[i - 1] as number)) / 1000);
  let median: number;
  if (s.gaps !== null && s.gaps.length === k) {
    const g = s.gaps;
    median = k % 2 === 1 ? (g[(k - 1) >> 1] as number) : ((g[k / 2 - 1] as number) + (g[k / 2] as number)) / 2;
  } else {
    const hist = s.hist ?? {};
    median = (histRank(hist, Math.floor((k - 1) / 2)) + histRank(hist, Math.floor(k / 2))) / 2;
    median = Math.min(Math.max(median, min), max);
  }
  return {
    mean: roundTo(mean, 3),
    median: roundTo(median, 3),
    stdev: roundTo(stdev, 3),
    min: roundTo(min, 3),
    max: roundTo(max, 3),
    cv: roundTo(mean > 0 ? stdev / mean : 0, 4),
    event_count: s.n,
    duration_s: roundTo(duration, 3),
  };
}

/**
 * Upstream's classify_behavior, rules checked in its code order (its docstring lists them
 * differently): unknown, slow_scan, scanning, brute_force, beaconing, interactive, mixed.
 */
export function classifyBehavior(stats: TimingStats, serviceCount: number): BehaviorClass {
  const n = stats.event_count;
  const { mean, cv } = stats;
  if (n < 3 || mean === null || cv === null) return 'unknown';
  if (serviceCount >= 2 && mean >= 10 && n >= 4) return 'slow_scan';
  if ((serviceCount >= 3 && mean < 10) || (serviceCount >= 2 && mean < 2)) return 'scanning';
  if (serviceCount === 1 && n >= 8 && mean < 5 && cv < 0.6) return 'brute_force';
  if (cv < 0.35 && mean >= 5 && n >= 4) return 'beaconing';
  if (cv >= 0.5 && mean < 5 && n >= 6) return 'interactive';
  return 'mixed';
}

/** The behaviour columns: the class, plus beacon interval and jitter (%) for `beaconing` only. */
export function behaviorOf(
  stats: TimingStats,
  serviceCount: number,
): { behaviorClass: BehaviorClass; beaconIntervalS: number | null; beaconJitterPct: number | null } {
  const behaviorClass = classifyBehavior(stats, serviceCount);
  const beaconing = behaviorClass === 'beaconing';
  return {
    behaviorClass,
    beaconIntervalS: beaconing ? stats.mean : null,
    beaconJitterPct: beaconing && stats.cv !== null ? roundTo(stats.cv * 100, 2) : null,
  };
}
