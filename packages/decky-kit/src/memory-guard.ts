// The process-wide memory guard: every service in the process registers its connections; a
// timer reads the resident set size and, whenever it grows at or above the shedding threshold (a
// share of the configured ceiling), sheds the newest connections and turns newcomers away for a
// moment, so the RSS never reaches the ceiling however the per-connection bounds add up. Each
// shed is the caller's event; the timer is unref'd.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A connection the guard may shed. */
export interface GuardedConnection {
  /** Epoch ms of accept: the newest go first. */
  readonly openedAt: number;
  /** Closes the connection, saying why (an event), with the RSS and ceiling in MiB. */
  shedForMemory(rssMb: number, ceilingMb: number): void;
}

/** Options of {@link MemoryGuard}. */
export interface MemoryGuardOptions {
  /** The RSS never to reach, in bytes. */
  readonly ceilingBytes: number;
  /** Share of the ceiling at which shedding starts. @default SHED_AT_SHARE */
  readonly shedAtShare?: number;
  /** How often the RSS is read. @default CHECK_INTERVAL_MS */
  readonly intervalMs?: number;
  /** @default process.memoryUsage.rss */
  readonly rss?: () => number;
  /** Reclaims what shed connections held, so the next reading sees it. @default a forced garbage collection */
  readonly collect?: () => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** Called once per shedding episode (diagnostics). */
  readonly onPressure?: (rssBytes: number, shed: number) => void;
}

/**
 * Share of the ceiling at which the guard starts shedding. The allocator keeps freed memory and
 * fragments, so the RSS grows about twice as fast as what the heap and buffers hold: the room
 * left is for that, and for the growth between two readings.
 */
export const SHED_AT_SHARE = 0.6;
/** How often the RSS is read (one cheap syscall). */
export const CHECK_INTERVAL_MS = 100;
/** Share of open connections shed per round (at least one). */
export const SHED_SHARE = 0.1;
/** After a round, newcomers are turned away this long; the next round needs the RSS to grow again. */
export const SHED_COOLDOWN_MS = 1_000;
/** RSS growth that counts as growing (noise below it does not start a round). */
const GROWTH_SLACK_BYTES = 1024 * 1024;

const MIB = 1024 * 1024;

/** Sheds the newest connections while the RSS is above the shedding threshold. */
export class MemoryGuard {
  private readonly connections = new Set<GuardedConnection>();
  private timer: NodeJS.Timeout | null = null;
  private lastShedAt = Number.NEGATIVE_INFINITY;
  /** RSS after the last round: a new round needs more than this (a high RSS the allocator keeps after an attack is not pressure). */
  private shedLevel = Number.NEGATIVE_INFINITY;
  private shedTotal = 0;
  private lastRss = 0;
  private readonly rss: () => number;
  private readonly collect: () => void;
  private readonly now: () => number;
  private readonly threshold: number;

  constructor(private readonly options: MemoryGuardOptions) {
    this.rss = options.rss ?? (() => process.memoryUsage.rss());
    this.collect = options.collect ?? forceGc;
    this.now = options.now ?? Date.now;
    this.threshold = options.ceilingBytes * (options.shedAtShare ?? SHED_AT_SHARE);
  }

  /** The ceiling, in bytes. */
  get ceilingBytes(): number {
    return this.options.ceilingBytes;
  }

  /** Connections shed so far. */
  get shed(): number {
    return this.shedTotal;
  }

  /** True within SHED_COOLDOWN_MS of a round: newcomers are turned away (they would be the newest). */
  get underPressure(): boolean {
    return this.lastRss >= this.threshold && this.now() - this.lastShedAt < SHED_COOLDOWN_MS;
  }

  /** The RSS of the last reading, in MiB. */
  get lastRssMb(): number {
    return Math.round(this.lastRss / MIB);
  }

  /** Registers a connection; the returned function unregisters it (idempotent). */
  register(connection: GuardedConnection): () => void {
    this.connections.add(connection);
    if (!this.timer) {
      this.timer = setInterval(() => this.check(), this.options.intervalMs ?? CHECK_INTERVAL_MS);
      this.timer.unref();
    }
    return () => {
      this.connections.delete(connection);
      if (this.connections.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  /**
   * Reads the RSS and, when it is at or above the threshold and above where the last round left
   * it, sheds a round of the newest connections and reclaims what they held. Returns how many
   * were shed.
   */
  check(): number {
    const rss = this.rss();
    this.lastRss = rss;
    if (rss < this.threshold) {
      this.shedLevel = Number.NEGATIVE_INFINITY;
      return 0;
    }
    if (rss <= this.shedLevel + GROWTH_SLACK_BYTES) return 0;
    const count = Math.min(this.connections.size, Math.max(1, Math.ceil(this.connections.size * SHED_SHARE)));
    const firstOfEpisode = this.shedLevel === Number.NEGATIVE_INFINITY;
    const newest = [...this.connections].sort((a, b) => b.openedAt - a.openedAt).slice(0, count);
    for (const c of newest) {
      this.connections.delete(c);
      c.shedForMemory(Math.round(rss / MIB), Math.round(this.options.ceilingBytes / MIB));
    }
    this.shedTotal += newest.length;
    if (newest.length > 0) this.collect();
    this.lastShedAt = this.now();
    this.shedLevel = Math.max(rss, this.rss());
    if (firstOfEpisode) this.options.onPressure?.(rss, newest.length);
    return newest.length;
  }
}

let gc: (() => void) | null | undefined;

/**
 * A full garbage collection, so buffers of shed connections are freed now rather than when V8
 * next feels like it (a quiet process may not for minutes). Without --expose-gc the function is
 * obtained once through the V8 flag; when that is impossible, nothing happens.
 */
function forceGc(): void {
  if (gc === undefined) {
    try {
      const exposed = (globalThis as { gc?: () => void }).gc;
      if (typeof exposed === 'function') gc = exposed;
      else {
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as () => void;
      }
    } catch {
      gc = null;
    }
  }
  gc?.();
}

const guards = new Map<number, MemoryGuard>();

/**
 * The guard of this process for `ceilingMb`: services started with the same ceiling (a decky's
 * services in one process) share one, so the newest connections of any of them are shed first.
 */
export function processMemoryGuard(
  ceilingMb: number,
  onPressure?: (rssBytes: number, shed: number) => void,
): MemoryGuard {
  let guard = guards.get(ceilingMb);
  if (!guard) {
    guard = new MemoryGuard({ ceilingBytes: ceilingMb * MIB, ...(onPressure ? { onPressure } : {}) });
    guards.set(ceilingMb, guard);
  }
  return guard;
}
