// The profiler's options: DECNET_PROFILER_* environment keys and their defaults (written once,
// here), validated together.
import { ConfigError, ConfigValidationError } from '@decnet/core';

/** Everything the profiler can be told; each field documents its environment key and default. */
export interface ProfilerOptions {
  /** `logs` rows folded per transaction (cost is mostly per touched attacker, so bigger batches fold faster). @default 2000 (DECNET_PROFILER_BATCH_SIZE, 1..10000) */
  batchSize: number;
  /**
   * Fallback poll: the profiler is woken by the ingester's `system.log` `batch_committed`, and
   * also looks for new rows this often in case a notification was missed.
   * @default 10000 (DECNET_PROFILER_POLL_MS, 200..300000)
   */
  pollMs: number;
  /**
   * How long a hole in `logs.id` below the cursor is waited for (an ingester transaction that
   * took an id but has not committed yet); after that the id is taken as burned.
   * @default 60000 (DECNET_PROFILER_GAP_GRACE_MS, 1000..3600000)
   */
  gapGraceMs: number;
}

/** {@link ProfilerOptions} after validation. */
export type CompiledProfilerOptions = Readonly<ProfilerOptions>;

/** The defaults. */
export const PROFILER_DEFAULTS: CompiledProfilerOptions = {
  batchSize: 2000,
  pollMs: 10_000,
  gapGraceMs: 60_000,
};

type Env = Record<string, string | undefined>;

/**
 * Reads DECNET_PROFILER_* from `env`, then applies `overrides`.
 * @throws ConfigValidationError listing every invalid key.
 */
export function compileProfilerOptions(env: Env, overrides: Partial<ProfilerOptions> = {}): CompiledProfilerOptions {
  const errors: ConfigError[] = [];
  const int = (key: string, min: number, max: number, fallback: number): number => {
    const raw = env[key]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) {
      errors.push(new ConfigError(key, `an integer from ${min} to ${max}`, raw));
      return fallback;
    }
    return n;
  };
  const d = PROFILER_DEFAULTS;
  const options: ProfilerOptions = {
    batchSize: int('DECNET_PROFILER_BATCH_SIZE', 1, 10_000, d.batchSize),
    pollMs: int('DECNET_PROFILER_POLL_MS', 200, 300_000, d.pollMs),
    gapGraceMs: int('DECNET_PROFILER_GAP_GRACE_MS', 1_000, 3_600_000, d.gapGraceMs),
  };
  if (errors.length > 0) throw new ConfigValidationError(errors);
  return Object.freeze({ ...options, ...overrides });
}
