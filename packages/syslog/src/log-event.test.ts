// The shared log-event shape: subjects are always valid tokens and line endings are trimmed.
import { describe, expect, it } from 'vitest';
import { LOG_EVENT_PATTERN, logEventSubject, trimLineEnding } from './log-event.js';

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
