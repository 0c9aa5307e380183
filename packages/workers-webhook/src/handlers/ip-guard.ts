// Address classification for the SSRF guard: which IPv4/IPv6 addresses a webhook may never
// reach (IANA's special-purpose blocks: private, loopback, link-local, CGNAT, multicast, reserved,
// documentation..., plus cloud metadata), with IPv4 embedded in IPv6 (mapped, translated, NAT64,
// 6to4, compatible) unwrapped and checked as IPv4, and an operator allow-list of CIDRs. Pure.
import { isIPv4, isIPv6 } from 'node:net';

/** Why an address is refused. */
export type BlockReason =
  | 'metadata'
  | 'private'
  | 'loopback'
  | 'link_local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'reserved'
  | 'documentation';

/** A parsed address: 4 or 16 bytes. */
export interface ParsedAddress {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

/** A parsed CIDR block. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
  readonly prefix: number;
  /** As written (for messages). */
  readonly text: string;
}

function parseV4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

function parseV6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  let addr = text;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = addr.lastIndexOf(':');
  const tail = addr.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseV4(tail);
    addr = `${addr.slice(0, lastColon + 1)}${((v4[0] as number) * 256 + (v4[1] as number)).toString(16)}:${((v4[2] as number) * 256 + (v4[3] as number)).toString(16)}`;
  }
  const [head, rest] = addr.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** Parses an IPv4 or IPv6 literal (brackets and a `%zone` are stripped); null when it is not one. */
export function parseAddress(text: string): ParsedAddress | null {
  let t = text.trim();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const zone = t.indexOf('%');
  if (zone >= 0) t = t.slice(0, zone);
  if (isIPv4(t)) return { family: 4, bytes: parseV4(t) };
  if (isIPv6(t)) return { family: 6, bytes: parseV6(t) };
  return null;
}

/**
 * Parses `a.b.c.d/n`, `x::/n` or a bare address (a single-host block).
 * @returns null when the text is not a CIDR.
 */
export function parseCidr(text: string): Cidr | null {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addr = parseAddress(slash < 0 ? trimmed : trimmed.slice(0, slash));
  if (!addr) return null;
  const max = addr.family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return null;
    prefix = Number(p);
  }
  return { family: addr.family, bytes: addr.bytes, prefix, text: trimmed };
}

/** True when `addr` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, addr: ParsedAddress): boolean {
  if (cidr.family !== addr.family) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((cidr.bytes[i] as number) & mask) !== ((addr.bytes[i] as number) & mask)) return false;
  }
  return true;
}

const block = (text: string, reason: BlockReason): { cidr: Cidr; reason: BlockReason } => ({ cidr: parseCidr(text) as Cidr, reason });

/*
 * Source of the refused blocks: IANA's special-purpose address registries, every entry whatever
 * its "globally reachable" flag (a webhook has no business with AS112 sinks, AMT relays, ORCHIDs
 * or SRv6 SIDs):
 * - IANA IPv4 Special-Purpose Address Registry (RFC 6890 as amended by RFC 8190), entries through
 *   RFC 8880 (192.0.0.170/32, 192.0.0.171/32), plus 224.0.0.0/4 from the IPv4 Multicast Address
 *   Space registry;
 * - IANA IPv6 Special-Purpose Address Registry, entries through RFC 9780 (100:0:0:1::/64, 2025),
 *   RFC 9637 (3fff::/20, 2024) and RFC 9602 (5f00::/16, 2024), plus fec0::/10 (deprecated
 *   site-local) and ff00::/8 from the IPv6 Address Space registry, and ::ffff:0:0:0/96
 *   (IPv4-translated, RFC 2765), which is in no registry but reaches IPv4 through a translator.
 * Beyond the tables, IPv6 outside 2000::/3 (the only block IANA allocates as global unicast) is
 * refused as reserved, so a block registered later in that space is refused already.
 */

/**
 * Refused IPv4 blocks, most specific first (the first match names the reason). Cloud metadata
 * endpoints come first: AWS/GCP/Azure/OCI 169.254.169.254, AWS ECS 169.254.170.2, Azure's wire
 * server 168.63.129.16 (a public address!) and Alibaba's 100.100.100.200.
 */
