// Attacker address extraction: upstream's key order and fallbacks, and the fixed defects
// (IPv6, bracketed ports, IPv4-mapped addresses, attacker-typed text).
import { describe, expect, it } from 'vitest';
import { ATTACKER_IP_KEYS, extractAttackerIp, isIPv4, isIPv6, normalizeIp, splitHostPort } from './attacker-ip.js';

describe('SD keys are tried in upstream order', () => {
  it('follows src_ip > src > client_ip > remote_ip > remote_addr > target_ip > ip', () => {
    const fields: Record<string, string> = {};
    const order = [...ATTACKER_IP_KEYS].reverse();
    order.forEach((key, i) => {
      fields[key] = `192.0.2.${i + 1}`;
      expect(extractAttackerIp(fields)).toMatchObject({ ip: `192.0.2.${i + 1}`, key, source: 'sd' });
    });
  });

  it('skips empty values', () => {
    expect(extractAttackerIp({ src_ip: '', remote_addr: '192.0.2.9' })?.ip).toBe('192.0.2.9');
  });

  it('keeps a value that is not an address verbatim, as upstream did', () => {
    expect(extractAttackerIp({ src: 'scanner.example' })).toMatchObject({ ip: 'scanner.example', source: 'sd' });
  });

  it('prefers the SD over any address in MSG', () => {
    expect(extractAttackerIp({ src_ip: '192.0.2.1' }, 'src=198.51.100.1 from 198.51.100.2')?.ip).toBe('192.0.2.1');
  });

  it('returns null when nothing names an address', () => {
    expect(extractAttackerIp({ username: 'root' }, 'no address here')).toBeNull();
    expect(extractAttackerIp({})).toBeNull();
  });

  it('ignores inherited properties', () => {
    const fields = Object.create({ src_ip: '6.6.6.6' }) as Record<string, string>;
    expect(extractAttackerIp(fields)).toBeNull();
  });
});

describe('host:port values are split without breaking IPv6', () => {
  it.each([
    ['192.0.2.1:40838', { host: '192.0.2.1', port: '40838' }],
    ['[2001:db8::1]:443', { host: '2001:db8::1', port: '443' }],
    ['[2001:db8::1]', { host: '2001:db8::1' }],
    ['::1', { host: '::1' }],
    ['2001:db8::1', { host: '2001:db8::1' }],
    ['192.0.2.1', { host: '192.0.2.1' }],
    ['192.0.2.1:99999', { host: '192.0.2.1:99999' }],
    ['host:port', { host: 'host:port' }],
    [' 192.0.2.1:22 ', { host: '192.0.2.1', port: '22' }],
    ['[]:1', { host: '[]:1' }],
  ])('%j', (value, expected) => {
    expect(splitHostPort(value)).toEqual(expected);
  });

  it('reports the port split from an SD value', () => {
    expect(extractAttackerIp({ remote_addr: '[2001:DB8::1]:443' })).toEqual({
      ip: '2001:db8::1',
      port: '443',
      source: 'sd',
      key: 'remote_addr',
    });
  });
});

describe('MSG is searched when the SD names nobody', () => {
  it('finds key=ip tokens in key order', () => {
    expect(extractAttackerIp({}, 'x ip=192.0.2.7 src=192.0.2.8')).toMatchObject({
      ip: '192.0.2.8',
      source: 'msg-key',
      key: 'src',
    });
  });

  it('ignores key=value tokens whose value is not an address', () => {
    expect(extractAttackerIp({}, 'src=localhost then 192.0.2.3')).toMatchObject({
      ip: '192.0.2.3',
      source: 'msg-ipv4',
    });
  });

  it('does not match a key inside a longer word', () => {
    expect(extractAttackerIp({}, 'xsrc=192.0.2.1')).toMatchObject({ source: 'msg-ipv4' });
  });

  it('reads sshd, pam and postfix prose, earliest marker first', () => {
    expect(extractAttackerIp({}, 'Accepted password for root from 2001:db8::5 port 22 ssh2')).toMatchObject({
      ip: '2001:db8::5',
      source: 'msg-prose',
    });
    expect(extractAttackerIp({}, 'authentication failure; rhost=192.0.2.4 user=root')?.ip).toBe('192.0.2.4');
    expect(extractAttackerIp({}, 'connect from unknown[192.0.2.6]')?.ip).toBe('192.0.2.6');
    expect(extractAttackerIp({}, 'NOQUEUE: client=mail.example[192.0.2.5]')?.ip).toBe('192.0.2.5');
    expect(extractAttackerIp({}, 'Connection closed by 10.0.0.2; from 192.0.2.2.')?.ip).toBe('192.0.2.2');
  });

  it('falls back to the first bare IPv4 address, ignoring version strings and bad octets', () => {
    expect(extractAttackerIp({}, 'v1.2.3.4.5 then 999.1.1.1 then 192.0.2.77, done')?.ip).toBe('192.0.2.77');
    expect(extractAttackerIp({}, 'ends with 192.0.2.78.')?.ip).toBe('192.0.2.78');
  });

  it('never searches the pwd= or cmd= text of a bash CMD line', () => {
    expect(extractAttackerIp({}, 'CMD uid=0 pwd=/tmp/ src=6.6.6.6 cmd=curl 203.0.113.9 from 203.0.113.8')).toBeNull();
    expect(extractAttackerIp({}, '  CMD uid=0 user=root src=192.0.2.10 pwd=/ cmd=ssh 203.0.113.9')?.ip).toBe(
      '192.0.2.10',
    );
  });
});

describe('address syntax checks are exact', () => {
  it.each(['0.0.0.0', '192.0.2.1', '255.255.255.255'])('%s is IPv4', (ip) => expect(isIPv4(ip)).toBe(true));
  it.each(['256.1.1.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1..2.3', '1.2.3.4 ', 'a.b.c.d', ''])(
    '%j is not IPv4',
    (ip) => expect(isIPv4(ip)).toBe(false),
  );
  it.each([
    '::',
    '::1',
    '2001:db8::1',
    'fe80::1%eth0',
    '::ffff:192.0.2.1',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:192.0.2.1',
    'ABCD::ef',
  ])('%s is IPv6', (ip) => expect(isIPv6(ip)).toBe(true));
  it.each([':::', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7', 'fe80::1%', '::1.2.3', ':1'])(
    '%j is not IPv6',
    (ip) => expect(isIPv6(ip)).toBe(false),
  );

  it('folds IPv4-mapped IPv6 and lower-cases IPv6', () => {
    expect(normalizeIp('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('2001:DB8::A')).toBe('2001:db8::a');
    expect(normalizeIp('Host:Name')).toBe('Host:Name');
  });
});
