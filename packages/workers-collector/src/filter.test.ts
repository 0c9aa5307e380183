// Upstream's collector filters: the APP-NAME drop list and the per-key connect rate limiter.
import { describe, expect, it } from 'vitest';
import { ConnectRateLimiter, NoiseFilter, RATE_LIMIT_GC_THRESHOLD, RATE_LIMIT_MAX_KEYS } from './filter.js';
import { DEFAULT_DROP_APPS, DEFAULT_RL_EVENT_TYPES } from './options.js';

const rec = (over: Partial<{ attacker_ip: string; decky: string; service: string; event_type: string }> = {}) => ({
  attacker_ip: '198.51.100.7',
  decky: 'decky-01',
  service: 'ssh',
  event_type: 'connect',
  ...over,
});

function limiter(windowSec = 1): { rl: ConnectRateLimiter; advance: (ms: number) => void } {
  let now = 1_000;
  return { rl: new ConnectRateLimiter(windowSec, DEFAULT_RL_EVENT_TYPES, () => now), advance: (ms) => (now += ms) };
}

describe('the noise filter drops host daemons and keeps DECNET services', () => {
  it('drops sshd, pam_unix and the rest of the default list', () => {
    const filter = new NoiseFilter(DEFAULT_DROP_APPS);
    for (const app of ['sshd', 'pam_unix', 'sudo', 'su', 'CRON', 'cron', 'systemd', 'kernel', 'rsyslogd', 'dbus-daemon']) {
      expect(filter.isNoise({ service: app })).toBe(true);
    }
  });
  it('keeps DECNET services and matches names exactly', () => {
    const filter = new NoiseFilter(DEFAULT_DROP_APPS);
    for (const app of ['ssh', 'http', 'auth-helper', 'sessrec', 'bash', 'SSHD', 'sshd2']) expect(filter.isNoise({ service: app })).toBe(false);
  });
});

describe('the connect rate limiter passes one event per key and window', () => {
  it('passes the first connect and drops duplicates inside the window', () => {
    const { rl, advance } = limiter();
    expect(rl.allow(rec())).toBe(true);
    advance(500);
    expect(rl.allow(rec())).toBe(false);
    advance(499);
    expect(rl.allow(rec())).toBe(false);
  });
  it('passes again once the window since the last pass has expired', () => {
    const { rl, advance } = limiter();
    expect(rl.allow(rec())).toBe(true);
    advance(1_000);
    expect(rl.allow(rec())).toBe(true);
  });
  it('keeps attacker, decky, service and event type independent', () => {
    const { rl } = limiter();
    expect(rl.allow(rec())).toBe(true);
    expect(rl.allow(rec({ attacker_ip: '198.51.100.8' }))).toBe(true);
    expect(rl.allow(rec({ decky: 'decky-02' }))).toBe(true);
    expect(rl.allow(rec({ service: 'ftp' }))).toBe(true);
    expect(rl.allow(rec({ event_type: 'disconnect' }))).toBe(true);
    expect(rl.allow(rec())).toBe(false);
  });
  it('never limits event types outside the list', () => {
    const { rl } = limiter();
    for (let i = 0; i < 5; i++) expect(rl.allow(rec({ event_type: 'auth_attempt' }))).toBe(true);
  });
  it('is disabled by a window of 0', () => {
    const { rl } = limiter(0);
    for (let i = 0; i < 5; i++) expect(rl.allow(rec())).toBe(true);
  });
  it('five identical connects within the window give one pass', () => {
    const { rl } = limiter();
    const passed = Array.from({ length: 5 }, () => rl.allow(rec())).filter(Boolean);
    expect(passed).toHaveLength(1);
  });
  it('sweeps keys idle for 60 windows once the map grows past the threshold', () => {
    const { rl, advance } = limiter();
    for (let i = 0; i < RATE_LIMIT_GC_THRESHOLD; i++) rl.allow(rec({ attacker_ip: `10.0.${i >> 8}.${i & 255}` }));
    expect(rl.size).toBe(RATE_LIMIT_GC_THRESHOLD);
    advance(61_000);
    rl.allow(rec({ attacker_ip: '192.0.2.1' }));
    expect(rl.size).toBe(1);
  });
  it('caps the map even when every key is recent (a spoofed-source flood)', () => {
    const { rl } = limiter();
    for (let i = 0; i < RATE_LIMIT_MAX_KEYS + 50; i++) rl.allow(rec({ attacker_ip: `ip-${i}` }));
    expect(rl.size).toBeLessThanOrEqual(RATE_LIMIT_MAX_KEYS);
  });
});
