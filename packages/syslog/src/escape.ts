// The one reversible escaping rule for the values and message of every DECNET event line, and
// its decoder: no character any line-splitting reader (LF, CRLF, Python's splitlines(), U+2028,
// terminals) treats as a break or a control survives raw, and the original text comes back exactly.

/**
 * True for a UTF-16 code unit that {@link escapeEventText} always writes as an escape: every C0
 * control, DEL, every C1 control (U+0085 NEL and U+009B CSI included), the backslash, the
 * Unicode line and paragraph separators, the bidirectional formatting controls (they reorder
 * what a terminal shows) and U+FEFF (it would read back as a MSG byte-order mark).
 */
function isEscaped(c: number): boolean {
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x5c) return true;
  if (c < 0x200e) return false;
  return c === 0x200e || c === 0x200f || (c >= 0x2028 && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff;
}

/** Characters that need a look at each code unit (the escaped set plus surrogates); anything else is copied. */
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[\u0000-\u001f\u005c\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]/;

function hex(c: number, width: number): string {
  return c.toString(16).padStart(width, '0');
}

/**
 * Escapes text for an event line (an SD-PARAM value before RFC 5424's own `\\`, `\"`, `\]`
 * escaping, or the MSG). The rule, reversed exactly by {@link decodeEventText}:
 *
 * - `\` becomes `\\` (so a typed `\n` and a real line feed never log the same);
 * - LF, CR and TAB become `\n`, `\r`, `\t`; every other C0 control, DEL and every C1 control
 *   become `\xHH` (two lower-case hex digits);
 * - U+2028, U+2029, the bidi controls U+200E/U+200F, U+202A–U+202E and U+2066–U+2069, U+FEFF
 *   and any unpaired surrogate become `\uHHHH` (four lower-case hex digits).
 *
 * Everything else, astral characters included, is written as is. Never throws.
 */
export function escapeEventText(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let escape: string | null = null;
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      escape = `\\u${hex(c, 4)}`;
    } else if (isEscaped(c)) {
      if (c === 0x5c) escape = '\\\\';
      else if (c === 0x0a) escape = '\\n';
      else if (c === 0x0d) escape = '\\r';
      else if (c === 0x09) escape = '\\t';
      else if (c <= 0xff) escape = `\\x${hex(c, 2)}`;
      else escape = `\\u${hex(c, 4)}`;
    }
    if (escape === null) continue;
    out += text.slice(start, i) + escape;
    start = i + 1;
  }
  return out + text.slice(start);
}

function hexValue(text: string, from: number, width: number): number {
  if (from + width > text.length) return -1;
  let value = 0;
  for (let k = from; k < from + width; k++) {
    const d = text.charCodeAt(k);
    const v = d >= 48 && d <= 57 ? d - 48 : d >= 97 && d <= 102 ? d - 87 : d >= 65 && d <= 70 ? d - 55 : -1;
    if (v < 0) return -1;
    value = value * 16 + v;
  }
  return value;
}

/**
 * Reverses {@link escapeEventText}: `\\`, `\n`, `\r`, `\t`, `\xHH` and `\uHHHH` become the
 * characters they stand for. A backslash followed by anything else (a line written before this
 * rule, or by another emitter) is kept as is, so decoding never fails and never throws.
 */
export function decodeEventText(text: string): string {
  let at = text.indexOf('\\');
  if (at < 0) return text;
  let out = '';
  let start = 0;
  while (at >= 0 && at < text.length - 1) {
    const kind = text.charCodeAt(at + 1);
    let char: string | null = null;
    let width = 2;
    if (kind === 0x5c) char = '\\';
    else if (kind === 0x6e) char = '\n';
    else if (kind === 0x72) char = '\r';
    else if (kind === 0x74) char = '\t';
    else if (kind === 0x78 || kind === 0x75) {
      const digits = kind === 0x78 ? 2 : 4;
      const value = hexValue(text, at + 2, digits);
      if (value >= 0) {
        char = String.fromCharCode(value);
        width = 2 + digits;
      }
    }
    if (char === null) {
      at = text.indexOf('\\', at + 1);
      continue;
    }
    out += text.slice(start, at) + char;
    start = at + width;
    at = text.indexOf('\\', start);
  }
  return out + text.slice(start);
}

/** A record's params with every value passed through {@link decodeEventText}. */
export function decodeEventFields(fields: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(fields)) {
    const value = decodeEventText(fields[key] as string);
    if (key === '__proto__')
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

/** What {@link decodeEventRecord} reads of an event record (`EventRecord` and payloads built from it). */
export interface DecodableRecord {
  readonly fields: Record<string, string>;
  readonly msg: string;
  /** A parsed bash line (`CommandInfo`): its strings are decoded too. */
  readonly command: { command: string; uid?: string; user?: string; src?: string; pwd?: string } | null;
}

/**
 * The record of a DECNET event line with its params, MSG and parsed command decoded back to the
 * text the emitter was given (see {@link escapeEventText}); `raw_line` stays the line as
 * received. Only records that carry `relay@55555` params are decoded: a line from another
 * emitter (a bash `CMD` line from rsyslog) never went through the rule, so its backslashes are
 * literal and it is returned unchanged.
 */
export function decodeEventRecord<R extends DecodableRecord>(record: R): R {
  if (Object.keys(record.fields).length === 0) return record;
  const command = record.command;
  return {
    ...record,
    fields: decodeEventFields(record.fields),
    msg: decodeEventText(record.msg),
    command:
      command === null
        ? null
        : {
            ...command,
            command: decodeEventText(command.command),
            ...(command.pwd !== undefined ? { pwd: decodeEventText(command.pwd) } : {}),
            ...(command.user !== undefined ? { user: decodeEventText(command.user) } : {}),
          },
  };
}
