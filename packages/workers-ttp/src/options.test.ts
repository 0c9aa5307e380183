// Seconds are `_SEC` in the ttp worker's keys as in every other worker's; the old `_S` names work
// for one release with a one-line deprecation warning.
import { describe, expect, it } from 'vitest';
import { deprecatedKeyWarning } from '@decnet/core';
import { TTP_DEPRECATED_KEYS, compileTtpOptions } from './options.js';

describe('ttp options', () => {
  it('reads DECNET_TTP_DEDUP_WINDOW_SEC and DECNET_TTP_PENDING_TTL_SEC', () => {
    const options = compileTtpOptions({ DECNET_TTP_DEDUP_WINDOW_SEC: '60', DECNET_TTP_PENDING_TTL_SEC: '120' }, 'kafka');
    expect(options).toMatchObject({ dedupWindowS: 60, pendingTtlS: 120 });
  });

  it('still reads the old _S names, warning once naming the new key', () => {
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    let options;
    try {
      options = compileTtpOptions({ DECNET_TTP_PENDING_TTL_S: '90' }, 'kafka');
      compileTtpOptions({ DECNET_TTP_PENDING_TTL_S: '90' }, 'kafka');
    } finally {
      process.stderr.write = original;
    }
    expect(options).toMatchObject({ pendingTtlS: 90 });
    expect(written).toEqual([`${deprecatedKeyWarning('DECNET_TTP_PENDING_TTL_S', 'DECNET_TTP_PENDING_TTL_SEC')}\n`]);
    expect(TTP_DEPRECATED_KEYS).toEqual({
      DECNET_TTP_DEDUP_WINDOW_SEC: 'DECNET_TTP_DEDUP_WINDOW_S',
      DECNET_TTP_PENDING_TTL_SEC: 'DECNET_TTP_PENDING_TTL_S',
    });
  });
});
