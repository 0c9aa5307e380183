import { describe, expect, it } from 'vitest';
import { ConnectionTracker, networkOf, type TrackedConnection } from './tracker.js';

let clock = 0;
const conn = (ip: string, lastActivityAt = clock++): TrackedConnection => ({
  ip,
  prefix: networkOf(ip),
  openedAt: clock++,
  lastActivityAt,
});

describe('a cap never refuses a newcomer: the idlest connection of whoever holds the most makes room', () => {
  it('sheds the idlest connection of an address at its own cap, and nobody else', () => {
    const t = new ConnectionTracker({ maxConnections: 10, maxPerIp: 2 });
    const busy = conn('198.51.100.1', 500);
    const quiet = conn('198.51.100.1', 100);
    t.admit(busy);
    t.admit(quiet);
    const other = t.admit(conn('203.0.113.9'));
    expect(other.evicted).toEqual([]);
    const third = t.admit(conn('198.51.100.1'));
    expect(third.evicted).toEqual([{ victim: quiet, reason: 'per_ip_limit', heldBySource: 2 }]);
    expect(t.stats()).toMatchObject({ active: 3, shedPerIp: 1, sources: 2 });
  });

  it('at the global cap sheds from the network holding the most, then its busiest address', () => {
    const t = new ConnectionTracker({ maxConnections: 5, maxPerIp: 5, maxPerPrefix: 5 });
    const flood = [conn('10.1.1.1', 9), conn('10.1.1.1', 3), conn('10.1.1.2', 1), conn('10.1.1.1', 7)];
    for (const c of flood) t.admit(c);
    const lone = conn('192.0.2.7', 0);
    t.admit(lone);
    // 10.1.1.0/24 holds 4 (10.1.1.1 holds 3): its idlest connection goes, not the lone one.
    const newcomer = t.admit(conn('203.0.113.50'));
    expect(newcomer.evicted).toEqual([{ victim: flood[1], reason: 'global_limit', heldBySource: 4 }]);
    expect(t.stats()).toMatchObject({ active: 5, shedGlobal: 1, networks: 3 });
  });

  it('caps a /24 and a /64 like one source, shedding inside it', () => {
    const t = new ConnectionTracker({ maxConnections: 100, maxPerIp: 10, maxPerPrefix: 3 });
    for (const ip of ['192.0.2.1', '192.0.2.1', '192.0.2.2']) t.admit(conn(ip));
    const r = t.admit(conn('192.0.2.200'));
    expect(r.evicted.map((e) => [e.victim.ip, e.reason])).toEqual([['192.0.2.1', 'per_prefix_limit']]);
    expect(t.admit(conn('192.0.3.1')).evicted).toEqual([]);
    const v6 = new ConnectionTracker({ maxConnections: 100, maxPerIp: 10, maxPerPrefix: 2 });
    v6.admit(conn('2001:db8:1:2::a'));
    v6.admit(conn('2001:db8:1:2:ffff::1'));
    expect(v6.admit(conn('2001:db8:1:2::b')).evicted[0]?.reason).toBe('per_prefix_limit');
    expect(v6.admit(conn('2001:db8:1:3::b')).evicted).toEqual([]);
  });

  it('frees the slot on release, once, and ignores the release of a connection already shed', () => {
    const t = new ConnectionTracker({ maxConnections: 5, maxPerIp: 1 });
    const a = t.admit(conn('198.51.100.1'));
    const b = t.admit(conn('198.51.100.1'));
    expect(b.evicted).toHaveLength(1);
    a.lease.release();
    a.lease.release();
    expect(t.stats()).toMatchObject({ active: 1, sources: 1 });
    b.lease.release();
    expect(t.stats()).toMatchObject({ active: 0, sources: 0, networks: 0 });
  });
});

describe('networkOf', () => {
  it.each([
    ['198.51.100.77', '198.51.100.0/24'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:aa:bb:cc:dd:ee:ff', '2001:db8:aa:bb::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['not-an-ip', 'not-an-ip'],
  ])('%s is counted in %s', (ip, network) => {
    expect(networkOf(ip)).toBe(network);
  });
});