export const BLOCKED_V4: readonly { cidr: Cidr; reason: BlockReason }[] = [
  block('169.254.169.254/32', 'metadata'),
  block('169.254.170.2/32', 'metadata'),
  block('168.63.129.16/32', 'metadata'),
  block('100.100.100.200/32', 'metadata'),
  block('0.0.0.0/8', 'unspecified'), // "This network" (RFC 791), 0.0.0.0/32 "This host" (RFC 1122)
  block('10.0.0.0/8', 'private'), // Private-Use (RFC 1918)
  block('100.64.0.0/10', 'cgnat'), // Shared Address Space (RFC 6598)
  block('127.0.0.0/8', 'loopback'), // Loopback (RFC 1122)
  block('169.254.0.0/16', 'link_local'), // Link Local (RFC 3927)
  block('172.16.0.0/12', 'private'), // Private-Use (RFC 1918)
  block('192.0.0.0/24', 'reserved'), // IETF Protocol Assignments (RFC 6890): /29, .8, .9, .10, .170, .171 inside
  block('192.0.2.0/24', 'documentation'), // TEST-NET-1 (RFC 5737)
  block('192.31.196.0/24', 'reserved'), // AS112-v4 (RFC 7535)
  block('192.52.193.0/24', 'reserved'), // AMT (RFC 7450)
  block('192.88.99.0/24', 'reserved'), // Deprecated 6to4 Relay Anycast (RFC 7526)
  block('192.168.0.0/16', 'private'), // Private-Use (RFC 1918)
  block('192.175.48.0/24', 'reserved'), // Direct Delegation AS112 Service (RFC 7534)
  block('198.18.0.0/15', 'reserved'), // Benchmarking (RFC 2544)
  block('198.51.100.0/24', 'documentation'), // TEST-NET-2 (RFC 5737)
  block('203.0.113.0/24', 'documentation'), // TEST-NET-3 (RFC 5737)
  block('224.0.0.0/4', 'multicast'), // IPv4 Multicast Address Space
  block('255.255.255.255/32', 'broadcast'), // Limited Broadcast (RFC 919)
  block('240.0.0.0/4', 'reserved'), // Reserved (RFC 1112)
];

/**
 * Refused IPv6 blocks, most specific first (AWS's IPv6 metadata endpoint fd00:ec2::254 first).
 * The IPv4-carrying prefixes (mapped, NAT64, 6to4, compatible, translated) are not here: their
 * embedded IPv4 address is checked instead (see {@link blockReasonOf}).
 */
export const BLOCKED_V6: readonly { cidr: Cidr; reason: BlockReason }[] = [
  block('fd00:ec2::254/128', 'metadata'),
  block('::/128', 'unspecified'), // Unspecified (RFC 4291)
  block('::1/128', 'loopback'), // Loopback (RFC 4291)
  block('fc00::/7', 'private'), // Unique-Local (RFC 4193)
  block('fe80::/10', 'link_local'), // Link-Local Unicast (RFC 4291)
  block('fec0::/10', 'reserved'), // deprecated site-local (RFC 3879)
  block('ff00::/8', 'multicast'), // IPv6 Multicast Address Space
  block('2001:db8::/32', 'documentation'), // Documentation (RFC 3849)
  block('3fff::/20', 'documentation'), // Documentation (RFC 9637)
  block('2001::/23', 'reserved'), // IETF Protocol Assignments (RFC 2928): TEREDO, Benchmarking 2001:2::/48, AMT, AS112-v6, ORCHID(v2) 2001:20::/28, DETs
  block('2620:4f:8000::/48', 'reserved'), // Direct Delegation AS112 Service (RFC 7534)
  block('100::/64', 'reserved'), // Discard-Only (RFC 6666)
  block('100:0:0:1::/64', 'reserved'), // Dummy IPv6 Prefix (RFC 9780)
  block('64:ff9b:1::/48', 'reserved'), // Local-Use IPv4/IPv6 Translation (RFC 8215)
  block('5f00::/16', 'reserved'), // Segment Routing (SRv6) SIDs (RFC 9602)
];

/** How an IPv6 prefix carries an IPv4 address. */
interface Embedding {
  readonly cidr: Cidr;
  /** Where the four IPv4 bytes sit. */
  readonly offset: number;
  /** Whether a public embedded IPv4 makes the IPv6 address usable (else the prefix itself is refused). */
  readonly routable: boolean;
}

