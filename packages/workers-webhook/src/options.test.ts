// DECNET_WEBHOOK_* parsing: documented defaults, every bad key reported at once, and upstream's
// allow-private switch.
import { ConfigValidationError } from '@decnet/core';
import { describe, expect, it } from 'vitest';
import { checkAddress } from './handlers/ip-guard.js';
import { WEBHOOK_DEFAULTS, compileWebhookOptions } from './options.js';

describe('webhook options', () => {
  it('defaults to 10 s timeout, 1/2/4 s retries, breaker at 5, nothing private allowed', () => {
    expect(compileWebhookOptions({})).toEqual(WEBHOOK_DEFAULTS);
    expect(WEBHOOK_DEFAULTS).toMatchObject({ timeoutMs: 10_000, retryScheduleMs: [1_000, 2_000, 4_000], circuitThreshold: 5, allowCidrs: [] });
  });

  it('reads the allow-list, the schedule and upstream\'s DECNET_WEBHOOK_ALLOW_PRIVATE', () => {
    const o = compileWebhookOptions({ DECNET_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32', DECNET_WEBHOOK_RETRY_SCHEDULE_MS: 'none' });
    expect(o.retryScheduleMs).toEqual([]);
    expect(checkAddress('127.0.0.1', o.allowCidrs).ok).toBe(true);
    expect(checkAddress('10.0.0.1', o.allowCidrs).ok).toBe(false);
    const all = compileWebhookOptions({ DECNET_WEBHOOK_ALLOW_PRIVATE: 'true' });
    expect(checkAddress('169.254.169.254', all.allowCidrs).ok).toBe(true);
  });

  it('reports every invalid key together', () => {
    try {
      compileWebhookOptions({ DECNET_WEBHOOK_ALLOW_CIDRS: 'localhost', DECNET_WEBHOOK_TIMEOUT_MS: '5', DECNET_WEBHOOK_RETRY_SCHEDULE_MS: '1,x' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigValidationError);
      expect((err as ConfigValidationError).errors.map((e) => e.key).sort()).toEqual([
        'DECNET_WEBHOOK_ALLOW_CIDRS',
        'DECNET_WEBHOOK_RETRY_SCHEDULE_MS',
        'DECNET_WEBHOOK_TIMEOUT_MS',
      ]);
    }
  });
});
