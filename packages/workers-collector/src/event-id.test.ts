// Stable event ids: replays collide on purpose, distinct positions never do.
import { describe, expect, it } from 'vitest';
import { derivedEventId, eventId } from './event-id.js';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const line = '<134>1 2026-05-02T06:00:25Z decky-01 ssh - auth_attempt [relay@55555 src_ip="1.2.3.4"]';

describe('event ids are stable per (source, position, line) and distinct otherwise', () => {
  it('gives the same id for the same line at the same position, as string or bytes', () => {
    expect(eventId('file/abc', 120, line)).toBe(eventId('file/abc', '120', Buffer.from(line)));
  });
  it('gives identical lines at different positions different ids', () => {
    expect(eventId('file/abc', 0, line)).not.toBe(eventId('file/abc', 97, line));
  });
  it('gives the same position in different sources different ids', () => {
    expect(eventId('file/abc', 0, line)).not.toBe(eventId('file/abd', 0, line));
    expect(eventId('tcp/run/1', 0, line)).not.toBe(eventId('tcp/run/2', 0, line));
  });
  it('does not let a separator inside the source forge another position', () => {
    expect(eventId('a', '1\u00002', line)).not.toBe(eventId('a\u00001', '2', line));
  });
  it('is formatted as an RFC 9562 version 8 UUID', () => {
    expect(eventId('x', 1, 'y')).toMatch(UUID_V8);
    expect(derivedEventId(eventId('x', 1, 'y'), 'attacker.session.ended')).toMatch(UUID_V8);
  });
});
