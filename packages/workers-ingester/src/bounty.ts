// Bounties: what an attacker gave away, derived per event (reference §3): captured artifacts,
// protocol fingerprints from the sniffer, prober and services, HTTP User-Agent and header-order
// quirks, and proxy headers that leak a real address or carry a spoofed one. Pure.
import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { splitHostPort } from '@decnet/syslog';
import type { IngestEvent } from './payload.js';

/** One bounty row. */
export interface BountyRow {
  readonly bountyType: 'fingerprint' | 'ip_leak' | 'artifact';
  readonly payload: Record<string, unknown>;
}

/** Options of {@link extractBounties}. */
export interface BountyOptions {
  /** Proxies whose forwarding headers are trusted (DECNET_TRUSTED_PROXIES): no leak is recorded for them. */
  readonly trustedProxies: BlockList;
}

/** Header names compared in lower case; forwarding headers in the order they are believed. */
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'true-client-ip', 'cf-connecting-ip'] as const;

/** Headers whose presence or order varies per request, excluded from the quirks hashes. */
const VOLATILE_HEADERS = new Set([
  'cookie',
  'content-length',
  'content-type',
  'authorization',
  'if-none-match',
  'if-modified-since',
  'cache-control',
  'pragma',
  'referer',
  'origin',
  'x-request-id',
  'x-forwarded-for',
  'forwarded',
  'x-real-ip',
  'true-client-ip',
  'cf-connecting-ip',
]);

/** Addresses that cannot be a real client on the internet. */
const NON_ROUTABLE = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
    ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
    ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
  ] as const) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['2001:db8::', 32]] as const) {
    list.addSubnet(net, prefix, 'ipv6');
  }
  return list;
})();

/** Fields copied into each fingerprint bounty, by event type. */
const FINGERPRINTS: Record<string, { type: string; keys: readonly string[] }> = {
  tls_client_hello: { type: 'ja3', keys: ['ja3', 'ja4', 'tls_version', 'sni', 'alpn', 'dst_port'] },
  tls_session: { type: 'ja3', keys: ['ja3', 'ja3s', 'ja4', 'ja4s', 'tls_version', 'sni', 'dst_port'] },
  tls_certificate: { type: 'tls_certificate', keys: ['subject_cn', 'issuer', 'self_signed', 'not_before', 'not_after', 'sans', 'sni', 'target_port'] },
  quic_client_hello: { type: 'ja4_quic', keys: ['ja4_quic', 'ja4', 'sni', 'alpn', 'dst_port'] },
  jarm_fingerprint: { type: 'jarm', keys: ['jarm_hash', 'jarm', 'target_port'] },
  hassh_fingerprint: { type: 'hassh_server', keys: ['hassh_server', 'hassh', 'ssh_banner', 'target_port'] },
  tcpfp_fingerprint: { type: 'tcpfp', keys: ['tcpfp', 'tcpfp_hash', 'ttl', 'window', 'mss', 'options', 'target_port'] },
  icmp_error_leak: { type: 'icmp_error', keys: ['icmp_type', 'icmp_code', 'inner_src', 'inner_dst', 'target_port'] },
  icmp6_error_leak: { type: 'icmp6_error', keys: ['icmp_type', 'icmp_code', 'inner_src', 'inner_dst', 'target_port'] },
  http_request_fingerprint: { type: 'ja4h', keys: ['ja4h', 'headers_ordered', 'accept_language', 'proto'] },
  http2_settings: { type: 'http2_settings', keys: ['settings', 'frame_order'] },
  http3_settings: { type: 'http3_settings', keys: ['settings', 'frame_order'] },
};

