// The ingester's keys are DECNET_INGESTER_*; the old DECNET_INGEST_* names work for one release
// with a one-line deprecation warning naming both keys.
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, deprecatedKeyWarning } from '@decnet/core';
import { INGESTER_DEFAULTS, INGESTER_DEPRECATED_KEYS, compileIngesterOptions } from './options.js';

/** Runs `fn` with process.stderr.write captured; returns what it wrote. */
function stderrOf(fn: () => void): string[] {
  const written: string[] = [];
  const original = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stderr.write = original;
  }
  return written;
}

describe('ingester options', () => {
  it('reads DECNET_INGESTER_* without a warning', () => {
    let options;
    const warnings = stderrOf(() => {
      options = compileIngesterOptions(
        { DECNET_INGESTER_BATCH_SIZE: '40', DECNET_INGESTER_ACK: 'receive', DECNET_INGESTER_CONCURRENCY: '3' },
        'kafka',
      );
    });
    expect(options).toMatchObject({ batchSize: 40, ack: 'receive', concurrency: 3, idleFlushMs: INGESTER_DEFAULTS.idleFlushMs });
    expect(warnings).toEqual([]);
  });

  it('still reads each old DECNET_INGEST_* key, warning once per key per process', () => {
    const env = { DECNET_INGEST_BATCH_SIZE: '41', DECNET_INGEST_QUEUE_SIZE: '2048' };
    let first;
    const warnings = stderrOf(() => {
      first = compileIngesterOptions(env, 'kafka');
      compileIngesterOptions(env, 'kafka');
    });
    expect(first).toMatchObject({ batchSize: 41, queueSize: 2048 });
    expect(warnings).toEqual([
      `${deprecatedKeyWarning('DECNET_INGEST_BATCH_SIZE', 'DECNET_INGESTER_BATCH_SIZE')}\n`,
      `${deprecatedKeyWarning('DECNET_INGEST_QUEUE_SIZE', 'DECNET_INGESTER_QUEUE_SIZE')}\n`,
    ]);
  });

  it('prefers the new key when both are set', () => {
    const options = compileIngesterOptions({ DECNET_INGESTER_IDLE_FLUSH_MS: '9', DECNET_INGEST_IDLE_FLUSH_MS: '99' }, 'kafka');
    expect(options.idleFlushMs).toBe(9);
  });

  it('reports a bad value read through an old key under the new key, after the warning naming both', () => {
    let error: unknown;
    try {
      compileIngesterOptions({ DECNET_INGEST_CONCURRENCY: 'lots', DECNET_INGESTER_BATCH_SIZE: '0' }, 'kafka');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).errors.map((e) => e.message)).toEqual([
      'DECNET_INGESTER_BATCH_SIZE: expected an integer from 1 to 5000, got "0"',
      'DECNET_INGESTER_CONCURRENCY: expected an integer from 1 to 8, got "lots"',
    ]);
  });

  it('covers every renamed key', () => {
    expect(Object.entries(INGESTER_DEPRECATED_KEYS).every(([now, old]) => now.replace('DECNET_INGESTER_', 'DECNET_INGEST_') === old)).toBe(true);
    expect(Object.keys(INGESTER_DEPRECATED_KEYS).sort()).toEqual(
      ['ACK', 'BATCH_MAX_WAIT_MS', 'BATCH_SIZE', 'CONCURRENCY', 'IDLE_FLUSH_MS', 'QUEUE_SIZE'].map((k) => `DECNET_INGESTER_${k}`),
    );
  });
});
