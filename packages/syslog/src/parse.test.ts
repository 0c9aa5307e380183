// Unit tests for the RFC 5424 scanner: header fields, structured data and its escapes,
// MSG and BOM, invalid UTF-8 policy, and the typed failures.
import { describe, expect, it } from 'vitest';
import { parseSyslog, type ParseOptions } from './parse.js';
import type { SyslogMessage } from './message.js';

function ok(line: string | Uint8Array, options?: ParseOptions): SyslogMessage {
  const result = parseSyslog(line, options);
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code} at ${result.error.offset}`);
  return result.message;
}

function code(line: string | Uint8Array, options?: ParseOptions): string {
  const result = parseSyslog(line, options);
  return result.ok ? 'ok' : result.error.code;
}

describe('the header is read field by field', () => {
  it('reads every field of the RFC 5424 example', () => {
    const m = ok(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event',
    );
    expect(m).toEqual({
      pri: 165,
      facility: 20,
      severity: 5,
      version: 1,
      timestamp: '2003-10-11T22:14:15.003Z',
      date: new Date('2003-10-11T22:14:15.003Z'),
      hostname: 'mymachine.example.com',
      appName: 'evntslog',
      procId: null,
      msgId: 'ID47',
      structuredData: [{ id: 'exampleSDID@32473', params: { iut: '3', eventSource: 'Application', eventID: '1011' } }],
      msg: 'An application event',
      bom: false,
      invalidUtf8: false,
    });
  });

  it('maps NILVALUE fields to null', () => {
    const m = ok('<0>1 - - - - - -');
    expect(m).toMatchObject({
      pri: 0,
      timestamp: null,
      date: null,
      hostname: null,
      appName: null,
      procId: null,
      msgId: null,
      msg: null,
    });
    expect(m.structuredData).toEqual([]);
  });

  it('accepts PRI 191 and leading zeros, and refuses 192', () => {
    expect(ok('<191>1 - - - - - -').severity).toBe(7);
    expect(ok('<014>1 - - - - - -').pri).toBe(14);
    expect(code('<192>1 - - - - - -')).toBe('bad_pri');
    expect(code('<>1 - - - - - -')).toBe('bad_pri');
    expect(code('<1234>1 - - - - - -')).toBe('bad_pri');
  });

  it('keeps a hostname that is an IPv6 address', () => {
    expect(ok('<13>1 - 2001:db8::7 app - - -').hostname).toBe('2001:db8::7');
  });

  it('enforces RFC 5424 field lengths', () => {
    expect(
      ok(`<13>1 - ${'h'.repeat(255)} ${'a'.repeat(48)} ${'p'.repeat(128)} ${'m'.repeat(32)} -`).msgId,
    ).toHaveLength(32);
    expect(code(`<13>1 - ${'h'.repeat(256)} a - - -`)).toBe('bad_hostname');
    expect(code(`<13>1 - h a ${'p'.repeat(129)} - -`)).toBe('bad_proc_id');
  });

  it('refuses a double space inside the header with the offset of the empty field', () => {
    const result = parseSyslog('<13>1 2026-05-02T06:00:25Z  host app - - -');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'bad_hostname', offset: 27 });
  });

  it('refuses non-ASCII in header fields', () => {
    expect(code('<13>1 - hôst app - - -')).toBe('bad_hostname');
  });

  it('never echoes input text in the failure message', () => {
    const result = parseSyslog('<13>1 - secret-host-name');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).not.toContain('secret');
  });
});

describe('timestamps are kept verbatim and parsed when they are dates', () => {
  it('keeps microseconds in the string and milliseconds in the Date', () => {
    const m = ok('<134>1 2026-05-02T06:00:25.453826+00:00 h a - m -');
    expect(m.timestamp).toBe('2026-05-02T06:00:25.453826+00:00');
    expect(m.date?.toISOString()).toBe('2026-05-02T06:00:25.453Z');
  });

  it('keeps a token that is not a date with a null Date', () => {
    expect(ok('<134>1 not-a-date h a - m -')).toMatchObject({ timestamp: 'not-a-date', date: null });
  });
});

describe('structured data is scanned with RFC 5424 escapes', () => {
  it('unescapes \\", \\\\ and \\] and keeps other backslashes', () => {
    const m = ok('<13>1 - h a - - [x q="a\\"b" b="c\\\\d" r="e\\]f" o="g\\nh"]');
    expect(m.structuredData[0]?.params).toEqual({ q: 'a"b', b: 'c\\d', r: 'e]f', o: 'g\\nh' });
  });

  it('keeps every parameter after an escaped ] (upstream lost them)', () => {
    const m = ok('<13>1 - h a - - [relay@55555 path="/a\\]b" remote_addr="1.2.3.4" body="z"] tail');
    expect(m.structuredData[0]?.params).toEqual({ path: '/a]b', remote_addr: '1.2.3.4', body: 'z' });
    expect(m.msg).toBe('tail');
  });

  it('accepts a raw ] inside a quoted value', () => {
    expect(ok('<13>1 - h a - - [x k="[1]"]').structuredData[0]?.params).toEqual({ k: '[1]' });
  });

  it('keeps IPv6 values, empty values and UTF-8 values intact', () => {
    const m = ok('<13>1 - h a - - [x a="[2001:db8::1]:443" e="" u="пароль ☃ 😀"]');
    expect(m.structuredData[0]?.params).toEqual({ a: '[2001:db8::1]:443', e: '', u: 'пароль ☃ 😀' });
  });

  it('keeps several elements in order, including a repeated SD-ID and an element without params', () => {
    const m = ok('<13>1 - h a - - [a x="1"][b][a y="2"]');
    expect(m.structuredData).toEqual([
      { id: 'a', params: { x: '1' } },
      { id: 'b', params: {} },
      { id: 'a', params: { y: '2' } },
    ]);
  });

  it('keeps the first value of a repeated parameter and the rest in repeated', () => {
    const m = ok('<13>1 - h a - - [x k="1" j="0" k="2" k="3"]');
    expect(m.structuredData[0]).toEqual({ id: 'x', params: { k: '1', j: '0' }, repeated: { k: ['2', '3'] } });
  });

  it('stores a __proto__ parameter as data, never as a prototype', () => {
    const m = ok('<13>1 - h a - - [x __proto__="p" constructor="c"]');
    const params = m.structuredData[0]?.params ?? {};
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(Object.keys(params)).toEqual(['__proto__', 'constructor']);
    expect(params['__proto__']).toBe('p');
  });

  it('reports malformed elements as bad_structured_data with an offset', () => {
    for (const line of [
      '<13>1 - h a - - [',
      '<13>1 - h a - - []',
      '<13>1 - h a - - [x',
      '<13>1 - h a - - [x k]',
      '<13>1 - h a - - [x k=]',
      '<13>1 - h a - - [x k="v"',
      '<13>1 - h a - - [x k="v\\"]',
      '<13>1 - h a - - [x k="v"]]',
      '<13>1 - h a - - [x =”v"]',
      '<13>1 - h a - - [x k="v" ]',
      '<13>1 - h a - - [x"y k="v"]',
    ]) {
      const result = parseSyslog(line);
      expect(result.ok, line).toBe(false);
      if (!result.ok) {
        expect(result.error.code, line).toBe('bad_structured_data');
        expect(result.error.offset, line).toBeTypeOf('number');
      }
    }
  });
});

describe('MSG follows one space after the SD', () => {
  it('is null without the space and empty with it', () => {
    expect(ok('<13>1 - h a - - -').msg).toBeNull();
    expect(ok('<13>1 - h a - - - ').msg).toBe('');
    expect(ok('<13>1 - h a - - [x]').msg).toBeNull();
  });

  it('keeps further spaces and line breaks', () => {
    expect(ok('<13>1 - h a - - -  two\nlines\r\n').msg).toBe(' two\nlines\r\n');
  });

  it('removes a UTF-8 BOM and records it', () => {
    const m = ok(new Uint8Array([...new TextEncoder().encode('<13>1 - h a - - - '), 0xef, 0xbb, 0xbf, 0x68, 0x69]));
    expect(m).toMatchObject({ msg: 'hi', bom: true, invalidUtf8: false });
  });

  it('treats a - glued to text as MSG, not as NIL SD', () => {
    expect(ok('<13>1 - h a - - -x')).toMatchObject({ structuredData: [], msg: '-x' });
  });
});

describe('bytes are decoded as UTF-8 with a chosen policy for invalid input', () => {
  const valid = new TextEncoder().encode('<13>1 - h a - - - caf\u00e9');
  const invalid = new Uint8Array([...new TextEncoder().encode('<13>1 - h a - - - x'), 0xc3, 0x28, 0xff]);

  it('decodes valid UTF-8 without marking it', () => {
    expect(ok(valid)).toMatchObject({ msg: 'café', invalidUtf8: false });
  });

  it('does not flag a genuine U+FFFD as invalid', () => {
    expect(ok(new TextEncoder().encode('<13>1 - h a - - - \uFFFD')).invalidUtf8).toBe(false);
  });

  it('replaces invalid sequences and flags the message by default', () => {
    expect(ok(invalid)).toMatchObject({ msg: 'x\uFFFD(\uFFFD', invalidUtf8: true });
  });

  it('rejects them with invalid_utf8 when asked', () => {
    expect(code(invalid, { invalidUtf8: 'reject' })).toBe('invalid_utf8');
    expect(code(valid, { invalidUtf8: 'reject' })).toBe('ok');
  });

  it('reports the decoded line with the result', () => {
    const result = parseSyslog(valid);
    expect(result.line).toBe('<13>1 - h a - - - café');
  });

  it('trims trailing LF, CR and NUL only when asked', () => {
    expect(ok('<13>1 - h a - - - x\r\n\0', { trimLineEnding: true }).msg).toBe('x');
    expect(ok('<13>1 - h a - - - x\n').msg).toBe('x\n');
    expect(ok('<13>1 - h a - - -\n', { trimLineEnding: true }).msg).toBeNull();
  });
});

describe('input that is not a syslog line fails with a stable code', () => {
  it.each([
    ['', 'empty'],
    ['hello', 'missing_pri'],
    ['<13', 'bad_pri'],
    ['<13>', 'bad_version'],
    ['<13>1', 'bad_version'],
    ['<13>x - - - - - -', 'bad_version'],
    ['<13>0 - - - - - -', 'unsupported_version'],
    ['<13>1 ', 'bad_timestamp'],
    ['<13>1 -', 'bad_timestamp'],
    ['<13>1 - h', 'bad_hostname'],
    ['<13>1 - h a', 'bad_app_name'],
    ['<13>1 - h a -', 'bad_proc_id'],
    ['<13>1 - h a - m', 'bad_msg_id'],
    ['<13>1 - h a - m ', 'bad_structured_data'],
  ])('%j gives %s', (line, expected) => {
    expect(code(line)).toBe(expected);
  });

  it('returns a failure rather than throwing for input of the wrong type', () => {
    expect(code(42 as unknown as string)).toBe('empty');
    expect(code(null as unknown as string)).toBe('empty');
  });
});