/** User-Agent categories, first match wins. */
const UA_RULES: readonly { category: string; tool: string; pattern: RegExp }[] = [
  { category: 'scanner', tool: 'nmap', pattern: /nmap/i },
  { category: 'scanner', tool: 'masscan', pattern: /masscan/i },
  { category: 'scanner', tool: 'zgrab', pattern: /zgrab/i },
  { category: 'scanner', tool: 'nuclei', pattern: /nuclei/i },
  { category: 'scanner', tool: 'nikto', pattern: /nikto/i },
  { category: 'scanner', tool: 'sqlmap', pattern: /sqlmap/i },
  { category: 'scanner', tool: 'gobuster', pattern: /gobuster/i },
  { category: 'scanner', tool: 'dirbuster', pattern: /dirbuster/i },
  { category: 'scanner', tool: 'wpscan', pattern: /wpscan/i },
  { category: 'scanner', tool: 'censys', pattern: /censys/i },
  { category: 'scanner', tool: 'shodan', pattern: /shodan/i },
  { category: 'cli', tool: 'curl', pattern: /^curl\//i },
  { category: 'cli', tool: 'wget', pattern: /^wget\//i },
  { category: 'cli', tool: 'httpie', pattern: /^httpie\//i },
  { category: 'library', tool: 'python-requests', pattern: /python-requests/i },
  { category: 'library', tool: 'python-urllib', pattern: /python-urllib/i },
  { category: 'library', tool: 'aiohttp', pattern: /aiohttp/i },
  { category: 'library', tool: 'go-http-client', pattern: /go-http-client/i },
  { category: 'library', tool: 'okhttp', pattern: /okhttp/i },
  { category: 'library', tool: 'java', pattern: /^java\//i },
  { category: 'library', tool: 'libwww-perl', pattern: /libwww-perl/i },
  { category: 'library', tool: 'axios', pattern: /axios/i },
  { category: 'library', tool: 'node-fetch', pattern: /node-fetch|undici/i },
  { category: 'bot', tool: 'crawler', pattern: /bot\b|crawler|spider|slurp/i },
  { category: 'browser', tool: 'browser', pattern: /^Mozilla\/5\.0 .*(Chrome|Firefox|Safari|Edg|OPR)\//i },
];

/** Classifies a User-Agent: category (`''` when absent), tool guess, and signals. */
export function classifyUserAgent(ua: string): { category: string; tool: string; signals: string[] } {
  const signals: string[] = [];
  if (ua === '') return { category: '', tool: '', signals: ['empty'] };
  if (/headless/i.test(ua)) signals.push('headless');
  if (/selenium|puppeteer|playwright|phantomjs/i.test(ua)) signals.push('automation');
  if (ua.length > 512) signals.push('oversized');
  const rule = UA_RULES.find((r) => r.pattern.test(ua));
  return rule ? { category: rule.category, tool: rule.tool, signals } : { category: 'nonstandard', tool: '', signals };
}

/** The request headers of an http `request` event, in the order they were sent (names as sent). */
function parseHeaders(text: string | undefined): [string, string][] {
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  if (Array.isArray(parsed)) {
    return parsed.flatMap((h) => (Array.isArray(h) && typeof h[0] === 'string' ? [[h[0], String(h[1] ?? '')] as [string, string]] : []));
  }
  if (parsed && typeof parsed === 'object') {
    return Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]);
  }
  return [];
}

function casing(name: string): string {
  if (name === name.toLowerCase()) return 'l';
  if (name === name.toUpperCase()) return 'U';
  if (name.split('-').every((p) => p === '' || (p[0] === p[0]?.toUpperCase() && p.slice(1) === p.slice(1).toLowerCase()))) return 'T';
  return 'm';
}

const hash16 = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** Addresses named by a forwarding header value (`for=` of Forwarded, comma lists elsewhere). */
function headerAddresses(name: string, value: string): string[] {
  const parts =
    name === 'forwarded'
      ? [...value.matchAll(/for=("?)([^;,"]+)\1/gi)].map((m) => m[2] ?? '')
      : value.split(',');
  return parts
    .map((p) => splitHostPort(p.trim()).host.replace(/^\[|\]$/g, ''))
    .filter((p) => isIP(p) !== 0);
}

function isNonRoutable(ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && NON_ROUTABLE.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

function isTrusted(list: BlockList, ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

function pick(fields: Record<string, string>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (fields[k] !== undefined && fields[k] !== '') out[k] = fields[k];
  return out;
}

function httpBounties(event: IngestEvent, options: BountyOptions): BountyRow[] {
  const headers = parseHeaders(event.fields.headers);
  if (headers.length === 0) return [];
  const rows: BountyRow[] = [];
  const lower = new Map(headers.map(([k, v]) => [k.toLowerCase(), v]));
  const ua = lower.get('user-agent') ?? '';
  const { category, tool, signals } = classifyUserAgent(ua);
  rows.push({
    bountyType: 'fingerprint',
    payload: {
      fingerprint_type: 'http_useragent',
      value: ua,
      category,
      tool,
      signals,
      method: event.fields.method ?? '',
      path: event.fields.path ?? '',
    },
  });
  const stable = headers.map(([k]) => k).filter((k) => !VOLATILE_HEADERS.has(k.toLowerCase()));
  if (stable.length > 0) {
    rows.push({
      bountyType: 'fingerprint',
      payload: {
        fingerprint_type: 'http_quirks',
        order_hash: hash16(stable.map((k) => k.toLowerCase()).join('\n')),
        casing_hash: hash16(stable.map(casing).join('')),
        header_count: stable.length,
        tool_guess: tool,
      },
    });
  }
  for (const name of PROXY_HEADERS) {
    const value = lower.get(name);
    if (value === undefined) continue;
    for (const ip of headerAddresses(name, value)) {
      if (isNonRoutable(ip)) {
        rows.push({ bountyType: 'fingerprint', payload: { fingerprint_type: 'spoofed_source', header: name, value: ip } });
      } else if (ip !== event.attackerIp && !isTrusted(options.trustedProxies, event.attackerIp)) {
        rows.push({ bountyType: 'ip_leak', payload: { header: name, leaked_ip: ip, source_ip: event.attackerIp } });
      }
    }
    // The most trusted header present decides; lower ones are usually copies.
    break;
  }
  return rows;
}

/** Every bounty `event` yields, in a stable order. */
export function extractBounties(event: IngestEvent, options: BountyOptions): BountyRow[] {
  const { fields, eventType } = event;
  if (eventType === 'file_captured') {
    return fields.stored_as
      ? [{ bountyType: 'artifact', payload: { kind: 'file', ...pick(fields, ['stored_as', 'sha256', 'size', 'orig_path', 'ssh_user', 'attribution', 'mtime']) } }]
      : [];
  }
  if (eventType === 'message_stored') {
    return fields.stored_as
      ? [{ bountyType: 'artifact', payload: { kind: 'mail', ...pick(fields, ['stored_as', 'sha256', 'size', 'subject', 'from_hdr', 'mail_from', 'rcpt_to', 'attachment_count']) } }]
      : [];
  }
  if (eventType === 'version' && event.service === 'vnc' && fields.client_version) {
    return [{ bountyType: 'fingerprint', payload: { fingerprint_type: 'vnc_client_version', value: fields.client_version } }];
  }
  if (eventType === 'request' && (event.service === 'http' || event.service === 'https')) return httpBounties(event, options);
  const spec = FINGERPRINTS[eventType];
  if (!spec) return [];
  const rows: BountyRow[] = [];
  const picked = pick(fields, spec.keys);
  if (Object.keys(picked).length > 0) rows.push({ bountyType: 'fingerprint', payload: { fingerprint_type: spec.type, ...picked } });
  if (eventType === 'tls_client_hello') {
    if (fields.ja4l_rtt_ms) {
      rows.push({ bountyType: 'fingerprint', payload: { fingerprint_type: 'ja4l', ...pick(fields, ['ja4l_rtt_ms', 'ja4l_client_ttl']) } });
    }
    if (fields.resumption) rows.push({ bountyType: 'fingerprint', payload: { fingerprint_type: 'tls_resumption', value: fields.resumption } });
  }
  return rows;
}

/**
 * Parses DECNET_TRUSTED_PROXIES (`10.0.0.0/8, 203.0.113.7, 2001:db8::/32`).
 * @returns the list, or the first invalid entry.
 */
export function parseTrustedProxies(text: string): BlockList | { invalid: string } {
  const list = new BlockList();
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [addr = '', prefixText] = item.split('/');
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > max) return { invalid: item };
    list.addSubnet(addr, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}
