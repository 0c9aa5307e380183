// Fair connection admission: a global cap, a per-address cap and a per-network cap (/24 for
// IPv4, /64 for IPv6). A cap never turns a newcomer away: the idlest connection of whoever holds
// the most (the network, then the address inside it) makes room, so one attacker holding
// connections cannot lock anyone else out. Pure bookkeeping: no sockets, no timers.

/** Limits of a {@link ConnectionTracker}. */
export interface ConnectionLimits {
  /** Concurrent connections across every source. */
  readonly maxConnections: number;
  /** Concurrent connections from one source address. */
  readonly maxPerIp: number;
  /** Concurrent connections from one /24 (IPv4) or /64 (IPv6). @default maxConnections */
  readonly maxPerPrefix?: number;
}

/** Why a connection was shed to make room (the limit a newcomer hit), or by a memory/byte guard. */
export type ShedReason =
  'global_limit' | 'per_ip_limit' | 'per_prefix_limit' | 'memory_guard' | 'service_budget' | 'connection_budget';

/** What the tracker knows of one connection. `lastActivityAt` is kept current by the listener. */
export interface TrackedConnection {
  readonly ip: string;
  /** {@link networkOf}(ip). */
  readonly prefix: string;
  /** Epoch ms of accept. */
  readonly openedAt: number;
  /** Epoch ms of the last byte received (or of accept). */
  lastActivityAt: number;
}

/** Counters of a tracker. */
export interface TrackerStats {
  readonly active: number;
  readonly accepted: number;
  /** Connections shed to admit a newcomer, by the cap it hit. */
  readonly shed: number;
  readonly shedPerIp: number;
  readonly shedPerPrefix: number;
  readonly shedGlobal: number;
  /** Distinct source addresses with an open connection. */
  readonly sources: number;
  /** Distinct /24 or /64 networks with an open connection. */
  readonly networks: number;
}

/** A held slot; `release` is idempotent (and a no-op for a connection already shed). */
export interface ConnectionLease {
  release(): void;
}

/** One connection to close so a newcomer fits. */
export interface Eviction<E extends TrackedConnection> {
  readonly victim: E;
  readonly reason: Extract<ShedReason, 'global_limit' | 'per_ip_limit' | 'per_prefix_limit'>;
  /** Connections the victim's address (per_ip), or network (otherwise), held before the eviction. */
  readonly heldBySource: number;
}

/** The outcome of {@link ConnectionTracker.admit}: always a lease, plus whom to shed for it. */
export interface Admission<E extends TrackedConnection> {
  readonly lease: ConnectionLease;
  readonly evicted: readonly Eviction<E>[];
}

/** Expands an IPv6 text (no zone) into 8 groups; null when it is not one. */
function ipv6Groups(ip: string): number[] | null {
  const [head, tail, extra] = ip.split('::');
  if (extra !== undefined) return null;
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const last = (tail === undefined ? h : t).at(-1) ?? '';
  const v4 = last.includes('.') ? last.split('.').map(Number) : null;
  if (v4) (tail === undefined ? h : t).pop();
  const groupsWanted = v4 ? 6 : 8;
  const missing = groupsWanted - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return null;
  const groups = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...t].map((g) => parseInt(g, 16));
  if (v4) groups.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
  return groups.some((g) => Number.isNaN(g)) ? null : groups;
}

/**
 * The network an address is counted in: `a.b.c.0/24` for IPv4, the first four groups `/64` for
 * IPv6 (zone removed), the address itself when it is neither.
 */
