// The webhook worker's options: DECNET_WEBHOOK_* environment keys and their defaults (written
// once, here), validated together.
import { envReader, intIn } from '@decnet/core';
import { parseCidrList, type Cidr } from './handlers/ip-guard.js';

/** Everything the webhook worker can be told; each field documents its environment key and default. */
export interface WebhookOptions {
  /**
   * CIDRs a webhook may reach although the SSRF guard refuses them (private, loopback, ...), e.g.
   * `127.0.0.1/32` for a local receiver. Upstream's DECNET_WEBHOOK_ALLOW_PRIVATE=true still works
   * and allows everything. @default none (DECNET_WEBHOOK_ALLOW_CIDRS)
   */
  allowCidrs: readonly Cidr[];
  /** Hard limit on one request, connect to response headers. @default 10000 (DECNET_WEBHOOK_TIMEOUT_MS, 100..120000) */
  timeoutMs: number;
  /** Waits before each retry, comma-separated ms (jittered ±20%). @default 1000,2000,4000 (DECNET_WEBHOOK_RETRY_SCHEDULE_MS, at most 10) */
  retryScheduleMs: readonly number[];
  /** Consecutive failed deliveries that disable a subscription. @default 5 (DECNET_WEBHOOK_CIRCUIT_THRESHOLD, 1..1000) */
  circuitThreshold: number;
  /** Events waiting per subscription before the oldest is dropped. @default 1000 (DECNET_WEBHOOK_QUEUE_SIZE, 1..100000) */
  queueSize: number;
  /** Subscriptions are re-read this often besides the change signal. @default 30000 (DECNET_WEBHOOK_RELOAD_MS, 1000..3600000) */
  reloadMs: number;
}

/** {@link WebhookOptions} after validation. */
export type CompiledWebhookOptions = Readonly<WebhookOptions>;

/** The defaults. */
export const WEBHOOK_DEFAULTS: CompiledWebhookOptions = {
  allowCidrs: [],
  timeoutMs: 10_000,
  retryScheduleMs: [1_000, 2_000, 4_000],
  circuitThreshold: 5,
  queueSize: 1_000,
  reloadMs: 30_000,
};

/** What DECNET_WEBHOOK_ALLOW_PRIVATE=true means: every address. */
const ALLOW_ALL = '0.0.0.0/0,::/0';

type Env = Record<string, string | undefined>;

/**
 * Reads DECNET_WEBHOOK_* from `env`, then applies `overrides`.
 * @throws ConfigValidationError listing every invalid key.
 */
export function compileWebhookOptions(env: Env, overrides: Partial<WebhookOptions> = {}): CompiledWebhookOptions {
  const reader = envReader(env, { received: 'trimmed' });
  const { read } = reader;
  const d = WEBHOOK_DEFAULTS;
  const allowPrivate = read('DECNET_WEBHOOK_ALLOW_PRIVATE', 'true or false', false, (v) =>
    ['true', '1'].includes(v.toLowerCase()) ? true : ['false', '0'].includes(v.toLowerCase()) ? false : undefined,
  );
  let allowCidrs = d.allowCidrs;
  const cidrText = [env.DECNET_WEBHOOK_ALLOW_CIDRS?.trim(), allowPrivate ? ALLOW_ALL : undefined].filter(Boolean).join(',');
  if (cidrText !== '') {
    const parsed = parseCidrList(cidrText);
    if ('invalid' in parsed) reader.fail('DECNET_WEBHOOK_ALLOW_CIDRS', 'comma-separated CIDRs', parsed.invalid);
    else allowCidrs = parsed;
  }
  let retryScheduleMs = d.retryScheduleMs;
  // Not read(): an empty schedule means no retries here, not the default.
  const schedule = env.DECNET_WEBHOOK_RETRY_SCHEDULE_MS?.trim();
  if (schedule !== undefined) {
    const parts = schedule === '' || schedule === 'none' ? [] : schedule.split(',').map((s) => s.trim());
    if (parts.length > 10 || parts.some((p) => !/^\d+$/.test(p) || Number(p) > 600_000)) {
      reader.fail('DECNET_WEBHOOK_RETRY_SCHEDULE_MS', 'at most 10 comma-separated milliseconds (each <= 600000), or none', schedule);
    } else {
      retryScheduleMs = parts.map(Number);
    }
  }
  const options: WebhookOptions = {
    allowCidrs,
    timeoutMs: read('DECNET_WEBHOOK_TIMEOUT_MS', 'an integer from 100 to 120000', d.timeoutMs, intIn(100, 120_000)),
    retryScheduleMs,
    circuitThreshold: read('DECNET_WEBHOOK_CIRCUIT_THRESHOLD', 'an integer from 1 to 1000', d.circuitThreshold, intIn(1, 1_000)),
    queueSize: read('DECNET_WEBHOOK_QUEUE_SIZE', 'an integer from 1 to 100000', d.queueSize, intIn(1, 100_000)),
    reloadMs: read('DECNET_WEBHOOK_RELOAD_MS', 'an integer from 1000 to 3600000', d.reloadMs, intIn(1_000, 3_600_000)),
  };
  reader.assertValid();
  return Object.freeze({ ...options, ...overrides });
}
