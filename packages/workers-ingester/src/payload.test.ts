// Edge validation and normalisation: what Postgres cannot store is replaced, indexed text is
// bounded, and a line whose TIMESTAMP is not a date is stored at its receive time.
import type { LogEventPayload as ProducedPayload } from '@decnet/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from 'zod/mini';
import { MAX_INDEXED_TEXT, logEventPayloadSchema, safeText, toIngestEvent } from './payload.js';

const payload = {
  timestamp: '2026-05-02 06:00:25',
  time: '2026-05-02T06:00:25.453Z',
  decky: 'decky-01',
  service: 'ssh',
  event_type: 'login',
  attacker_ip: '1.2.3.4',
  fields: { a: '1' },
  msg: '',
  raw_line: '<134>1 ...',
  received_at: '2026-05-02T06:00:26.000Z',
};

describe('payloads are validated at the edge and made safe for Postgres', () => {
  it('accepts the collector payload and refuses one without the record keys', () => {
    expect(logEventPayloadSchema.safeParse(payload).success).toBe(true);
    expect(logEventPayloadSchema.safeParse({ ...payload, raw_line: undefined }).success).toBe(false);
    expect(logEventPayloadSchema.safeParse({ ...payload, fields: 'x' }).success).toBe(false);
  });
  it('accepts, by type, every payload the collector and listener build (the shared shape)', () => {
    expectTypeOf<ProducedPayload>().toExtend<z.input<typeof logEventPayloadSchema>>();
  });
  it('replaces NUL and lone surrogates, and keeps valid pairs', () => {
    expect(safeText('a\u0000b\uD800c\uDC00d\uD83D\uDE00')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uD83D\uDE00');
  });
  it('uses the event time, else the receive time, and stringifies odd field values', () => {
    const e = toIngestEvent('id', logEventPayloadSchema.parse({ ...payload, fields: { n: 5, s: 'x\u0000' } }), 0);
    expect(e.at.toISOString()).toBe('2026-05-02T06:00:25.453Z');
    expect(e.fields).toEqual({ n: '5', s: 'x\uFFFD' });
    const late = toIngestEvent('id', logEventPayloadSchema.parse({ ...payload, time: null, timestamp: 'not-a-date' }), 0);
    expect(late.at.toISOString()).toBe('2026-05-02T06:00:26.000Z');
    const far = toIngestEvent('id', logEventPayloadSchema.parse({ ...payload, time: '+275000-01-01T00:00:00.000Z', received_at: undefined }), 1_777_000_000);
    expect(far.at.getTime()).toBe(1_777_000_000_000);
  });
  it('bounds indexed text', () => {
    const e = toIngestEvent('id', logEventPayloadSchema.parse({ ...payload, attacker_ip: 'x'.repeat(10_000) }), 0);
    expect(e.attackerIp).toHaveLength(MAX_INDEXED_TEXT);
  });
});