export function networkOf(ip: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  const groups = ip.includes(':') ? ipv6Groups(ip.split('%')[0] ?? '') : null;
  if (!groups) return ip;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The connection of `set` that was quiet longest (then the oldest). */
function idlest<E extends TrackedConnection>(set: Iterable<E>): E | undefined {
  let pick: E | undefined;
  for (const e of set) {
    if (
      !pick ||
      e.lastActivityAt < pick.lastActivityAt ||
      (e.lastActivityAt === pick.lastActivityAt && e.openedAt < pick.openedAt)
    )
      pick = e;
  }
  return pick;
}

interface Network<E> {
  count: number;
  readonly byIp: Map<string, Set<E>>;
}

/** Tracks concurrent connections and picks whom to shed when a cap is reached. */
export class ConnectionTracker<E extends TrackedConnection = TrackedConnection> {
  private readonly networks = new Map<string, Network<E>>();
  private readonly live = new Set<E>();
  private accepted = 0;
  private shedPerIp = 0;
  private shedPerPrefix = 0;
  private shedGlobal = 0;
  private sources = 0;
  readonly limits: Required<ConnectionLimits>;

  constructor(limits: ConnectionLimits) {
    this.limits = { ...limits, maxPerPrefix: limits.maxPerPrefix ?? limits.maxConnections };
  }

  /** Open connections now. */
  get active(): number {
    return this.live.size;
  }

  /**
   * Admits `entry`. When its address, its network or everyone together is at the cap, the
   * idlest connection of the address (or network) holding the most inside that scope is removed
   * first and returned in `evicted`: the caller closes it and says why. The caller releases the
   * lease when `entry` closes.
   */
  admit(entry: E): Admission<E> {
    const evicted: Eviction<E>[] = [];
    const ipSet = this.networks.get(entry.prefix)?.byIp.get(entry.ip);
    if (ipSet && ipSet.size >= this.limits.maxPerIp) {
      const victim = idlest(ipSet);
      if (victim) evicted.push({ victim, reason: 'per_ip_limit', heldBySource: ipSet.size });
    } else {
      const network = this.networks.get(entry.prefix);
      if (network && network.count >= this.limits.maxPerPrefix) {
        const victim = this.idlestOfHeaviestIp(network);
        if (victim) evicted.push({ victim, reason: 'per_prefix_limit', heldBySource: network.count });
      } else if (this.live.size >= this.limits.maxConnections) {
        let heaviest: Network<E> | undefined;
        for (const n of this.networks.values()) if (!heaviest || n.count > heaviest.count) heaviest = n;
        const victim = heaviest ? this.idlestOfHeaviestIp(heaviest) : undefined;
        if (victim && heaviest) evicted.push({ victim, reason: 'global_limit', heldBySource: heaviest.count });
      }
    }
    for (const e of evicted) {
      this.remove(e.victim);
      if (e.reason === 'per_ip_limit') this.shedPerIp++;
      else if (e.reason === 'per_prefix_limit') this.shedPerPrefix++;
      else this.shedGlobal++;
    }
    this.add(entry);
    this.accepted++;
    return { lease: { release: () => this.remove(entry) }, evicted };
  }

  /** Connections `entry`'s address holds now. */
  heldByIp(entry: Pick<E, 'ip' | 'prefix'>): number {
    return this.networks.get(entry.prefix)?.byIp.get(entry.ip)?.size ?? 0;
  }

  stats(): TrackerStats {
    return {
      active: this.live.size,
      accepted: this.accepted,
      shed: this.shedGlobal + this.shedPerIp + this.shedPerPrefix,
      shedPerIp: this.shedPerIp,
      shedPerPrefix: this.shedPerPrefix,
      shedGlobal: this.shedGlobal,
      sources: this.sources,
      networks: this.networks.size,
    };
  }

  private idlestOfHeaviestIp(network: Network<E>): E | undefined {
    let heaviest: Set<E> | undefined;
    for (const s of network.byIp.values()) if (!heaviest || s.size > heaviest.size) heaviest = s;
    return heaviest ? idlest(heaviest) : undefined;
  }

  private add(entry: E): void {
    let network = this.networks.get(entry.prefix);
    if (!network) {
      network = { count: 0, byIp: new Map() };
      this.networks.set(entry.prefix, network);
    }
    let set = network.byIp.get(entry.ip);
    if (!set) {
      set = new Set();
      network.byIp.set(entry.ip, set);
      this.sources++;
    }
    set.add(entry);
    network.count++;
    this.live.add(entry);
  }

  private remove(entry: E): void {
    if (!this.live.delete(entry)) return;
    const network = this.networks.get(entry.prefix);
    const set = network?.byIp.get(entry.ip);
    if (!network || !set) return;
    set.delete(entry);
    network.count--;
    if (set.size === 0) {
      network.byIp.delete(entry.ip);
      this.sources--;
    }
    if (network.count === 0) this.networks.delete(entry.prefix);
  }
}
