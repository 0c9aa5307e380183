// The credential window: failures per source in a sliding window, distinct passwords per
// account, and "prior brute force" for a later success; bounded memory.
import { describe, expect, it } from 'vitest';
import { AuthWindow, MAX_TRACKED_SOURCES } from './auth-window.js';

const settings = { failThreshold: 5, pwThreshold: 5, windowMs: 300_000 };
const at = (s: number) => Date.parse('2026-05-02T10:00:00Z') + s * 1000;

describe('failures and passwords are counted per source within the window', () => {
  it('counts failures across services and accounts, forgetting those older than the window', () => {
    const w = new AuthWindow(settings);
    for (let i = 0; i < 4; i++) expect(w.observe({ source: 'a', username: `u${i}`, secret: 'x', outcome: 'failure', at: at(i) }).fail_count).toBe(i + 1);
    expect(w.observe({ source: 'b', outcome: 'failure', at: at(5) }).fail_count).toBe(1);
    expect(w.observe({ source: 'a', outcome: 'failure', at: at(301) }).fail_count).toBe(3);
    expect(w.observe({ source: 'a', outcome: 'failure', at: at(400) }).fail_count).toBe(2);
  });

  it('counts distinct passwords per username', () => {
    const w = new AuthWindow(settings);
    const try_ = (secret: string, s: number) => w.observe({ source: 'a', username: 'root', secret, outcome: 'failure', at: at(s) }).password_count;
    expect([try_('1', 0), try_('2', 1), try_('2', 2), try_('3', 3), try_('4', 4), try_('5', 5)]).toEqual([1, 2, 2, 3, 4, 5]);
    expect(w.observe({ source: 'a', username: 'admin', secret: '1', outcome: 'failure', at: at(6) }).password_count).toBe(1);
  });

  it('marks a success after a brute force from the same source as prior_brute', () => {
    const w = new AuthWindow(settings);
    expect(w.observe({ source: 'a', username: 'root', outcome: 'success', at: at(0) }).prior_brute).toBe(false);
    for (let i = 1; i <= 5; i++) w.observe({ source: 'a', username: 'root', secret: String(i), outcome: 'failure', at: at(i) });
    expect(w.observe({ source: 'a', username: 'root', secret: 'ok', outcome: 'success', at: at(10) }).prior_brute).toBe(true);
    expect(w.observe({ source: 'b', username: 'root', outcome: 'success', at: at(10) }).prior_brute).toBe(false);
  });

  it('forgets the least recently active source beyond its bound', () => {
    const w = new AuthWindow(settings);
    for (let i = 0; i <= MAX_TRACKED_SOURCES; i++) w.observe({ source: `s${i}`, outcome: 'failure', at: at(0) });
    expect(w.size).toBe(MAX_TRACKED_SOURCES);
    expect(w.observe({ source: 's0', outcome: 'failure', at: at(1) }).fail_count).toBe(1);
  });
});
