// The event escaping rule: fixed cases, then properties over random Unicode and bytes — every
// formatted event is one line for every line splitter readers use, and decodes back exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEventRecord, decodeEventText, escapeEventText } from './escape.js';
import { parseEventRecord } from './event-record.js';
import { formatEventLine } from './format.js';
import { parseSyslog } from './parse.js';

const RUNS = 500;

/** Python's str.splitlines() boundaries, built from code points (a literal would be a control-character regex). */
const SPLITLINES = new RegExp(
  `\r\n|[${String.fromCharCode(0x0a, 0x0d, 0x0b, 0x0c, 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029)}]`,
);

/** How readers split text into lines: newline framing, CRLF, Python's str.splitlines(), JS/JSON's U+2028. */
const LINE_SPLITTERS: readonly [string, (text: string) => string[]][] = [
  ['LF', (t) => t.split('\n')],
  ['CRLF', (t) => t.split('\r\n')],
  // str.splitlines() boundaries: \n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028 \u2029
  ['splitlines', (t) => t.split(SPLITLINES)],
  ['U+2028', (t) => t.split(/[\u2028\u2029]/)],
];

describe('escapeEventText escapes every control, separator and the backslash reversibly', () => {
  it.each([
    ['plain text ~ é ✓ 😀', 'plain text ~ é ✓ 😀'],
    ['a\nb\r\tc', 'a\\nb\\r\\tc'],
    ['\x00\x1b[2J\x7f', '\\x00\\x1b[2J\\x7f'],
    ['nel\x85csi\x9b', 'nel\\x85csi\\x9b'],
    ['ls\u2028rm\u2029x', 'ls\\u2028rm\\u2029x'],
    ['C:\\temp\\new', 'C:\\\\temp\\\\new'],
    ['typed \\n vs real \n', 'typed \\\\n vs real \\n'],
    ['bidi \u202e evil \u2066', 'bidi \\u202e evil \\u2066'],
    ['\ufeffbom', '\\ufeffbom'],
    ['lone \ud800 high, lone \udc00 low', 'lone \\ud800 high, lone \\udc00 low'],
    ['"quoted" [x]', '"quoted" [x]'],
  ])('%j becomes %j', (input, escaped) => {
    expect(escapeEventText(input)).toBe(escaped);
    expect(decodeEventText(escaped)).toBe(input);
  });

  it('keeps a backslash that starts no escape (lines written before the rule) as it is', () => {
    expect(decodeEventText('a\\qb\\x4 \\u12 end\\')).toBe('a\\qb\\x4 \\u12 end\\');
  });
});

/** Any UTF-16 string (lone surrogates included), any code point string, and bytes read as Latin-1 and as UTF-8. */
const anyText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({
    unit: fc.constantFrom(
      '\\',
      'n',
      'x',
      'u',
      '2',
      '8',
      '\n',
      '\r',
      '\x85',
      '\u2028',
      '\u2029',
      '"',
      ']',
      '\x0b',
      '\x1c',
    ),
    maxLength: 30,
  }),
  fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b).toString('utf8')),
);

describe('a formatted event is one line for every splitter and decodes back to its input', () => {
  it('holds for values and MSG made of random Unicode and bytes', () => {
    fc.assert(
      fc.property(anyText, anyText, (value, msg) => {
        const line = formatEventLine({
          timestamp: new Date(0),
          hostname: 'd',
          service: 's',
          eventType: 'e',
          fields: { v: value, w: 'x' },
          msg,
        });
        for (const [, split] of LINE_SPLITTERS) expect(split(line)).toHaveLength(1);
        for (let i = 0; i < line.length; i++) {
          const c = line.charCodeAt(i);
          expect(c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029).toBe(false);
        }
        const parsed = parseSyslog(line);
        if (!parsed.ok) throw new Error(parsed.error.code);
        const params = parsed.message.structuredData[0]?.params ?? {};
        expect(decodeEventText(params['v'] ?? '')).toBe(value);
        expect(decodeEventText(parsed.message.msg ?? '')).toBe(msg);
        expect(decodeEventText(escapeEventText(value))).toBe(value);
      }),
      { numRuns: RUNS },
    );
  });

  it('decodes whole records: params, MSG and a parsed command, never the raw line', () => {
    const line = formatEventLine({
      timestamp: new Date(0),
      hostname: 'd',
      service: 'ssh',
      eventType: 'command',
      fields: { cmd: 'echo a\nb\\n', src_ip: '203.0.113.9' },
      msg: 'x\u2028y',
    });
    const parsed = parseEventRecord(line);
    if (!parsed.ok) throw new Error(parsed.error.code);
    const record = decodeEventRecord(parsed.record);
    expect(record.fields).toEqual({ cmd: 'echo a\nb\\n', src_ip: '203.0.113.9' });
    expect(record.msg).toBe('x\u2028y');
    expect(record.raw_line).toBe(line);
    expect(record.attacker_ip).toBe('203.0.113.9');
  });

  it('leaves a record without DECNET params (a bash CMD line) untouched', () => {
    const parsed = parseEventRecord(
      '<14>1 2026-01-01T00:00:00Z h bash - - - CMD uid=0 user=root src=1.2.3.4 pwd=/ cmd=printf \\n',
    );
    if (!parsed.ok) throw new Error(parsed.error.code);
    expect(decodeEventRecord(parsed.record)).toBe(parsed.record);
  });
});
