// The SSRF guard's address classes: every refused range, IPv4 hidden in IPv6, and the
// operator's allow-list.
import { describe, expect, it } from 'vitest';
import { blockReasonOf, checkAddress, parseAddress, parseCidr, parseCidrList, type Cidr } from './ip-guard.js';

const reason = (ip: string) => blockReasonOf(parseAddress(ip) as NonNullable<ReturnType<typeof parseAddress>>);

describe('the guard refuses every non-public address class', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['169.254.1.1', 'link_local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.254', 'cgnat'],
    ['224.0.0.251', 'multicast'],
    ['239.1.1.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fd00:ec2::254', 'metadata'],
    ['fc00::1', 'private'],
    ['fdab::1', 'private'],
    ['fe80::1%eth0', 'link_local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:c0a8:0101::1', 'private'],
    ['::127.0.0.1', 'loopback'],
    // Issue 20: IANA special-purpose blocks and the IPv4-translated form that used to pass.
    ['::ffff:0:7f00:1', 'loopback'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::ffff:0:a9fe:a9fe', 'metadata'],
    ['::ffff:0:808:808', 'reserved'],
    ['::8.8.8.8', 'reserved'],
    ['2001:2::1', 'reserved'],
    ['2001:2:0:ffff::1', 'reserved'],
    ['2001:20::1', 'reserved'],
    ['2001:2f:ffff::1', 'reserved'],
    ['2001:30::1', 'reserved'],
    ['2001:3::1', 'reserved'],
    ['2001:4:112::1', 'reserved'],
    ['2001:1::1', 'reserved'],
    ['2001::1', 'reserved'],
    ['3fff::1', 'documentation'],
    ['3fff:fff:ffff::1', 'documentation'],
    ['5f00::1', 'reserved'],
    ['5f00:ffff::1', 'reserved'],
    ['100::1', 'reserved'],
    ['100:0:0:1::1', 'reserved'],
    ['64:ff9b:1::1', 'reserved'],
    ['2620:4f:8000::1', 'reserved'],
    ['4000::1', 'reserved'],
    ['e000::1', 'reserved'],
    ['192.31.196.1', 'reserved'],
    ['192.175.48.1', 'reserved'],
    ['192.52.193.1', 'reserved'],
    ['192.0.0.9', 'reserved'],
    ['192.0.0.170', 'reserved'],
    ['192.88.99.2', 'reserved'],
    ['198.19.255.255', 'reserved'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:c01f:c401::1', 'reserved'],
    ['64:ff9b::c0af:3001', 'reserved'],
  ])('%s is %s', (ip, why) => {
    expect(reason(ip)).toBe(why);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:0808:0808::1', '64:ff9b::8.8.8.8', '2001:200::1', '3fff:1000::1', '192.31.197.1', '192.175.49.1'])(
    'lets the public address %s through',
    (ip) => {
      expect(reason(ip)).toBeNull();
      expect(checkAddress(ip, [])).toEqual({ ok: true });
    },
  );
});

describe('the allow-list admits exactly the configured blocks', () => {
  const allow = parseCidrList('127.0.0.1/32, 10.20.0.0/16') as Cidr[];

  it('allows listed addresses, including IPv4-mapped forms, and nothing else', () => {
    expect(checkAddress('127.0.0.1', allow)).toEqual({ ok: true, allowedBy: '127.0.0.1/32' });
    expect(checkAddress('::ffff:127.0.0.1', allow)).toEqual({ ok: true, allowedBy: '127.0.0.1/32' });
    expect(checkAddress('10.20.9.9', allow).ok).toBe(true);
    expect(checkAddress('127.0.0.2', allow)).toEqual({ ok: false, reason: 'loopback' });
    expect(checkAddress('10.21.0.1', allow)).toEqual({ ok: false, reason: 'private' });
    expect(checkAddress('::1', allow)).toEqual({ ok: false, reason: 'loopback' });
  });

  it('lets only the IPv4-mapped form inherit an IPv4 allowance: 6to4, NAT64, translated and compatible forms reach other hosts', () => {
    expect(checkAddress('::ffff:10.20.1.1', allow)).toEqual({ ok: true, allowedBy: '10.20.0.0/16' });
    expect(checkAddress('2002:7f00:1::1', allow)).toEqual({ ok: false, reason: 'loopback' });
    expect(checkAddress('2002:0a14:0101::1', allow)).toEqual({ ok: false, reason: 'private' });
    expect(checkAddress('64:ff9b::10.20.1.1', allow)).toEqual({ ok: false, reason: 'private' });
    expect(checkAddress('::ffff:0:127.0.0.1', allow)).toEqual({ ok: false, reason: 'loopback' });
    expect(checkAddress('::127.0.0.1', allow)).toEqual({ ok: false, reason: 'loopback' });
    // An operator who means the 6to4 block says so in IPv6.
    expect(checkAddress('2002:7f00:1::1', parseCidrList('2002::/16') as Cidr[])).toEqual({ ok: true, allowedBy: '2002::/16' });
  });

  it('rejects text that is not a CIDR and non-addresses', () => {
    expect(parseCidrList('127.0.0.1/33')).toEqual({ invalid: '127.0.0.1/33' });
    expect(parseCidrList('localhost')).toEqual({ invalid: 'localhost' });
    expect(parseCidr('::/0')?.prefix).toBe(0);
    expect(checkAddress('not-an-ip', [])).toEqual({ ok: false, reason: 'not_an_address' });
  });
});
