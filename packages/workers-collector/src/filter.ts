// Upstream's two collector filters: an APP-NAME drop list (host daemons inside a decky are not
// attacker activity) and a per-(ip, decky, service, event) limiter for connection-lifecycle
// events, so a port scan's thousand connects become one event per window.

/** Above this many keys the limiter sweeps entries that can no longer drop anything. */
export const RATE_LIMIT_GC_THRESHOLD = 10_000;
/** A key idle for this many windows is swept (upstream's constant). */
export const RATE_LIMIT_GC_WINDOWS = 60;
/** Hard cap on keys: beyond it the oldest go even if recent (a spoofed-source flood must not exhaust memory; the cost is a repeat let through). */
export const RATE_LIMIT_MAX_KEYS = 100_000;

/** The fields of a record the filters look at. */
export interface FilterableRecord {
  readonly attacker_ip: string;
  readonly decky: string;
  readonly service: string;
  readonly event_type: string;
}

/** Drops records whose APP-NAME (service) is on the list. Exact, case-sensitive match, as upstream. */
export class NoiseFilter {
  private readonly apps: ReadonlySet<string>;

  constructor(dropApps: readonly string[]) {
    this.apps = new Set(dropApps);
  }

  /** True when the record should be dropped. */
  isNoise(record: Pick<FilterableRecord, 'service'>): boolean {
    return this.apps.has(record.service);
  }
}

/**
 * Lets the first event of a key through and drops repeats within `windowSec` of the last one
 * let through, for the listed event types only. Uses the caller's monotonic clock (ms), so a
 * wall-clock jump never releases or blocks a burst. A window of 0 disables it.
 */
export class ConnectRateLimiter {
  private readonly last = new Map<string, number>();
  private readonly windowMs: number;
  private readonly types: ReadonlySet<string>;

  constructor(
    windowSec: number,
    eventTypes: readonly string[],
    private readonly now: () => number,
  ) {
    this.windowMs = windowSec * 1000;
    this.types = new Set(eventTypes);
  }

  /** Keys currently remembered (for health and tests). */
  get size(): number {
    return this.last.size;
  }

  /** True when the record may pass; records the pass. */
  allow(record: FilterableRecord): boolean {
    if (this.windowMs <= 0 || !this.types.has(record.event_type)) return true;
    const key = `${record.attacker_ip}\0${record.decky}\0${record.service}\0${record.event_type}`;
    const now = this.now();
    const previous = this.last.get(key);
    if (previous !== undefined && now - previous < this.windowMs) return false;
    // Re-inserting moves the key to the end, so the map stays ordered by last pass.
    this.last.delete(key);
    this.last.set(key, now);
    if (this.last.size > RATE_LIMIT_GC_THRESHOLD) this.sweep(now);
    return true;
  }

  private sweep(now: number): void {
    const horizon = now - this.windowMs * RATE_LIMIT_GC_WINDOWS;
    for (const [key, at] of this.last) {
      if (at >= horizon && this.last.size <= RATE_LIMIT_MAX_KEYS) break;
      this.last.delete(key);
    }
  }
}
