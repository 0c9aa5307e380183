// Upstream's session aggregator: per-IP command history, window selection, ids, TTL eviction.
import { parseEventRecord, type EventRecord } from '@decnet/syslog';
import { describe, expect, it } from 'vitest';
import { SessionAggregator } from './session-aggregator.js';

function record(line: string): EventRecord {
  const parsed = parseEventRecord(line);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.record;
}
const cmd = (ts: string, ip: string, c: string) =>
  record(`<14>1 ${ts} d1 bash - - -  CMD uid=0 user=root src=${ip} pwd=/root cmd=${c}`);
const ended = (ts: string, ip: string, duration: string, sid = 's1') =>
  record(`<134>1 ${ts} d1 sessrec - session_recorded [relay@55555${sid ? ` sid="${sid}"` : ''} service="ssh" src_ip="${ip}" duration_s="${duration}"]`);

const NOW = Date.parse('2026-05-02T07:00:00Z');

describe('sessions gather the attacker commands inside their window', () => {
  it('selects only commands within [ended - duration, ended], numbering by list position', () => {
    const agg = new SessionAggregator(3_600_000, () => NOW);
    agg.observe(cmd('2026-05-02T06:00:00Z', '1.2.3.4', 'early'));
    agg.observe(cmd('2026-05-02T06:00:50Z', '1.2.3.4', 'inside'));
    agg.observe(cmd('2026-05-02T06:00:55Z', '5.6.7.8', 'other ip'));
    const s = agg.observe(ended('2026-05-02T06:01:00Z', '1.2.3.4', '30'));
    expect(s?.commands.map((c) => [c.id, c.command_text])).toEqual([['s1#1', 'inside']]);
  });
  it('keeps back-to-back sessions distinct', () => {
    const agg = new SessionAggregator(3_600_000, () => NOW);
    agg.observe(cmd('2026-05-02T06:00:05Z', '1.2.3.4', 'a'));
    agg.observe(cmd('2026-05-02T06:00:15Z', '1.2.3.4', 'b'));
    expect(agg.observe(ended('2026-05-02T06:00:10Z', '1.2.3.4', '10', 'first'))?.commands.map((c) => c.command_text)).toEqual(['a']);
    expect(agg.observe(ended('2026-05-02T06:00:20Z', '1.2.3.4', '9', 'second'))?.commands.map((c) => c.command_text)).toEqual(['b']);
  });
  it('uses synthetic ids when the session has no sid', () => {
    const agg = new SessionAggregator(3_600_000, () => NOW);
    agg.observe(cmd('2026-05-02T06:00:05Z', '1.2.3.4', 'a'));
    const s = agg.observe(ended('2026-05-02T06:00:10Z', '1.2.3.4', '10', ''));
    expect(s?.session_id).toBe('1.2.3.4-2026-05-02T06:00:10.000Z');
    expect(s?.commands[0]?.id).toBe('1.2.3.4-2026-05-02T06:00:05.000Z');
  });
  it('ignores Unknown addresses and timestamps that are not dates', () => {
    const agg = new SessionAggregator(3_600_000, () => NOW);
    expect(agg.observe(record('<14>1 2026-05-02T06:00:05Z d1 bash - - -  CMD uid=0 pwd=/ cmd=ls'))).toBeUndefined();
    expect(agg.observe(record('<14>1 not-a-date d1 bash - - -  CMD uid=0 user=root src=1.2.3.4 pwd=/ cmd=ls'))).toBeUndefined();
    expect(agg.trackedIps).toBe(0);
  });
  it('evicts commands older than the TTL', () => {
    let now = NOW;
    const agg = new SessionAggregator(60_000, () => now);
    agg.observe(cmd('2026-05-02T06:59:30Z', '1.2.3.4', 'a'));
    expect(agg.trackedIps).toBe(1);
    now += 120_000;
    agg.observe(cmd('2026-05-02T07:01:59Z', '5.6.7.8', 'b'));
    expect(agg.trackedIps).toBe(1);
    expect(agg.observe(ended('2026-05-02T07:00:00Z', '1.2.3.4', '600'))?.commands).toEqual([]);
  });
});
