// Connection admission: a global cap and a per-source-IP cap on concurrent connections, so a
// flood from one address cannot starve the decky or grow its memory without bound.

/** Limits of a {@link ConnectionTracker}. */
export interface ConnectionLimits {
  /** Concurrent connections across every source. */
  readonly maxConnections: number;
  /** Concurrent connections from one source IP. */
  readonly maxPerIp: number;
}

/** Why a connection was refused. */
export type RefusalReason = 'global_limit' | 'per_ip_limit';

/** Counters of a tracker. */
export interface TrackerStats {
  readonly active: number;
  readonly accepted: number;
  readonly refused: number;
  readonly refusedPerIp: number;
  readonly refusedGlobal: number;
  /** Distinct source IPs with an open connection. */
  readonly sources: number;
}

/** A held slot; `release` is idempotent. */
export interface ConnectionLease {
  release(): void;
}

/** The outcome of {@link ConnectionTracker.tryAcquire}. */
export type Admission = { ok: true; lease: ConnectionLease } | { ok: false; reason: RefusalReason };

/** Tracks concurrent connections. Pure bookkeeping: no sockets, no timers. */
export class ConnectionTracker {
  private readonly perIp = new Map<string, number>();
  private active = 0;
  private accepted = 0;
  private refusedPerIp = 0;
  private refusedGlobal = 0;

  constructor(readonly limits: ConnectionLimits) {}

  /** Admits a connection from `ip` when both caps allow it; the caller releases the lease on close. */
  tryAcquire(ip: string): Admission {
    if (this.active >= this.limits.maxConnections) {
      this.refusedGlobal++;
      return { ok: false, reason: 'global_limit' };
    }
    const current = this.perIp.get(ip) ?? 0;
    if (current >= this.limits.maxPerIp) {
      this.refusedPerIp++;
      return { ok: false, reason: 'per_ip_limit' };
    }
    this.perIp.set(ip, current + 1);
    this.active++;
    this.accepted++;
    let released = false;
    return {
      ok: true,
      lease: {
        release: () => {
          if (released) return;
          released = true;
          this.active--;
          const n = (this.perIp.get(ip) ?? 1) - 1;
          if (n <= 0) this.perIp.delete(ip);
          else this.perIp.set(ip, n);
        },
      },
    };
  }

  stats(): TrackerStats {
    return {
      active: this.active,
      accepted: this.accepted,
      refused: this.refusedGlobal + this.refusedPerIp,
      refusedPerIp: this.refusedPerIp,
      refusedGlobal: this.refusedGlobal,
      sources: this.perIp.size,
    };
  }
}
