// DECNET_PROFILER_* parsing: documented defaults and every bad key reported at once.
import { ConfigValidationError } from '@decnet/core';
import { describe, expect, it } from 'vitest';
import { PROFILER_DEFAULTS, compileProfilerOptions } from './options.js';

describe('profiler options', () => {
  it('defaults to batches of 2000, a 10 s poll and a 60 s hole grace', () => {
    expect(compileProfilerOptions({})).toEqual(PROFILER_DEFAULTS);
    expect(PROFILER_DEFAULTS).toEqual({ batchSize: 2000, pollMs: 10_000, gapGraceMs: 60_000 });
    expect(compileProfilerOptions({ DECNET_PROFILER_BATCH_SIZE: '500' }).batchSize).toBe(500);
  });

  it('reports every invalid key together', () => {
    try {
      compileProfilerOptions({ DECNET_PROFILER_BATCH_SIZE: '0', DECNET_PROFILER_POLL_MS: 'soon' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigValidationError);
      expect((err as ConfigValidationError).errors.map((e) => e.key)).toEqual(['DECNET_PROFILER_BATCH_SIZE', 'DECNET_PROFILER_POLL_MS']);
    }
  });
});
