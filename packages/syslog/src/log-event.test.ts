// Line endings are trimmed (the log.event subject builder is tested with the event catalogue).
import { describe, expect, it } from 'vitest';
import { trimLineEnding } from './log-event.js';

const bytes = (s: string): Uint8Array => Buffer.from(s);

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