/** IPv6 prefixes that carry an IPv4 address. */
const EMBEDDING: readonly Embedding[] = [
  { cidr: parseCidr('::ffff:0:0/96') as Cidr, offset: 12, routable: true }, // IPv4-mapped (RFC 4291): the host's own IPv4 stack
  { cidr: parseCidr('::ffff:0:0:0/96') as Cidr, offset: 12, routable: false }, // IPv4-translated (RFC 2765, obsolete SIIT)
  { cidr: parseCidr('64:ff9b::/96') as Cidr, offset: 12, routable: true }, // IPv4-IPv6 Translation well-known prefix (RFC 6052)
  { cidr: parseCidr('2002::/16') as Cidr, offset: 2, routable: true }, // 6to4 (RFC 3056)
  { cidr: parseCidr('::/96') as Cidr, offset: 12, routable: false }, // IPv4-compatible (RFC 4291, deprecated)
];

/** IPv6 global unicast (IANA IPv6 Address Space): everything else is special or unassigned. */
const GLOBAL_UNICAST_V6 = parseCidr('2000::/3') as Cidr;

/** The IPv4-mapped prefix: the one embedding through which the host really connects to the IPv4 address. */
const MAPPED_V6 = EMBEDDING[0] as Embedding;

function embeddingOf(addr: ParsedAddress): Embedding | null {
  if (addr.family !== 6) return null;
  for (const e of EMBEDDING) if (cidrContains(e.cidr, addr)) return e;
  return null;
}

/** The IPv4 address embedded in an IPv6 one (mapped, translated, NAT64, 6to4, compatible), if any. */
export function embeddedIPv4(addr: ParsedAddress): ParsedAddress | null {
  const e = embeddingOf(addr);
  return e ? { family: 4, bytes: addr.bytes.slice(e.offset, e.offset + 4) } : null;
}

/**
 * Why `addr` is refused, or null for a public unicast address. IPv6: the table first, then an
 * embedded IPv4 address is checked as IPv4 (a refused one gives its reason; a public one passes
 * only under a routable embedding), then anything outside 2000::/3 is reserved.
 */
export function blockReasonOf(addr: ParsedAddress): BlockReason | null {
  const table = addr.family === 4 ? BLOCKED_V4 : BLOCKED_V6;
  for (const { cidr, reason } of table) if (cidrContains(cidr, addr)) return reason;
  if (addr.family === 4) return null;
  const e = embeddingOf(addr);
  if (e) {
    const v4 = blockReasonOf({ family: 4, bytes: addr.bytes.slice(e.offset, e.offset + 4) });
    return v4 ?? (e.routable ? null : 'reserved');
  }
  return cidrContains(GLOBAL_UNICAST_V6, addr) ? null : 'reserved';
}

/** Result of {@link checkAddress}. */
export type AddressVerdict = { readonly ok: true; readonly allowedBy?: string } | { readonly ok: false; readonly reason: BlockReason | 'not_an_address' };

/**
 * Decides whether a webhook may connect to `address`. An address inside an allowed CIDR passes
 * even when it would be refused, and so does an IPv4-mapped one (`::ffff:a.b.c.d`, which the host
 * connects to over IPv4) whose IPv4 address is inside one; other embeddings (6to4, NAT64,
 * translated) reach a different host and never inherit an IPv4 allowance. Everything else must
 * be public.
 */
export function checkAddress(address: string, allow: readonly Cidr[]): AddressVerdict {
  const addr = parseAddress(address);
  if (!addr) return { ok: false, reason: 'not_an_address' };
  const v4 = addr.family === 6 && cidrContains(MAPPED_V6.cidr, addr) ? embeddedIPv4(addr) : null;
  for (const cidr of allow) {
    if (cidrContains(cidr, addr) || (v4 !== null && cidrContains(cidr, v4))) return { ok: true, allowedBy: cidr.text };
  }
  const reason = blockReasonOf(addr);
  return reason === null ? { ok: true } : { ok: false, reason };
}

/**
 * Parses a comma-separated list of CIDRs (DECNET_WEBHOOK_ALLOW_CIDRS).
 * @returns the blocks, or the first entry that is not a CIDR.
 */
export function parseCidrList(text: string): Cidr[] | { invalid: string } {
  const out: Cidr[] = [];
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const cidr = parseCidr(part);
    if (!cidr) return { invalid: part.trim() };
    out.push(cidr);
  }
  return out;
}
