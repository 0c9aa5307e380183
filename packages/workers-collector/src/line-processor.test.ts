// One line in, one decision out: parsed lines become stably-identified log.event.* items;
// noise, repeats and malformed input are counted and never published.
import type { LogEventPayload } from '@decnet/core';
import { describe, expect, it } from 'vitest';
import { LineProcessor, type LineOutcome, type PublishItem } from './line-processor.js';
import { COLLECTOR_DEFAULTS, type CompiledCollectorOptions } from './options.js';
import { EVENTS } from '@decnet/core';

const enc = new TextEncoder();
const bytes = (s: string): Uint8Array => enc.encode(s);

function processor(over: Partial<CompiledCollectorOptions> = {}, wall = Date.parse('2026-05-02T07:00:00Z')) {
  let mono = 0;
  const p = new LineProcessor({ ...COLLECTOR_DEFAULTS, ...over }, { monotonic: () => mono, wall: () => wall });
  return { p, advance: (ms: number) => (mono += ms) };
}

function items(outcome: LineOutcome): readonly PublishItem[] {
  if (outcome.type !== 'publish') throw new Error(`expected publish, got ${outcome.type}`);
  return outcome.items;
}

const AUTH =
  '<134>1 2026-05-02T06:00:25.453826+00:00 omega-decky ssh - auth_attempt [relay@55555 username="root" principal="root" secret_printable="x]y" secret_b64="eF15" src_ip="192.168.1.5"]';

describe('accepted lines become log.event.<service> items keyed by attacker', () => {
  it('publishes the parsed record with provenance, a stable id and the attacker as key', () => {
    const { p } = processor();
    const [item, ...rest] = items(p.process(bytes(AUTH), 'file', 'file/gen1', 0));
    expect(rest).toHaveLength(0);
    expect(item?.subject).toBe(EVENTS.logEvent.subject('ssh'));
    expect(item?.key).toBe('192.168.1.5');
    expect(item?.type).toBe('auth_attempt');
    const payload = item?.payload as LogEventPayload;
    expect(payload).toMatchObject({
      timestamp: '2026-05-02 06:00:25',
      decky: 'omega-decky',
      service: 'ssh',
      event_type: 'auth_attempt',
      attacker_ip: '192.168.1.5',
      fields: { username: 'root', secret_printable: 'x]y', secret_b64: 'eF15', src_ip: '192.168.1.5' },
      raw_line: AUTH,
      source: 'file',
      source_worker: null,
      received_at: '2026-05-02T07:00:00.000Z',
      invalid_utf8: false,
    });
    expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
    const again = items(processor().p.process(bytes(AUTH), 'file', 'file/gen1', 0));
    expect(again[0]?.id).toBe(item?.id);
    expect(items(processor().p.process(bytes(AUTH), 'file', 'file/gen1', 300))[0]?.id).not.toBe(item?.id);
  });
  it('strips line endings a UDP sender appended', () => {
    const { p } = processor();
    const [item] = items(p.process(bytes(`${AUTH}\r\n\0`), 'udp', 'udp/run', 0));
    expect((item?.payload as LogEventPayload).raw_line).toBe(AUTH);
  });
  it('sanitises service names that cannot stand in a subject token', () => {
    const { p } = processor();
    const [item] = items(p.process(bytes('<134>1 2024-01-15T12:00:00Z d1 we.ird>*app - ev -'), 'tcp', 't', 0));
    expect(item?.subject).toBe(EVENTS.logEvent.subject('we_ird__app'));
    expect((item?.payload as LogEventPayload).service).toBe('we.ird>*app');
  });
  it('keeps invalid UTF-8 lines, flagged and counted', () => {
    const { p } = processor();
    const raw = new Uint8Array([...bytes('<134>1 2024-01-15T12:00:00Z d1 ssh - login - pass '), 0xff, 0xfe]);
    const [item] = items(p.process(raw, 'udp', 'u', 0));
    expect((item?.payload as LogEventPayload).invalid_utf8).toBe(true);
    expect(p.counters.invalidUtf8).toBe(1);
  });
});

