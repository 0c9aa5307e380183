// IPv4 arithmetic for deckies and LANs: parse and format addresses and CIDRs (typed results,
// never a throw on garbage), and the two allocators the generators draw from.
import { AllocatorExhaustedError, InvalidAddressError } from './errors.js';

/** An IPv4 network: `network` is the address as an unsigned 32-bit integer, host bits clear. */
export interface Cidr {
  readonly network: number;
  readonly prefix: number;
}

/** Result of a parse: the value, or one line saying what is wrong with the input. */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** Parses a dotted-quad IPv4 address (no leading zeros); null when malformed. */
export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

/** Formats an unsigned 32-bit integer as a dotted quad. */
export function formatIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The netmask of a prefix length as an unsigned integer. */
function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Number of addresses in a network of this prefix length. */
export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/**
 * Parses `a.b.c.d/n`. With `strict` (the default) host bits must be clear, as in
 * `10.0.0.0/24`; otherwise they are masked off.
 */
export function parseCidr(text: string, strict = true): ParseResult<Cidr> {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, reason: `"${text}" is not a CIDR (expected a.b.c.d/n)` };
  const ip = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (ip === null) return { ok: false, reason: `"${text}" is not a CIDR: bad address` };
  if (!/^(0|[1-9][0-9]?)$/.test(prefixText) || Number(prefixText) > 32) {
    return { ok: false, reason: `"${text}" is not a CIDR: prefix must be 0-32` };
  }
  const prefix = Number(prefixText);
  const network = (ip & maskOf(prefix)) >>> 0;
  if (strict && network !== ip) return { ok: false, reason: `"${text}" has host bits set (did you mean ${formatIpv4(network)}/${prefix}?)` };
  return { ok: true, value: { network, prefix } };
}

