import { describe, expect, it } from 'vitest';
import { AllocatorExhaustedError, InvalidAddressError } from './errors.js';
import { IpAllocator, SubnetAllocator, cidrsOverlap, formatCidr, parseCidr, parseIpv4, smallestCovering } from './net.js';

describe('IPv4 parsing never throws and rejects malformed input', () => {
  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', 'a.b.c.d', '1.2.3.-4'])('rejects %j', (s) => {
    expect(parseIpv4(s)).toBeNull();
  });
  it('parses CIDRs, refusing host bits in strict mode', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ ok: true, value: { network: 0x0a000000, prefix: 8 } });
    expect(parseCidr('10.0.0.1/8').ok).toBe(false);
    expect(parseCidr('10.0.0.1/8', false)).toEqual({ ok: true, value: { network: 0x0a000000, prefix: 8 } });
    expect(parseCidr('10.0.0.0/33').ok).toBe(false);
    expect(parseCidr('10.0.0.0').ok).toBe(false);
    expect(parseCidr('garbage/x').ok).toBe(false);
  });
  it('detects overlap between nested and disjoint networks', () => {
    const c = (s: string) => (parseCidr(s) as { ok: true; value: { network: number; prefix: number } }).value;
    expect(cidrsOverlap(c('10.0.0.0/8'), c('10.1.0.0/16'))).toBe(true);
    expect(cidrsOverlap(c('10.0.0.0/24'), c('10.0.1.0/24'))).toBe(false);
  });
  it('finds the smallest covering network', () => {
    expect(formatCidr(smallestCovering([parseIpv4('192.168.1.2')!, parseIpv4('192.168.1.9')!]))).toBe('192.168.1.0/28');
    expect(formatCidr(smallestCovering([parseIpv4('192.168.1.2')!]))).toBe('192.168.1.2/32');
  });
});

describe('IpAllocator hands out hosts from .2 and guards reserved addresses', () => {
  it('yields .2 to .6 in a /29', () => {
    const a = new IpAllocator('10.0.0.0/29');
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    expect(() => a.next()).toThrow(AllocatorExhaustedError);
  });
  it('round-trips reserve and release', () => {
    const a = new IpAllocator('10.0.0.0/29');
    a.reserve('10.0.0.2');
    expect(a.next()).toBe('10.0.0.3');
    a.release('10.0.0.2');
    expect(a.isTaken('10.0.0.2')).toBe(false);
    expect(Array.from({ length: 4 }, () => a.next())).toEqual(['10.0.0.4', '10.0.0.5', '10.0.0.6', '10.0.0.2']);
  });
  it('refuses to reserve the gateway, an address outside the subnet, or a taken one', () => {
    const a = new IpAllocator('10.0.0.0/29');
    expect(() => a.reserve('10.0.0.1')).toThrow(InvalidAddressError);
    expect(() => a.reserve('10.0.1.2')).toThrow(InvalidAddressError);
    expect(() => a.reserve('nope')).toThrow(InvalidAddressError);
    a.reserve('10.0.0.3');
    expect(() => a.reserve('10.0.0.3')).toThrow(InvalidAddressError);
  });
  it('gives exactly one address in a /30, then reports exhaustion', () => {
    const a = new IpAllocator('10.0.0.0/30');
    expect(a.next()).toBe('10.0.0.2');
    expect(() => a.next()).toThrow(AllocatorExhaustedError);
  });
});

describe('SubnetAllocator walks /24s in address order', () => {
  it('yields 172.20.0.0/24, .1.0/24, .2.0/24 from a two-octet base', () => {
    const s = new SubnetAllocator('172.20');
    expect([s.next(), s.next(), s.next()]).toEqual(['172.20.0.0/24', '172.20.1.0/24', '172.20.2.0/24']);
  });
  it('behaves the same for a full CIDR base and skips reserved subnets', () => {
    const s = new SubnetAllocator('172.20.0.0/16', ['172.20.1.0/24', '172.20.2.0/23']);
    expect([s.next(), s.next()]).toEqual(['172.20.0.0/24', '172.20.4.0/24']);
  });
  it('rolls a /12 over to 172.17.x after 256 subnets and holds 4096 in total', () => {
    const s = new SubnetAllocator('172.16.0.0/12');
    const all = Array.from({ length: 4096 }, () => s.next());
    expect(all[256]).toBe('172.17.0.0/24');
    expect(all[4095]).toBe('172.31.255.0/24');
    expect(() => s.next()).toThrow(/172\.16\.0\.0\/12/);
  });
  it('refuses a base narrower than /24', () => {
    expect(() => new SubnetAllocator('10.0.0.0/25')).toThrow(/narrower than \/24/);
  });
});
