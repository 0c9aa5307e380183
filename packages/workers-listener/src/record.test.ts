import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventId, forwardedSource } from './event-id.js';
import { processLine } from './record.js';
import { EVENTS } from '@decnet/core';

const NOW = Date.parse('2026-05-02T06:00:26Z');
const bytes = (s: string): Uint8Array => Buffer.from(s);

describe('a received line becomes the collector-shaped event, stamped with the certificate CN', () => {
  it('keeps HOSTNAME as the decky and takes provenance from the certificate only', () => {
    const outcome = processLine(
      bytes('<134>1 2026-05-02T06:00:25.453826+00:00 agent-99 ssh - login [relay@55555 src_ip="192.0.2.4" source_worker="spoof"]\r\n'),
      'agent-01',
      forwardedSource('agent-01', 's1'),
      120,
      NOW,
    );
    expect(outcome.type).toBe('publish');
    if (outcome.type !== 'publish') return;
    expect(outcome.item).toMatchObject({ subject: EVENTS.logEvent.subject('ssh'), key: '192.0.2.4', type: 'login' });
    expect(outcome.item.payload).toMatchObject({
      source: 'tls',
      source_worker: 'agent-01',
      decky: 'agent-99',
      timestamp: '2026-05-02 06:00:25',
      received_at: '2026-05-02T06:00:26.000Z',
      invalid_utf8: false,
      fields: { src_ip: '192.0.2.4', source_worker: 'spoof' },
    });
    expect(outcome.item.payload.raw_line.endsWith('"]')).toBe(true);
  });
  it('flags invalid UTF-8, and reports malformed and empty lines without throwing', () => {
    const bad = processLine(Buffer.concat([bytes('<134>1 - h svc - e - caf'), Buffer.from([0xe9])]), 'a', 's', 0, NOW);
    expect(bad.type === 'publish' && bad.item.payload.invalid_utf8).toBe(true);
    expect(processLine(bytes('hello'), 'a', 's', 0, NOW)).toMatchObject({ type: 'malformed' });
    expect(processLine(bytes('\r\n\0'), 'a', 's', 0, NOW)).toEqual({ type: 'empty' });
  });
});

describe('event ids follow the collector scheme: SHA-256 over source, position and line as a v8 UUID', () => {
  it('matches an independent computation and differs by CN, stream and offset', () => {
    // Length-prefixed source and position, then the line (core's stableEventId).
    const digest = createHash('sha256').update('15:fwd/agent-01/s13:120').update('line').digest();
    digest[6] = ((digest[6] as number) & 0x0f) | 0x80;
    digest[8] = ((digest[8] as number) & 0x3f) | 0x80;
    const hex = digest.subarray(0, 16).toString('hex');
    const expected = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    expect(eventId(forwardedSource('agent-01', 's1'), 120, 'line')).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const others = [
      eventId(forwardedSource('agent-02', 's1'), 120, 'line'),
      eventId(forwardedSource('agent-01', 's2'), 120, 'line'),
      eventId(forwardedSource('agent-01', 's1'), 121, 'line'),
    ];
    expect(new Set([expected, ...others]).size).toBe(4);
  });
});