/** Formats a CIDR as `a.b.c.d/n`. */
export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.network)}/${c.prefix}`;
}

/** True when `ip` lies inside `c` (network and broadcast included). */
export function cidrContains(c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.network;
}

/** True when the two networks share at least one address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  const m = maskOf(p);
  return ((a.network & m) >>> 0) === ((b.network & m) >>> 0);
}

/** The broadcast (last) address of a network. */
export function broadcastOf(c: Cidr): number {
  return c.network + cidrSize(c) - 1;
}

/** The gateway Docker gives a bridge created with only a subnet: the first host. */
export function defaultGateway(c: Cidr): number {
  return c.prefix >= 31 ? c.network : c.network + 1;
}

/** The smallest CIDR containing every address in `ips` (at least one). */
export function smallestCovering(ips: readonly number[]): Cidr {
  if (ips.length === 0) throw new RangeError('smallestCovering needs at least one address');
  let lo = ips[0] as number;
  let hi = lo;
  for (const ip of ips) {
    if (ip < lo) lo = ip;
    if (ip > hi) hi = ip;
  }
  let prefix = 32;
  while (prefix > 0 && ((lo & maskOf(prefix)) >>> 0) !== ((hi & maskOf(prefix)) >>> 0)) prefix--;
  return { network: (lo & maskOf(prefix)) >>> 0, prefix };
}

/**
 * Hands out host addresses of one LAN in order, starting at the second host (`.2`): the
 * network address, the gateway (`.1`) and the broadcast address are never handed out.
 */
export class IpAllocator {
  readonly cidr: Cidr;
  readonly text: string;
  private readonly taken = new Set<number>();
  private cursor: number;
  private readonly first: number;
  private readonly last: number;

  /** Throws InvalidAddressError when `cidr` does not parse. */
  constructor(cidr: string) {
    const parsed = parseCidr(cidr);
    if (!parsed.ok) throw new InvalidAddressError(cidr, parsed.reason);
    this.cidr = parsed.value;
    this.text = formatCidr(this.cidr);
    this.first = this.cidr.network + 2;
    this.last = broadcastOf(this.cidr) - 1;
    this.cursor = this.first;
  }

  /** How many addresses remain. */
  get free(): number {
    return Math.max(0, this.last - this.first + 1) - this.taken.size;
  }

  /** The next free address. Throws AllocatorExhaustedError when none is left. */
  next(): string {
    for (let ip = this.cursor; ip <= this.last; ip++) {
      if (!this.taken.has(ip)) {
        this.taken.add(ip);
        this.cursor = ip + 1;
        return formatIpv4(ip);
      }
    }
    for (let ip = this.first; ip < this.cursor && ip <= this.last; ip++) {
      if (!this.taken.has(ip)) {
        this.taken.add(ip);
        return formatIpv4(ip);
      }
    }
    throw new AllocatorExhaustedError(this.text, 'address');
  }

  /**
   * Marks `ip` as taken. Throws InvalidAddressError when it is malformed, outside the LAN, the
   * network/gateway/broadcast address, or already taken.
   */
  reserve(ip: string): void {
    const n = parseIpv4(ip);
    if (n === null) throw new InvalidAddressError(ip, 'not an IPv4 address');
    if (!cidrContains(this.cidr, n)) throw new InvalidAddressError(ip, `outside ${this.text}`);
    if (n < this.first || n > this.last) throw new InvalidAddressError(ip, `reserved address of ${this.text} (network, gateway or broadcast)`);
    if (this.taken.has(n)) throw new InvalidAddressError(ip, 'already taken');
    this.taken.add(n);
  }

  /** Frees `ip` again; unknown addresses are ignored. */
  release(ip: string): void {
    const n = parseIpv4(ip);
    if (n !== null) this.taken.delete(n);
  }

  /** True when `ip` is currently taken. */
  isTaken(ip: string): boolean {
    const n = parseIpv4(ip);
    return n !== null && this.taken.has(n);
  }
}

/** Width of every subnet a topology LAN gets. */
export const LAN_PREFIX = 24;

/**
 * Hands out /24 subnets of a parent range in address order, skipping every /24 that overlaps
 * a reserved subnet (those of live topologies).
 */
export class SubnetAllocator {
  readonly parent: Cidr;
  readonly text: string;
  private readonly reserved: Cidr[] = [];
  private index = 0;

  /**
   * `base` is `a.b` (read as `a.b.0.0/16`) or a CIDR no narrower than /24. Throws
   * InvalidAddressError for anything else, or for a reserved subnet that does not parse.
   */
  constructor(base: string, reserved: Iterable<string> = []) {
    const parsed = parseSubnetBase(base);
    if (!parsed.ok) throw new InvalidAddressError(base, parsed.reason);
    this.parent = parsed.value;
    this.text = formatCidr(this.parent);
    for (const r of reserved) this.reserve(r);
  }

  /** Total /24s in the parent range. */
  get capacity(): number {
    return 2 ** (LAN_PREFIX - this.parent.prefix);
  }

  /** Marks `subnet` as unavailable. Throws InvalidAddressError when it does not parse. */
  reserve(subnet: string): void {
    const p = parseCidr(subnet, false);
    if (!p.ok) throw new InvalidAddressError(subnet, p.reason);
    this.reserved.push(p.value);
  }

  /** The next free /24. Throws AllocatorExhaustedError naming the parent when none is left. */
  next(): string {
    while (this.index < this.capacity) {
      const candidate: Cidr = { network: this.parent.network + this.index * 256, prefix: LAN_PREFIX };
      this.index++;
      if (this.reserved.some((r) => cidrsOverlap(r, candidate))) continue;
      this.reserved.push(candidate);
      return formatCidr(candidate);
    }
    throw new AllocatorExhaustedError(this.text, 'subnet');
  }
}

/** Parses a subnet base: `a.b` (a /16) or a CIDR no narrower than /24 (host bits masked). */
export function parseSubnetBase(base: string): ParseResult<Cidr> {
  const text = /^\d{1,3}\.\d{1,3}$/.test(base) ? `${base}.0.0/16` : base;
  const parsed = parseCidr(text, false);
  if (!parsed.ok) return parsed;
  if (parsed.value.prefix > LAN_PREFIX) return { ok: false, reason: `"${base}" is narrower than /${LAN_PREFIX}` };
  return parsed;
}

/**
 * The canonical order of a decky's addresses: the home LAN (the one holding `homeIp`) first,
 * then the others by LAN name. Storage may not keep object key order (Postgres jsonb does not),
 * so every producer and reader applies this one order.
 */
export function orderIpsByLan(ips: Readonly<Record<string, string>>, homeIp: string | null): Record<string, string> {
  const entries = Object.entries(ips);
  const home = entries.find(([, ip]) => ip === homeIp);
  const rest = entries.filter((e) => e !== home).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(home ? [home, ...rest] : rest);
}
