// The formatter's contract (reference/ingestion.md §6 "Formatter"): PRI values, UTC timestamps,
// NIL PROCID, field length caps, SD shape and escaping, optional MSG; and its totality.
import { describe, expect, it } from 'vitest';
import { decodeEventText } from './escape.js';
import { escapeParamValue, formatEventLine, formatSyslog } from './format.js';
import { parseSyslog } from './parse.js';
import type { SyslogMessage } from './message.js';

const AT = new Date('2026-05-02T06:00:25.453Z');

function reparse(line: string): SyslogMessage {
  const result = parseSyslog(line);
  if (!result.ok) throw new Error(`formatted line did not parse: ${result.error.code}`);
  return result.message;
}

describe("DECNET event lines have upstream emitters' shape", () => {
  const base = { timestamp: AT, hostname: 'omega-decky', service: 'ssh', eventType: 'auth_attempt' };

  it('uses PRI 134, 132 and 131 for info, warning and error', () => {
    expect(formatEventLine(base)).toMatch(/^<134>1 /);
    expect(formatEventLine({ ...base, severity: 'warning' })).toMatch(/^<132>1 /);
    expect(formatEventLine({ ...base, severity: 'error' })).toMatch(/^<131>1 /);
  });

  it('keeps every PRI within 0..191', () => {
    for (let severity = 0; severity < 8; severity++) {
      const pri = reparse(formatSyslog({ timestamp: AT, facility: 23, severity: severity as 0 })).pri;
      expect(pri).toBeGreaterThanOrEqual(0);
      expect(pri).toBeLessThanOrEqual(191);
    }
    expect(reparse(formatSyslog({ timestamp: AT, facility: 99 as 0, severity: -3 as 0 })).pri).toBe(184);
  });

  it('writes a UTC timestamp that round-trips as ISO', () => {
    const m = reparse(formatEventLine(base));
    expect(m.timestamp).toMatch(/Z$|\+00:00$/);
    expect(m.date?.getTime()).toBe(AT.getTime());
  });

  it('writes a NIL PROCID', () => {
    expect(reparse(formatEventLine(base)).procId).toBeNull();
  });

  it('caps APP-NAME at 48 and MSGID at 32 characters', () => {
    const m = reparse(formatEventLine({ ...base, service: 's'.repeat(60), eventType: 'e'.repeat(40) }));
    expect(m.appName).toBe('s'.repeat(48));
    expect(m.msgId).toBe('e'.repeat(32));
  });

  it('writes SD - without fields and a relay@55555 element with them', () => {
    expect(formatEventLine(base)).toBe('<134>1 2026-05-02T06:00:25.453Z omega-decky ssh - auth_attempt -');
    expect(formatEventLine({ ...base, fields: {} })).toMatch(/ -$/);
    const line = formatEventLine({
      ...base,
      fields: { username: 'root', attempt: 3, ok: false, skipped: undefined, none: null },
    });
    expect(line).toMatch(/ \[relay@55555 username="root" attempt="3" ok="false"\]$/);
  });

  it('escapes values with the event rule, then ", \\ and ] as RFC 5424 requires', () => {
    const line = formatEventLine({ ...base, fields: { secret: 'a"b\\c]d\n' }, msg: 'm\\\n' });
    expect(line).toContain('secret="a\\"b\\\\\\\\c\\]d\\\\n"');
    expect(line).toMatch(/\] m\\\\\\n$/);
    expect(reparse(line).structuredData[0]?.params['secret']).toBe('a"b\\\\c]d\\n');
    expect(decodeEventText(reparse(line).structuredData[0]?.params['secret'] ?? '')).toBe('a"b\\c]d\n');
  });

  it('appends MSG after one space, and ends with ] without it', () => {
    expect(formatEventLine({ ...base, fields: { a: '1' }, msg: 'banner text' })).toMatch(/\] banner text$/);
    expect(formatEventLine({ ...base, fields: { a: '1' } })).toMatch(/\]$/);
  });
});

describe('formatSyslog always emits a line the parser accepts', () => {
  it('turns empty header fields into NILVALUE and bad characters into _', () => {
    const line = formatSyslog({ timestamp: null, hostname: '', appName: 'my app', procId: 'pïd', msgId: 'a\tb' });
    expect(line).toBe('<134>1 - - my_app p_d a_b -');
    expect(reparse(line)).toMatchObject({ hostname: null, appName: 'my_app', procId: 'p_d', msgId: 'a_b' });
  });

  it('writes an invalid Date as NILVALUE and a string timestamp verbatim', () => {
    expect(formatSyslog({ timestamp: new Date(Number.NaN) })).toBe('<134>1 - - - - - -');
    expect(formatSyslog({ timestamp: 'not-a-date' })).toBe('<134>1 not-a-date - - - - -');
  });

  it('sanitises SD-IDs and parameter names, and never writes an empty one', () => {
    const line = formatSyslog({
      timestamp: null,
      structuredData: [{ id: '', params: { 'a b': '1', 'c=d': '2', 'e]"': '3' } }],
    });
    expect(line).toBe('<134>1 - - - - - [_ a_b="1" c_d="2" e__="3"]');
    expect(parseSyslog(line).ok).toBe(true);
  });

  it('writes repeated parameters after the first values', () => {
    const line = formatSyslog({
      timestamp: null,
      structuredData: [{ id: 'x', params: { k: '1' }, repeated: { k: ['2'] } }],
    });
    expect(line).toBe('<134>1 - - - - - [x k="1" k="2"]');
  });

  it('writes a BOM before MSG when asked', () => {
    const m = reparse(formatSyslog({ timestamp: null, msg: 'hi', bom: true }));
    expect(m).toMatchObject({ msg: 'hi', bom: true });
  });

  it('round-trips a parsed message exactly', () => {
    const line =
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 77 ID47 [exampleSDID@32473 iut="3" eventSource="Appl\\]ication"][b] An application event';
    expect(formatSyslog(reparse(line))).toBe(line);
  });
});

describe('escapeParamValue escapes exactly the three RFC characters', () => {
  it.each([
    ['', ''],
    ['plain', 'plain'],
    ['"', '\\"'],
    ['\\', '\\\\'],
    [']', '\\]'],
    ['a"b\\c]', 'a\\"b\\\\c\\]'],
    ['[x]\n', '[x\\]\n'],
  ])('%j becomes %j', (input, expected) => {
    expect(escapeParamValue(input)).toBe(expected);
  });
});