describe('noise, repeats and malformed lines are counted, never published', () => {
  it('drops native sshd lines as noise', () => {
    const { p } = processor();
    const out = p.process(bytes('<38>1 2026-04-27T03:08:48+00:00 dmz-gateway sshd 940 - - Failed password for root from 157.66.144.16 port 42772 ssh2'), 'file', 'f', 0);
    expect(out).toEqual({ type: 'filtered', reason: 'noise' });
    expect(p.counters.filteredNoise).toBe(1);
  });
  it('turns five identical connect lines into one event', () => {
    const { p } = processor();
    const line = bytes('<134>1 2026-05-02T06:00:25Z omega-decky smtp - connect [relay@55555 src="9.9.9.9" src_port="1234"]');
    const outcomes = [0, 1, 2, 3, 4].map((i) => p.process(line, 'file', 'f', i * 90));
    expect(outcomes.filter((o) => o.type === 'publish')).toHaveLength(1);
    expect(p.counters.rateLimited).toBe(4);
  });
  it('reports malformed lines by error code', () => {
    const { p } = processor();
    expect(p.process(bytes('not a syslog line'), 'udp', 'u', 0)).toEqual({ type: 'malformed', code: 'missing_pri' });
    expect(p.process(bytes(''), 'udp', 'u', 1)).toEqual({ type: 'empty' });
    expect(p.counters).toMatchObject({ lines: 1, malformed: 1, malformedByCode: { missing_pri: 1 } });
  });
});

describe('optional notifications derive their ids from the event', () => {
  it('adds upstream\'s five-key system.log when asked', () => {
    const { p } = processor({ systemLog: true });
    const [event, note] = items(p.process(bytes(AUTH), 'file', 'f', 0));
    expect(note?.subject).toBe(EVENTS.systemLog.subject);
    expect(note?.type).toBe('auth_attempt');
    expect(note?.payload).toEqual({
      decky: 'omega-decky',
      service: 'ssh',
      event_type: 'auth_attempt',
      attacker_ip: '192.168.1.5',
      timestamp: '2026-05-02 06:00:25',
    });
    expect(note?.id).not.toBe(event?.id);
  });
  it('publishes attacker.session.ended with the commands of a recorded session', () => {
    const { p } = processor({}, Date.parse('2026-05-02T06:05:00Z'));
    const cmd = (t: string, c: string) =>
      bytes(`<14>1 2026-05-02T06:0${t}+00:00 omega-decky bash - - -  CMD uid=0 user=root src=192.168.1.5 pwd=/root cmd=${c}`);
    items(p.process(cmd('0:10', 'uname -a'), 'file', 'f', 0));
    items(p.process(cmd('0:20', 'cat /etc/passwd  | head'), 'file', 'f', 1));
    const rec = bytes('<134>1 2026-05-02T06:00:30+00:00 omega-decky sessrec - session_recorded [relay@55555 sid="s1" service="ssh" src_ip="192.168.1.5" duration_s="25" bytes="10" truncated="false"]');
    const out = items(p.process(rec, 'file', 'f', 2));
    const session = out.find((i) => i.subject === EVENTS.attackerSessionEnded.subject);
    expect(session?.type).toBe('session.ended');
    expect(session?.payload).toMatchObject({
      session_id: 's1',
      attacker_uuid: null,
      attacker_ip: '192.168.1.5',
      decky_id: 'omega-decky',
      service: 'ssh',
      duration_s: 25,
      shard_path: null,
      commands: [
        { id: 's1#0', command_text: 'uname -a', user: 'root', uid: '0', pwd: '/root', src: '192.168.1.5' },
        { id: 's1#1', command_text: 'cat /etc/passwd  | head' },
      ],
    });
    expect(p.counters.sessions).toBe(1);
  });
});
