// RFC 3339 timestamp reading and the compact UTC form stored in logs.timestamp.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCompactUtc, formatIsoUtc, parseTimestamp } from './timestamp.js';

describe('parseTimestamp reads RFC 5424 timestamps exactly', () => {
  it.each([
    ['2026-05-02T06:00:25.453826+00:00', '2026-05-02T06:00:25.453Z'],
    ['2026-05-02T06:00:25Z', '2026-05-02T06:00:25.000Z'],
    ['2026-05-02T06:00:25', '2026-05-02T06:00:25.000Z'],
    ['2026-05-02T08:30:25.1+02:30', '2026-05-02T06:00:25.100Z'],
    ['2026-05-01T23:00:00-07:00', '2026-05-02T06:00:00.000Z'],
    ['2024-02-29T00:00:00.999999999Z', '2024-02-29T00:00:00.999Z'],
    ['0042-01-01T00:00:00Z', '0042-01-01T00:00:00.000Z'],
  ])('%s is %s', (token, iso) => {
    expect(parseTimestamp(token)?.toISOString()).toBe(iso);
  });

  it.each([
    'not-a-date',
    '2026-05-02',
    '2026-05-02 06:00:25Z',
    '2026-05-02t06:00:25Z',
    '2026-05-02T06:00:25z',
    '2026-13-02T06:00:25Z',
    '2026-02-29T06:00:25Z',
    '2026-04-31T06:00:25Z',
    '2026-05-02T24:00:00Z',
    '2026-05-02T06:60:00Z',
    '2026-05-02T06:00:60Z',
    '2026-05-02T06:00:25.Z',
    '2026-05-02T06:00:25.1234567890Z',
    '2026-05-02T06:00:25+0000',
    '2026-05-02T06:00:25+24:00',
    '2026-05-02T06:00:25Zjunk',
    '2026-05-02T06:00:25+00:00junk',
  ])('%j is not a timestamp', (token) => {
    expect(parseTimestamp(token)).toBeNull();
  });
});

describe('formatCompactUtc writes YYYY-MM-DD HH:MM:SS in UTC', () => {
  it('drops milliseconds and pads fields', () => {
    expect(formatCompactUtc(new Date('2024-01-05T02:03:04.999Z'))).toBe('2024-01-05 02:03:04');
    expect(formatCompactUtc(new Date('0042-01-01T00:00:00Z'))).toBe('0042-01-01 00:00:00');
  });
});

describe('formatIsoUtc matches Date.prototype.toISOString', () => {
  it('agrees for any valid date, and parseTimestamp reads it back', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (date) => {
        expect(formatIsoUtc(date)).toBe(date.toISOString());
        const year = date.getUTCFullYear();
        if (year >= 0 && year <= 9999) expect(parseTimestamp(formatIsoUtc(date))?.getTime()).toBe(date.getTime());
      }),
      { numRuns: 500 },
    );
  });
});
