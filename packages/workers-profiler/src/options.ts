// The profiler's options: DECNET_PROFILER_* environment keys and their defaults (written once,
// here), validated together.
import { envReader, intIn } from '@decnet/core';

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
  const reader = envReader(env, { received: 'trimmed' });
  const { read } = reader;
  const d = PROFILER_DEFAULTS;
  const options: ProfilerOptions = {
    batchSize: read('DECNET_PROFILER_BATCH_SIZE', 'an integer from 1 to 10000', d.batchSize, intIn(1, 10_000)),
    pollMs: read('DECNET_PROFILER_POLL_MS', 'an integer from 200 to 300000', d.pollMs, intIn(200, 300_000)),
    gapGraceMs: read('DECNET_PROFILER_GAP_GRACE_MS', 'an integer from 1000 to 3600000', d.gapGraceMs, intIn(1_000, 3_600_000)),
  };
  reader.assertValid();
  return Object.freeze({ ...options, ...overrides });
}
