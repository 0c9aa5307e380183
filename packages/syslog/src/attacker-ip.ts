// Who is the attacker? Upstream's extraction order (SD keys, then `key=value` in MSG, then prose,
// then a bare IPv4), with its defects fixed: IPv6 and `[v6]:port` survive, IPv4-mapped IPv6 is
// folded to IPv4, and text the attacker typed (a shell command) is never searched.

/** SD keys that name the attacker, highest priority first (upstream's order). */
export const ATTACKER_IP_KEYS = ['src_ip', 'src', 'client_ip', 'remote_ip', 'remote_addr', 'target_ip', 'ip'] as const;

/** The value stored when no attacker address is found (upstream's literal, kept for the `logs` table). */
export const UNKNOWN_ATTACKER_IP = 'Unknown';

/** Prose markers that precede the peer's address in native daemon lines (sshd, pam, postfix). */
const PROSE_MARKERS = ['from ', 'rhost=', 'client='] as const;

/** Where an attacker address was found. */
export type AttackerIpSource = 'sd' | 'msg-key' | 'msg-prose' | 'msg-ipv4';

/** An attacker address and where it came from. */
export interface AttackerIp {
  /** The address (IPv6 lower-cased, IPv4-mapped IPv6 folded to IPv4); for SD keys, a non-IP value is kept verbatim as upstream did. */
  ip: string;
  /** The port, when the value had the form `host:port` or `[v6]:port`. */
  port?: string;
  source: AttackerIpSource;
  /** The SD key or MSG key/marker the address was read from. */
  key?: string;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** True for a dotted-quad IPv4 address with octets 0..255 and no leading zeros. */
export function isIPv4(text: string): boolean {
  const n = text.length;
  if (n < 7 || n > 15) return false;
  let octets = 0;
  let i = 0;
  while (i <= n) {
    const start = i;
    let value = 0;
    while (i < n && isDigit(text.charCodeAt(i))) {
      value = value * 10 + text.charCodeAt(i) - 48;
      i++;
    }
    const len = i - start;
    if (len === 0 || len > 3 || value > 255 || (len > 1 && text.charCodeAt(start) === 48)) return false;
    octets++;
    if (i === n) break;
    if (text.charCodeAt(i) !== 46 /* . */ || octets === 4) return false;
    i++;
  }
  return octets === 4;
}

/** True for an IPv6 address in any RFC 4291 text form (with `::`, embedded IPv4, or a `%zone`). */
export function isIPv6(text: string): boolean {
  const zone = text.indexOf('%');
  const addr = zone === -1 ? text : text.slice(0, zone);
  if (zone !== -1 && zone === text.length - 1) return false;
  if (addr.length < 2 || addr.length > 45) return false;
  const gap = addr.indexOf('::');
  if (gap !== -1 && addr.indexOf('::', gap + 1) !== -1) return false;
  const countGroups = (part: string, allowV4: boolean): number => {
    if (part === '') return 0;
    const groups = part.split(':');
    let count = 0;
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g] as string;
      if (allowV4 && g === groups.length - 1 && group.includes('.')) {
        if (!isIPv4(group)) return -1;
        count += 2;
        continue;
      }
      if (group.length === 0 || group.length > 4) return -1;
      for (let k = 0; k < group.length; k++) if (!isHex(group.charCodeAt(k))) return -1;
      count++;
    }
    return count;
  };
  if (gap === -1) return countGroups(addr, true) === 8;
  const head = countGroups(addr.slice(0, gap), false);
  const tail = countGroups(addr.slice(gap + 2), true);
  return head >= 0 && tail >= 0 && head + tail <= 7;
}

/** True for an IPv4 or IPv6 address. */
export function isIpAddress(text: string): boolean {
  return isIPv4(text) || isIPv6(text);
}

function isPort(text: string): boolean {
  if (text.length === 0 || text.length > 5) return false;
  for (let i = 0; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return Number(text) <= 65535;
}

/** Lower-cases IPv6 and folds `::ffff:a.b.c.d` (what dual-stack sockets report) to `a.b.c.d`. */
export function normalizeIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  const lower = ip.toLowerCase();
  if (lower.startsWith('::ffff:')) {
    const v4 = lower.slice(7);
    if (isIPv4(v4)) return v4;
  }
  return isIPv6(lower) ? lower : ip;
}

/**
 * Splits `host:port` and `[host]:port`, and strips brackets from `[host]`. A value with several
 * colons and no brackets is an IPv6 address and is not split (upstream turned `::1` into `:` and
 * port `1`). Anything else comes back unchanged as `host`.
 */
export function splitHostPort(value: string): { host: string; port?: string } {
  const text = value.trim();
  if (text.charCodeAt(0) === 91 /* [ */) {
    const close = text.indexOf(']');
    if (close > 1) {
      const host = text.slice(1, close);
      const rest = text.slice(close + 1);
      if (rest === '') return { host };
      if (rest.charCodeAt(0) === 58 /* : */ && isPort(rest.slice(1))) return { host, port: rest.slice(1) };
    }
    return { host: text };
  }
  const colon = text.indexOf(':');
  if (colon > 0 && colon === text.lastIndexOf(':')) {
    const port = text.slice(colon + 1);
    if (isPort(port)) return { host: text.slice(0, colon), port };
  }
  return { host: text };
}

