// The shared log-event shape: subjects are always valid tokens, line endings are trimmed, and
// digests become version 8 UUIDs.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LOG_EVENT_PATTERN, formatUuidV8, logEventSubject, trimLineEnding } from './log-event.js';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const bytes = (s: string): Uint8Array => Buffer.from(s);

describe('log.event subjects are one valid token per service, matched by the pattern', () => {
  it('makes a subject token out of any APP-NAME', () => {
    expect(logEventSubject('smtp_relay')).toBe('log.event.smtp_relay');
    expect(logEventSubject('a.b*c>d e')).toBe('log.event.a_b_c_d_e');
    expect(logEventSubject('')).toBe('log.event._');
  });
  it('bounds the token at 48 characters and stays under the pattern', () => {
    expect(logEventSubject('x'.repeat(100))).toBe(`log.event.${'x'.repeat(48)}`);
    expect(LOG_EVENT_PATTERN).toBe('log.event.>');
  });
});

describe('trailing CR, LF and NUL are delimiters, not content', () => {
  it('trims any run of them from the end only', () => {
    expect(Buffer.from(trimLineEnding(bytes('\0a\r\nb\r\n\0\n'))).toString()).toBe('\0a\r\nb');
    expect(trimLineEnding(bytes('\r\n\0'))).toHaveLength(0);
  });
  it('returns the same bytes when there is nothing to trim', () => {
    const line = bytes('abc');
    expect(trimLineEnding(line)).toBe(line);
  });
});

describe('digests are formatted as RFC 9562 version 8 UUIDs', () => {
  it('sets the version and variant bits and keeps the other 122 bits of the digest', () => {
    const digest = createHash('sha256').update('line').digest();
    const copy = Buffer.from(digest);
    const id = formatUuidV8(digest);
    expect(id).toMatch(UUID_V8);
    expect(digest.equals(copy)).toBe(true);
    const hex = id.replaceAll('-', '');
    expect(hex.slice(0, 12)).toBe(copy.subarray(0, 6).toString('hex'));
    expect(hex.slice(18)).toBe(copy.subarray(9, 16).toString('hex'));
    expect(formatUuidV8(new Uint8Array(16).fill(0xff))).toBe('ffffffff-ffff-8fff-bfff-ffffffffffff');
    expect(formatUuidV8(new Uint8Array(16))).toBe('00000000-0000-8000-8000-000000000000');
  });
});
