// Address classification for the SSRF guard: which IPv4/IPv6 addresses a webhook may never
// reach (private, loopback, link-local, CGNAT, multicast, unspecified, reserved, documentation,
// cloud metadata), with IPv4 embedded in IPv6 (mapped, NAT64, 6to4, compatible) unwrapped and
// checked as IPv4, and an operator allow-list of CIDRs. Pure: no DNS, no sockets.
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
  block('0.0.0.0/8', 'unspecified'),
  block('10.0.0.0/8', 'private'),
  block('100.64.0.0/10', 'cgnat'),
  block('127.0.0.0/8', 'loopback'),
  block('169.254.0.0/16', 'link_local'),
  block('172.16.0.0/12', 'private'),
  block('192.0.0.0/24', 'reserved'),
  block('192.0.2.0/24', 'documentation'),
  block('192.88.99.0/24', 'reserved'),
  block('192.168.0.0/16', 'private'),
  block('198.18.0.0/15', 'reserved'),
  block('198.51.100.0/24', 'documentation'),
  block('203.0.113.0/24', 'documentation'),
  block('224.0.0.0/4', 'multicast'),
  block('255.255.255.255/32', 'broadcast'),
  block('240.0.0.0/4', 'reserved'),
];

/** Refused IPv6 blocks, most specific first (AWS's IPv6 metadata endpoint fd00:ec2::254 first). */
export const BLOCKED_V6: readonly { cidr: Cidr; reason: BlockReason }[] = [
  block('fd00:ec2::254/128', 'metadata'),
  block('::/128', 'unspecified'),
  block('::1/128', 'loopback'),
  block('fc00::/7', 'private'),
  block('fe80::/10', 'link_local'),
  block('fec0::/10', 'reserved'),
  block('ff00::/8', 'multicast'),
  block('2001:db8::/32', 'documentation'),
  block('2001::/32', 'reserved'),
  block('100::/64', 'reserved'),
  block('64:ff9b:1::/48', 'reserved'),
];

/** IPv6 prefixes that carry an IPv4 address, and where its four bytes sit. */
const EMBEDDING: readonly { cidr: Cidr; offset: number }[] = [
  { cidr: parseCidr('::ffff:0:0/96') as Cidr, offset: 12 },
  { cidr: parseCidr('64:ff9b::/96') as Cidr, offset: 12 },
  { cidr: parseCidr('2002::/16') as Cidr, offset: 2 },
  { cidr: parseCidr('::/96') as Cidr, offset: 12 },
];

/** The IPv4 address embedded in an IPv6 one (mapped, NAT64, 6to4, compatible), if any. */
export function embeddedIPv4(addr: ParsedAddress): ParsedAddress | null {
  if (addr.family !== 6) return null;
  for (const e of EMBEDDING) {
    if (cidrContains(e.cidr, addr)) return { family: 4, bytes: addr.bytes.slice(e.offset, e.offset + 4) };
  }
  return null;
}

/** Why `addr` is refused, or null for a public unicast address. */
export function blockReasonOf(addr: ParsedAddress): BlockReason | null {
  const table = addr.family === 4 ? BLOCKED_V4 : BLOCKED_V6;
  for (const { cidr, reason } of table) if (cidrContains(cidr, addr)) return reason;
  const v4 = embeddedIPv4(addr);
  return v4 ? blockReasonOf(v4) : null;
}

/** Result of {@link checkAddress}. */
export type AddressVerdict = { readonly ok: true; readonly allowedBy?: string } | { readonly ok: false; readonly reason: BlockReason | 'not_an_address' };

/**
 * Decides whether a webhook may connect to `address`. An address inside an allowed CIDR (or
 * whose embedded IPv4 is) passes even when it would be refused; everything else must be public.
 */
export function checkAddress(address: string, allow: readonly Cidr[]): AddressVerdict {
  const addr = parseAddress(address);
  if (!addr) return { ok: false, reason: 'not_an_address' };
  const v4 = embeddedIPv4(addr);
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
