import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derivedEventId, formatUuidV8, stableEventId } from './event-id.js';
import { EVENTS } from './events/catalogue.js';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('stable event ids', () => {
  it('keeps the ids already stored: the collector scheme, byte for byte', () => {
    // Values the collector produced before the scheme moved here: changing the scheme would
    // make every replay after an upgrade a new event.
    expect(stableEventId('file/abc', 0, 'x')).toBe('494726c3-a9d2-8387-949e-e794f7951388');
    expect(stableEventId('tcp/run-1/7', 42, 'a line')).toBe('60e0a461-1431-86e0-a2e6-25e98c18c28d');
    expect(stableEventId('tcp/run-1/7', '42', Buffer.from('a line'))).toBe('60e0a461-1431-86e0-a2e6-25e98c18c28d');
    expect(derivedEventId('parent', EVENTS.systemLog.subject)).toBe('9b11777d-d8d6-8194-9245-4ca196c9532f');
  });

  it('gives RFC 9562 version 8 UUIDs, equal for equal inputs and distinct when any part differs', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(), fc.string(), fc.string(), (source, position, content, other) => {
        const id = stableEventId(source, position, content);
        expect(id).toMatch(UUID_V8);
        expect(stableEventId(source, position, Buffer.from(content))).toBe(id);
        if (other !== content) expect(stableEventId(source, position, other)).not.toBe(id);
        // Moving characters between source and position cannot forge another stream's id.
        expect(stableEventId(`${source}1`, String(position).slice(1) || '0', content) === id).toBe(false);
      }),
    );
  });

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
