// The process-wide memory guard: every service in the process registers its connections; a
// timer reads the resident set size and, once it reaches the shedding threshold (a share of the
// configured ceiling), sheds the newest connections, so the RSS never reaches the ceiling however
// the per-connection bounds are combined. Each shed is the caller's event; the timer is unref'd.

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
  /** @default Date.now */
  readonly now?: () => number;
  /** Called once per shedding episode (diagnostics). */
  readonly onPressure?: (rssBytes: number, shed: number) => void;
}

/** Share of the ceiling at which the guard starts shedding: leaves room for the garbage not yet collected. */
export const SHED_AT_SHARE = 0.8;
/** How often the RSS is read: growth between two reads is bounded by the per-connection budgets. */
export const CHECK_INTERVAL_MS = 250;
/** Share of open connections shed per round (at least one). */
export const SHED_SHARE = 0.1;
/** After a round, the guard waits this long for the freed memory to show before shedding again (unless the RSS still grows). */
export const SHED_COOLDOWN_MS = 1_000;

const MIB = 1024 * 1024;

/** Sheds the newest connections while the RSS is above the shedding threshold. */
export class MemoryGuard {
  private readonly connections = new Set<GuardedConnection>();
  private timer: NodeJS.Timeout | null = null;
  private lastShedAt = Number.NEGATIVE_INFINITY;
  private lastShedRss = 0;
  private pressured = false;
  private shedTotal = 0;
  private readonly rss: () => number;
  private readonly now: () => number;
  private readonly threshold: number;

  constructor(private readonly options: MemoryGuardOptions) {
    this.rss = options.rss ?? (() => process.memoryUsage.rss());
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

  /** True when the last reading was at or above the shedding threshold. */
  get underPressure(): boolean {
    return this.pressured;
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

  /** Reads the RSS and sheds a round of the newest connections when above the threshold. Returns how many were shed. */
  check(): number {
    const rss = this.rss();
    if (rss < this.threshold) {
      this.pressured = false;
      return 0;
    }
    const now = this.now();
    const firstOfEpisode = !this.pressured;
    this.pressured = true;
    if (now - this.lastShedAt < SHED_COOLDOWN_MS && rss <= this.lastShedRss) return 0;
    const count = Math.min(this.connections.size, Math.max(1, Math.ceil(this.connections.size * SHED_SHARE)));
    if (count === 0) return 0;
    const newest = [...this.connections].sort((a, b) => b.openedAt - a.openedAt).slice(0, count);
    this.lastShedAt = now;
    this.lastShedRss = rss;
    for (const c of newest) {
      this.connections.delete(c);
      c.shedForMemory(Math.round(rss / MIB), Math.round(this.options.ceilingBytes / MIB));
    }
    this.shedTotal += newest.length;
    if (firstOfEpisode) this.options.onPressure?.(rss, newest.length);
    return newest.length;
  }
}

const guards = new Map<number, MemoryGuard>();

/**
 * The guard of this process for `ceilingMb`: services started with the same ceiling (a decky's
 * services in one process) share one, so the newest connections of any of them are shed first.
 */
export function processMemoryGuard(ceilingMb: number, onPressure?: (rssBytes: number, shed: number) => void): MemoryGuard {
  let guard = guards.get(ceilingMb);
  if (!guard) {
    guard = new MemoryGuard({ ceilingBytes: ceilingMb * MIB, ...(onPressure ? { onPressure } : {}) });
    guards.set(ceilingMb, guard);
  }
  return guard;
}
