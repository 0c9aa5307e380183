// Target resolution: one lookup, refused when any answer is refused, fail closed on DNS
// errors, URL rules; and the system resolver's `localhost` is refused by default.
import { describe, expect, it } from 'vitest';
import { systemLookup } from '../delivery.js';
import { parseCidrList, type Cidr } from './ip-guard.js';
import { checkUrl, resolveTarget, type Lookup } from './target.js';

const fixed = (answers: Record<string, string[]>): Lookup & { calls: string[] } => {
  const calls: string[] = [];
  const fn = async (host: string) => {
    calls.push(host);
    const a = answers[host];
    if (!a) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return a.map((address) => ({ address, family: (address.includes(':') ? 6 : 4) as 4 | 6 }));
  };
  return Object.assign(fn, { calls });
};

describe('a delivery target is resolved once and every answer must be public', () => {
  it('refuses localhost through the real system resolver unless allowed', async () => {
    const refused = await resolveTarget('http://localhost:8080/hook', [], systemLookup);
    expect(refused).toMatchObject({ ok: false, reason: 'loopback' });
    const allowed = await resolveTarget('http://localhost:8080/hook', parseCidrList('127.0.0.0/8,::1/128') as Cidr[], systemLookup);
    expect(allowed.ok).toBe(true);
  });

  it('refuses a name when any of its addresses is refused, and fails closed on lookup errors', async () => {
    const lookup = fixed({ 'mixed.example.net': ['93.184.216.34', '10.0.0.5'], 'ok.example.net': ['93.184.216.34'] });
    expect(await resolveTarget('https://mixed.example.net/', [], lookup)).toMatchObject({ ok: false, reason: 'private' });
    expect(await resolveTarget('https://missing.example.net/', [], lookup)).toMatchObject({ ok: false, reason: 'dns_failed' });
    const ok = await resolveTarget('https://ok.example.net:8443/x?y=1', [], lookup);
    expect(ok).toMatchObject({ ok: true, target: { address: '93.184.216.34', family: 4, hostname: 'ok.example.net' } });
    expect(lookup.calls).toEqual(['mixed.example.net', 'missing.example.net', 'ok.example.net']);
  });

  it('checks literal addresses without any lookup, IPv6 in brackets included', async () => {
    const lookup = fixed({});
    expect(await resolveTarget('http://169.254.169.254/latest/meta-data/', [], lookup)).toMatchObject({ ok: false, reason: 'metadata' });
    expect(await resolveTarget('http://[::1]:9000/', [], lookup)).toMatchObject({ ok: false, reason: 'loopback' });
    expect(await resolveTarget('http://2130706433/', [], lookup)).toMatchObject({ ok: false, reason: 'loopback' });
    expect(await resolveTarget('http://0x7f.1/', [], lookup)).toMatchObject({ ok: false, reason: 'loopback' });
    expect(lookup.calls).toEqual([]);
  });

  it.each([
    ['http://[::ffff:0:7f00:1]/', 'loopback'],
    ['http://[::ffff:0:808:808]/', 'reserved'],
    ['http://[2001:2::1]/', 'reserved'],
    ['http://[2001:20::1]:8080/', 'reserved'],
    ['http://[3fff::1]/', 'documentation'],
    ['http://[5f00::1]/', 'reserved'],
    ['http://192.31.196.1/', 'reserved'],
    ['http://192.175.48.6/', 'reserved'],
    ['http://[2002:7f00:1::1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[64:ff9b::a9fe:a9fe]/', 'metadata'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://[fe80::1]/', 'link_local'],
  ])('refuses the literal %s as %s (issue 20 forms and the ones refused before)', async (url, reason) => {
    expect(await resolveTarget(url, [], fixed({}))).toMatchObject({ ok: false, reason });
  });

  it('refuses the same forms when a name resolves to them, and keeps 6to4 out of an IPv4 allow-list', async () => {
    const lookup = fixed({ 'as112.example.net': ['192.175.48.1'], 'srv6.example.net': ['5f00::1'], 'xlat.example.net': ['::ffff:0:7f00:1'], 'sixtofour.example.net': ['2002:7f00:1::1'] });
    for (const [host, reason] of [['as112', 'reserved'], ['srv6', 'reserved'], ['xlat', 'loopback']] as const) {
      expect(await resolveTarget(`https://${host}.example.net/`, [], lookup)).toMatchObject({ ok: false, reason });
    }
    const allowLoopback = parseCidrList('127.0.0.0/8') as Cidr[];
    expect(await resolveTarget('https://sixtofour.example.net/', allowLoopback, lookup)).toMatchObject({ ok: false, reason: 'loopback' });
    expect((await resolveTarget('http://[::ffff:127.0.0.1]/', allowLoopback, lookup)).ok).toBe(true);
  });

  it('accepts only http and https URLs without credentials', () => {
    expect(checkUrl('ftp://example.com/')).toMatchObject({ ok: false, reason: 'scheme' });
    expect(checkUrl('file:///etc/passwd')).toMatchObject({ ok: false, reason: 'scheme' });
    expect(checkUrl('https://user:pw@example.com/')).toMatchObject({ ok: false, reason: 'credentials_in_url' });
    expect(checkUrl('not a url')).toMatchObject({ ok: false, reason: 'bad_url' });
    expect(checkUrl('https://example.com/hook').ok).toBe(true);
  });
});