/** Reads an address token starting at `from`: up to whitespace or `,;)>'"`, with `host[ip]` and a final `.` handled. */
function addressAt(text: string, from: number): { host: string; port?: string } | null {
  let end = from;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c <= 32 || c === 44 || c === 59 || c === 41 || c === 62 || c === 39 || c === 34) break;
    end++;
  }
  let token = text.slice(from, end);
  // postfix style `client=name[1.2.3.4]`
  const open = token.indexOf('[');
  if (open > 0 && token.endsWith(']')) token = token.slice(open + 1, -1);
  if (token.endsWith('.') && !token.includes(':')) token = token.slice(0, -1);
  const split = splitHostPort(token);
  if (!isIpAddress(split.host)) return null;
  return split;
}

/** The part of MSG that the emitter wrote. In a bash `CMD` line, `pwd=` and `cmd=` are the attacker's text and are cut off. */
function trustedRegion(msg: string): string {
  const text = msg.trimStart();
  if (!text.startsWith('CMD ')) return msg;
  let cut = text.length;
  for (const marker of [' pwd=', ' cmd=']) {
    const at = text.indexOf(marker);
    if (at !== -1 && at < cut) cut = at;
  }
  return text.slice(0, cut);
}

function isTokenStart(text: string, at: number): boolean {
  return at === 0 || text.charCodeAt(at - 1) <= 32;
}

function keyInMsg(region: string): AttackerIp | null {
  for (const key of ATTACKER_IP_KEYS) {
    const needle = `${key}=`;
    let at = region.indexOf(needle);
    while (at !== -1) {
      if (isTokenStart(region, at)) {
        const found = addressAt(region, at + needle.length);
        if (found)
          return { ip: normalizeIp(found.host), ...(found.port ? { port: found.port } : {}), source: 'msg-key', key };
      }
      at = region.indexOf(needle, at + 1);
    }
  }
  return null;
}

function proseInMsg(region: string): AttackerIp | null {
  let best: AttackerIp | null = null;
  let bestAt = Infinity;
  for (const marker of PROSE_MARKERS) {
    let at = region.indexOf(marker);
    while (at !== -1 && at < bestAt) {
      if (isTokenStart(region, at)) {
        const found = addressAt(region, at + marker.length);
        if (found) {
          best = {
            ip: normalizeIp(found.host),
            ...(found.port ? { port: found.port } : {}),
            source: 'msg-prose',
            key: marker.trim(),
          };
          bestAt = at;
          break;
        }
      }
      at = region.indexOf(marker, at + 1);
    }
  }
  return best;
}

function bareIPv4(region: string): AttackerIp | null {
  const n = region.length;
  let i = 0;
  while (i < n) {
    if (
      !isDigit(region.charCodeAt(i)) ||
      (i > 0 && (isDigit(region.charCodeAt(i - 1)) || region.charCodeAt(i - 1) === 46))
    ) {
      i++;
      continue;
    }
    let end = i;
    while (end < n) {
      const c = region.charCodeAt(end);
      if (!isDigit(c) && c !== 46) break;
      end++;
    }
    let candidate = region.slice(i, end);
    while (candidate.endsWith('.')) candidate = candidate.slice(0, -1);
    if (isIPv4(candidate)) return { ip: candidate, source: 'msg-ipv4' };
    i = end;
  }
  return null;
}

/**
 * Finds the attacker's address, in upstream's order:
 * 1. the first SD key present (non-empty) in {@link ATTACKER_IP_KEYS} order; `host:port` is
 *    split and a non-IP value is kept verbatim;
 * 2. a `key=<ip>` token in MSG, same key order;
 * 3. prose in MSG: the earliest `from <ip>`, `rhost=<ip>` or `client=<ip>` (sshd, pam, postfix);
 * 4. the first bare IPv4 address in MSG.
 * In MSG only real addresses count, and a bash `CMD` line is searched only before `pwd=`/`cmd=`,
 * so a typed command such as `wget http://203.0.113.9/x` cannot become the attacker.
 * @returns the address, or `null` (stored as {@link UNKNOWN_ATTACKER_IP}).
 */
export function extractAttackerIp(fields: Readonly<Record<string, string>>, msg?: string | null): AttackerIp | null {
  for (const key of ATTACKER_IP_KEYS) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) continue;
    const value = fields[key];
    if (typeof value !== 'string' || value.trim() === '') continue;
    const { host, port } = splitHostPort(value);
    return { ip: normalizeIp(host), ...(port ? { port } : {}), source: 'sd', key };
  }
  if (!msg) return null;
  const region = trustedRegion(msg);
  return keyInMsg(region) ?? proseInMsg(region) ?? bareIPv4(region);
}
