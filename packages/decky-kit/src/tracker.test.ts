import { describe, expect, it } from 'vitest';
import { ConnectionTracker } from './tracker.js';

describe('connection caps bound what one source and everyone together may hold', () => {
  it('refuses a source beyond its per-IP cap while others still get in', () => {
    const t = new ConnectionTracker({ maxConnections: 10, maxPerIp: 2 });
    expect(t.tryAcquire('a').ok).toBe(true);
    expect(t.tryAcquire('a').ok).toBe(true);
    expect(t.tryAcquire('a')).toEqual({ ok: false, reason: 'per_ip_limit' });
    expect(t.tryAcquire('b').ok).toBe(true);
    expect(t.stats()).toMatchObject({ active: 3, refusedPerIp: 1, sources: 2 });
  });

  it('refuses everyone beyond the global cap', () => {
    const t = new ConnectionTracker({ maxConnections: 2, maxPerIp: 5 });
    t.tryAcquire('a');
    t.tryAcquire('b');
    expect(t.tryAcquire('c')).toEqual({ ok: false, reason: 'global_limit' });
  });

  it('frees the slot on release, once, however often release is called', () => {
    const t = new ConnectionTracker({ maxConnections: 5, maxPerIp: 1 });
    const a = t.tryAcquire('a');
    if (!a.ok) throw new Error('refused');
    a.lease.release();
    a.lease.release();
    expect(t.stats()).toMatchObject({ active: 0, sources: 0 });
    expect(t.tryAcquire('a').ok).toBe(true);
  });
});
