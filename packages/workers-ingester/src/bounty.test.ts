// Bounties derived from events: artifacts, fingerprints, User-Agent classes, header quirks, and
// forwarding headers that leak a real address, carry a spoofed one, or come from a trusted proxy.
import { describe, expect, it } from 'vitest';
import { classifyUserAgent, extractBounties, parseTrustedProxies } from './bounty.js';
import type { IngestEvent } from './payload.js';

const none = parseTrustedProxies('') as Exclude<ReturnType<typeof parseTrustedProxies>, { invalid: string }>;
const event = (eventType: string, fields: Record<string, string>, over: Partial<IngestEvent> = {}): IngestEvent => ({
  eventId: 'e1',
  at: new Date('2026-05-02T06:00:25Z'),
  decky: 'decky-01',
  service: 'http',
  eventType,
  attackerIp: '8.8.4.4',
  rawLine: '',
  fields,
  msg: null,
  sourceWorker: null,
  ...over,
});
const headers = (h: Record<string, string>) => JSON.stringify(h);

describe('captured files and mails become artifact bounties', () => {
  it('records file_captured and message_stored with a stored_as, and skips them without', () => {
    expect(extractBounties(event('file_captured', { stored_as: 'a.bin', sha256: 'ff', size: '3' }, { service: 'ssh' }), { trustedProxies: none })).toEqual([
      { bountyType: 'artifact', payload: { kind: 'file', stored_as: 'a.bin', sha256: 'ff', size: '3' } },
    ]);
    expect(extractBounties(event('message_stored', { stored_as: 'm.eml', subject: 'hi' }, { service: 'smtp' }), { trustedProxies: none })[0]).toMatchObject({
      bountyType: 'artifact',
      payload: { kind: 'mail', stored_as: 'm.eml', subject: 'hi' },
    });
    expect(extractBounties(event('file_captured', { sha256: 'ff' }, { service: 'ssh' }), { trustedProxies: none })).toEqual([]);
  });
});

describe('protocol fingerprints are recorded by type', () => {
  it('turns a TLS client hello into ja3, ja4l and resumption fingerprints', () => {
    const rows = extractBounties(
      event('tls_client_hello', { ja3: 'abc', ja4: 't13d', sni: 'x', ja4l_rtt_ms: '12', resumption: 'psk', src_ip: '8.8.4.4' }, { service: 'sniffer' }),
      { trustedProxies: none },
    );
    expect(rows.map((r) => r.payload.fingerprint_type)).toEqual(['ja3', 'ja4l', 'tls_resumption']);
    expect(rows[0]?.payload).toEqual({ fingerprint_type: 'ja3', ja3: 'abc', ja4: 't13d', sni: 'x' });
  });
  it('records prober fingerprints and the VNC client version', () => {
    expect(extractBounties(event('jarm_fingerprint', { jarm_hash: 'j', target_port: '443' }, { service: 'prober' }), { trustedProxies: none })[0]?.payload).toEqual({
      fingerprint_type: 'jarm',
      jarm_hash: 'j',
      target_port: '443',
    });
    expect(extractBounties(event('version', { client_version: 'RFB 003.008' }, { service: 'vnc' }), { trustedProxies: none })[0]?.payload).toEqual({
      fingerprint_type: 'vnc_client_version',
      value: 'RFB 003.008',
    });
  });
  it('yields nothing for ordinary events', () => {
    expect(extractBounties(event('connect', { src: '8.8.4.4' }, { service: 'smtp' }), { trustedProxies: none })).toEqual([]);
  });
});

describe('HTTP requests give User-Agent, header-quirk and proxy-header bounties', () => {
  it('classifies User-Agents', () => {
    expect(classifyUserAgent('curl/8.5.0')).toMatchObject({ category: 'cli', tool: 'curl' });
    expect(classifyUserAgent('Mozilla/5.0 (compatible; Nmap Scripting Engine)')).toMatchObject({ category: 'scanner', tool: 'nmap' });
    expect(classifyUserAgent('python-requests/2.31')).toMatchObject({ category: 'library' });
    expect(classifyUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36')).toMatchObject({
      category: 'browser',
      signals: ['headless'],
    });
    expect(classifyUserAgent('')).toMatchObject({ category: '', signals: ['empty'] });
    expect(classifyUserAgent('zzz')).toMatchObject({ category: 'nonstandard' });
  });
  it('hashes header order and casing the same across paths, ignoring volatile headers', () => {
    const a = extractBounties(event('request', { method: 'GET', path: '/a', headers: headers({ Host: 'x', 'User-Agent': 'curl/8', Accept: '*/*', Cookie: 'a=1' }) }), { trustedProxies: none });
    const b = extractBounties(event('request', { method: 'POST', path: '/b', headers: headers({ Host: 'x', 'User-Agent': 'curl/8', Accept: '*/*' }) }), { trustedProxies: none });
    const quirks = (rows: typeof a) => rows.find((r) => r.payload.fingerprint_type === 'http_quirks')?.payload;
    expect(quirks(a)).toEqual(quirks(b));
    expect(quirks(a)).toMatchObject({ tool_guess: 'curl', header_count: 3 });
    expect(quirks(a)?.order_hash).toMatch(/^[0-9a-f]{16}$/);
    const c = extractBounties(event('request', { headers: headers({ host: 'x', 'user-agent': 'curl/8', accept: '*/*' }) }), { trustedProxies: none });
    expect(quirks(c)?.order_hash).toBe(quirks(a)?.order_hash);
    expect(quirks(c)?.casing_hash).not.toBe(quirks(a)?.casing_hash);
  });
  it('records a public forwarded address as an ip_leak and a private one as spoofed', () => {
    const leak = extractBounties(event('request', { headers: headers({ 'X-Forwarded-For': '1.1.1.1, 10.0.0.9' }) }), { trustedProxies: none });
    expect(leak.filter((r) => r.bountyType === 'ip_leak').map((r) => r.payload)).toEqual([
      { header: 'x-forwarded-for', leaked_ip: '1.1.1.1', source_ip: '8.8.4.4' },
    ]);
    expect(leak.filter((r) => r.payload.fingerprint_type === 'spoofed_source').map((r) => r.payload.value)).toEqual(['10.0.0.9']);
    const forwarded = extractBounties(event('request', { headers: headers({ Forwarded: 'for="[2606:4700::1]:443";proto=https' }) }), { trustedProxies: none });
    expect(forwarded.find((r) => r.bountyType === 'ip_leak')?.payload).toMatchObject({ header: 'forwarded', leaked_ip: '2606:4700::1' });
  });
  it('records no leak for a trusted proxy', () => {
    const trusted = parseTrustedProxies('8.8.4.0/24') as typeof none;
    const rows = extractBounties(event('request', { headers: headers({ 'X-Real-IP': '1.1.1.1' }) }), { trustedProxies: trusted });
    expect(rows.filter((r) => r.bountyType === 'ip_leak')).toEqual([]);
    expect(parseTrustedProxies('10.0.0.0/33')).toEqual({ invalid: '10.0.0.0/33' });
  });
});
