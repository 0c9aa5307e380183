import { describe, expect, it } from 'vitest';
import { MAX_INI_BYTES, parseIni } from './ini.js';

describe('parseIni reads configparser-style files and never throws', () => {
  it('reads sections, both delimiters, lower-cased keys and comments', () => {
    const r = parseIni('# top comment\n[general]\nNet = 10.0.0.0/24\ngw: 10.0.0.1\n; note\n[web]\nservices = ssh, http\n');
    expect(r).toEqual({
      ok: true,
      sections: [
        { name: 'general', line: 2, entries: [{ key: 'net', value: '10.0.0.0/24', line: 3 }, { key: 'gw', value: '10.0.0.1', line: 4 }] },
        { name: 'web', line: 6, entries: [{ key: 'services', value: 'ssh, http', line: 7 }] },
      ],
    });
  });
  it('joins indented continuation lines with newlines', () => {
    const r = parseIni('[a.http]\ncustom_body = line one\n  line two\n');
    expect(r.ok && r.sections[0]!.entries[0]!.value).toBe('line one\nline two');
  });
  it('keeps % signs literally (no interpolation)', () => {
    const r = parseIni('[a.ssh]\npassword = 100%sure\n');
    expect(r.ok && r.sections[0]!.entries[0]!.value).toBe('100%sure');
  });
  it('handles CRLF line endings and a byte-order mark', () => {
    const r = parseIni('\uFEFF[a]\r\nservices = ssh\r\n');
    expect(r.ok && r.sections[0]!.entries[0]).toEqual({ key: 'services', value: 'ssh', line: 2 });
  });
  it.each([
    ['key = value\n', 'before any [section]', 1],
    ['[a]\n[a]\n', 'duplicate section', 2],
    ['[a]\nx = 1\nX = 2\n', 'duplicate key', 3],
    ['[a]\njust words\n', 'expected "key = value"', 2],
    ['[a\n', 'malformed section header', 1],
    ['[]\n', 'malformed section header', 1],
    ['[DEFAULT]\nx=1\n', 'not supported', 1],
    ['', 'no [section]', 0],
    ['# only comments\n', 'no [section]', 0],
    ['[a]\n= value\n', 'expected "key = value"', 2],
  ])('reports %j as a typed error naming the problem', (text, reason, line) => {
    const r = parseIni(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain(reason);
      expect(r.line).toBe(line);
    }
  });
  it('refuses binary garbage and oversized files without throwing', () => {
    expect(parseIni('[a]\n\u0000\u0001').ok).toBe(false);
    expect(parseIni('#'.repeat(MAX_INI_BYTES + 1)).ok).toBe(false);
  });
});
