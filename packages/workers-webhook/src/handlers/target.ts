// Where a delivery connects: the URL is checked (http/https, no credentials), the hostname is
// resolved ONCE, every resolved address must pass the SSRF guard, and the caller connects to
// the first checked address (never resolving again), so a DNS answer that changes between the
// check and the connection (rebinding) cannot redirect the request.
import { checkAddress, parseAddress, type BlockReason, type Cidr } from './ip-guard.js';

/** One resolved address. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a hostname to every address (the system resolver by default; tests inject one). */
export type Lookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** A checked destination: connect to `address`, send `Host`/SNI for `url.hostname`. */
export interface Target {
  readonly url: URL;
  readonly hostname: string;
  readonly address: string;
  readonly family: 4 | 6;
}

/** Why a URL may not be contacted. */
export type RefusalReason = BlockReason | 'bad_url' | 'scheme' | 'credentials_in_url' | 'dns_failed' | 'not_an_address';

/** Result of {@link resolveTarget}. */
export type TargetResult = { readonly ok: true; readonly target: Target } | { readonly ok: false; readonly reason: RefusalReason; readonly detail: string };

/** Longest URL accepted. */
export const MAX_URL_LENGTH = 2048;

/**
 * Checks a URL's syntax: http or https, a host, no user:password (it would leak into logs and
 * be sent as Authorization by some clients).
 */
export function checkUrl(text: string): { ok: true; url: URL } | { ok: false; reason: 'bad_url' | 'scheme' | 'credentials_in_url'; detail: string } {
  if (text.length > MAX_URL_LENGTH) return { ok: false, reason: 'bad_url', detail: `longer than ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'bad_url', detail: 'not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'scheme', detail: `scheme ${url.protocol} is not http or https` };
  if (url.hostname === '') return { ok: false, reason: 'bad_url', detail: 'no host' };
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'credentials_in_url', detail: 'user:password in the URL' };
  return { ok: true, url };
}

/** The hostname without IPv6 brackets. */
export function bareHostname(url: URL): string {
  const h = url.hostname;
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/**
 * Resolves and checks a delivery URL. A literal address is checked as is; a name is resolved
 * once and refused when ANY of its addresses is refused (an attacker-controlled name could
 * otherwise mix a public and a private answer); resolution failures refuse (fail closed).
 */
export async function resolveTarget(text: string, allow: readonly Cidr[], lookup: Lookup): Promise<TargetResult> {
  const checked = checkUrl(text);
  if (!checked.ok) return checked;
  const url = checked.url;
  const hostname = bareHostname(url);
  let addresses: readonly ResolvedAddress[];
  const literal = parseAddress(hostname);
  if (literal) {
    addresses = [{ address: hostname, family: literal.family }];
  } else {
    try {
      addresses = await lookup(hostname);
    } catch (err) {
      return { ok: false, reason: 'dns_failed', detail: `${hostname}: ${(err as { code?: string }).code ?? (err as Error).message}` };
    }
    if (addresses.length === 0) return { ok: false, reason: 'dns_failed', detail: `${hostname}: no address` };
  }
  for (const a of addresses) {
    const verdict = checkAddress(a.address, allow);
    if (!verdict.ok) return { ok: false, reason: verdict.reason, detail: `${hostname} → ${a.address} is ${verdict.reason.replace('_', '-')}` };
  }
  const first = addresses[0] as ResolvedAddress;
  return { ok: true, target: { url, hostname, address: first.address, family: first.family } };
}
