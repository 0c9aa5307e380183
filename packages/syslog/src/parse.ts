// The one RFC 5424 parser: a hand-written single-pass scanner over the decoded line (no
// backtracking regex). It never throws; every failure is a typed value with a stable code.
import {
  FIELD_LIMITS,
  MAX_PRI,
  SYSLOG_VERSION,
  type Facility,
  type ParseResult,
  type SdElement,
  type Severity,
  type SyslogMessage,
  type SyslogParseErrorCode,
  type SyslogParseFailure,
} from './message.js';
import { parseTimestamp } from './timestamp.js';

/** A TIMESTAMP token longer than this is refused: RFC 3339 needs at most 32; we keep odd tokens verbatim, within reason. */
export const MAX_TIMESTAMP_CHARS = 64;

/** How {@link parseSyslog} treats bytes that are not valid UTF-8. */
export type InvalidUtf8Policy = 'replace' | 'reject';

/** Options of {@link parseSyslog}. */
export interface ParseOptions {
  /**
   * `'replace'` decodes invalid UTF-8 sequences as U+FFFD and marks the message
   * `invalidUtf8: true`, so the event is still ingested and can be counted (an attacker cannot
   * hide a login attempt behind one bad byte in a password). `'reject'` fails with code
   * `invalid_utf8` instead. Ignored for string input.
   * @default 'replace'
   */
  invalidUtf8?: InvalidUtf8Policy;
  /**
   * Remove trailing LF, CR and NUL characters before parsing (for UDP datagrams from senders
   * that terminate them). The framing decoders already strip their own delimiters.
   * @default false
   */
  trimLineEnding?: boolean;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LOSSY_UTF8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** One constant description per code: messages never echo input text. */
const MESSAGES: Record<SyslogParseErrorCode, string> = {
  empty: 'the line is empty',
  missing_pri: 'the line does not start with <PRI>',
  bad_pri: 'PRI must be 1-3 digits in 0..191 closed by >',
  bad_version: 'VERSION must be digits followed by a space',
  unsupported_version: 'only syslog VERSION 1 is supported',
  bad_timestamp: `TIMESTAMP must be 1-${MAX_TIMESTAMP_CHARS} printable ASCII characters followed by a space`,
  bad_hostname: `HOSTNAME must be 1-${FIELD_LIMITS.hostname} printable ASCII characters followed by a space`,
  bad_app_name: `APP-NAME must be 1-${FIELD_LIMITS.appName} printable ASCII characters followed by a space`,
  bad_proc_id: `PROCID must be 1-${FIELD_LIMITS.procId} printable ASCII characters followed by a space`,
  bad_msg_id: `MSGID must be 1-${FIELD_LIMITS.msgId} printable ASCII characters followed by a space`,
  bad_structured_data: 'STRUCTURED-DATA is not well formed',
  invalid_utf8: 'the bytes are not valid UTF-8',
};

function failure(code: SyslogParseErrorCode, offset?: number): SyslogParseFailure {
  return offset === undefined ? { code, message: MESSAGES[code] } : { code, message: MESSAGES[code], offset };
}

/** The part of a message after PRI and VERSION; shared with the double-wrap unwrap. */
export interface HeaderBody {
  timestamp: string | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  structuredData: SdElement[];
  msg: string | null;
  bom: boolean;
}

/**
 * Finds the end (the index of the following space) of a header token starting at `i`.
 * Returns `-(offset + 1)` of the problem when the token is empty, too long, holds a character
 * outside printable ASCII, or the line ends before its space.
 */
function tokenEnd(s: string, i: number, max: number): number {
  const sp = s.indexOf(' ', i);
  if (sp === -1) return -(s.length + 1);
  if (sp === i || sp - i > max) return -(i + 1);
  for (let k = i; k < sp; k++) {
    const c = s.charCodeAt(k);
    if (c < 33 || c > 126) return -(k + 1);
  }
  return sp;
}

/** SD-NAME characters: printable ASCII except `=`, `]` and `"` (space is outside the range). */
function isSdNameChar(c: number): boolean {
  return c >= 33 && c <= 126 && c !== 61 && c !== 93 && c !== 34;
}

function setParam(element: SdElement, name: string, value: string): void {
  const params = element.params;
  if (Object.prototype.hasOwnProperty.call(params, name)) {
    const repeated = (element.repeated ??= {});
    const list = Object.prototype.hasOwnProperty.call(repeated, name) ? repeated[name] : undefined;
    if (list) list.push(value);
    else defineOwn(repeated, name, [value]);
    return;
  }
  defineOwn(params, name, value);
}

/** Plain assignment, except for `__proto__`, which must become an own property, not a prototype swap. */
function defineOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * Parses SD-ELEMENTs starting at `s[i] === '['`. Returns the index after the last `]`, or
 * `-(offset + 1)` of the problem. Values are unescaped per RFC 5424 §6.3.3: `\"`, `\\` and
 * `\]` lose their backslash, any other backslash is kept. A raw `]` inside quotes is accepted.
 */
function parseStructuredData(s: string, i: number, out: SdElement[]): number {
  const n = s.length;
  let backslash = s.indexOf('\\', i);
  while (i < n && s.charCodeAt(i) === 91 /* [ */) {
    i++;
    const idStart = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 93) break;
      if (!isSdNameChar(c)) return -(i + 1);
      i++;
    }
    if (i === idStart || i >= n) return -(i + 1);
    const element: SdElement = { id: s.slice(idStart, i), params: {} };
    while (i < n && s.charCodeAt(i) === 32) {
      i++;
      const nameStart = i;
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c === 61 /* = */) break;
        if (!isSdNameChar(c)) return -(i + 1);
        i++;
      }
      if (i === nameStart || i + 1 >= n || s.charCodeAt(i + 1) !== 34 /* " */) return -(i + 1);
      const name = s.slice(nameStart, i);
      i += 2;
      const quote = s.indexOf('"', i);
      if (quote === -1) return -(n + 1);
      if (backslash !== -1 && backslash < i) backslash = s.indexOf('\\', i);
      let value: string;
      if (backslash === -1 || backslash > quote) {
        value = s.slice(i, quote);
        i = quote + 1;
      } else {
        // Slow path: walk the value, undoing escapes, until an unescaped quote.
        value = '';
        let runStart = i;
        let closed = false;
        while (i < n) {
          const c = s.charCodeAt(i);
          if (c === 92 /* \ */ && i + 1 < n) {
            const next = s.charCodeAt(i + 1);
            if (next === 34 || next === 92 || next === 93) {
              value += s.slice(runStart, i);
              runStart = i + 1;
              i += 2;
              continue;
            }
            i++;
            continue;
          }
          if (c === 34) {
            closed = true;
            break;
          }
          i++;
        }
        if (!closed) return -(n + 1);
        value += s.slice(runStart, i);
        i++;
        backslash = s.indexOf('\\', i);
      }
      setParam(element, name, value);
    }
    if (i >= n || s.charCodeAt(i) !== 93 /* ] */) return -(i + 1);
    i++;
    out.push(element);
  }
  return i;
}

/**
 * Parses everything after `<PRI>VERSION SP`: TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG].
 * Also used on the inner header of a double-wrapped line, which has no PRI.
 * @internal
 */
export function parseHeaderBody(s: string, start: number): HeaderBody | SyslogParseFailure {
  let i = start;
  let end = tokenEnd(s, i, MAX_TIMESTAMP_CHARS);
  if (end < 0) return failure('bad_timestamp', -end - 1);
  const timestamp = end - i === 1 && s.charCodeAt(i) === 45 ? null : s.slice(i, end);
  i = end + 1;
  end = tokenEnd(s, i, FIELD_LIMITS.hostname);
  if (end < 0) return failure('bad_hostname', -end - 1);
  const hostname = end - i === 1 && s.charCodeAt(i) === 45 ? null : s.slice(i, end);
  i = end + 1;
  end = tokenEnd(s, i, FIELD_LIMITS.appName);
  if (end < 0) return failure('bad_app_name', -end - 1);
  const appName = end - i === 1 && s.charCodeAt(i) === 45 ? null : s.slice(i, end);
  i = end + 1;
  end = tokenEnd(s, i, FIELD_LIMITS.procId);
  if (end < 0) return failure('bad_proc_id', -end - 1);
  const procId = end - i === 1 && s.charCodeAt(i) === 45 ? null : s.slice(i, end);
  i = end + 1;
  end = tokenEnd(s, i, FIELD_LIMITS.msgId);
  if (end < 0) return failure('bad_msg_id', -end - 1);
  const msgId = end - i === 1 && s.charCodeAt(i) === 45 ? null : s.slice(i, end);
  i = end + 1;

  const n = s.length;
  if (i >= n) return failure('bad_structured_data', i);
  const structuredData: SdElement[] = [];
  let msg: string | null = null;
  const first = s.charCodeAt(i);
  if (first === 91 /* [ */) {
    const after = parseStructuredData(s, i, structuredData);
    if (after < 0) return failure('bad_structured_data', -after - 1);
    if (after < n) {
      if (s.charCodeAt(after) !== 32) return failure('bad_structured_data', after);
      msg = s.slice(after + 1);
    }
  } else if (first === 45 /* - */ && (i + 1 === n || s.charCodeAt(i + 1) === 32)) {
    if (i + 1 < n) msg = s.slice(i + 2);
  } else {
    // The sender put MSG where SD belongs (seen in the wild): keep it all as MSG.
    msg = s.slice(i);
  }
  let bom = false;
  if (msg !== null && msg.charCodeAt(0) === 0xfeff) {
    bom = true;
    msg = msg.slice(1);
  }
  return { timestamp, hostname, appName, procId, msgId, structuredData, msg, bom };
}

function decode(bytes: Uint8Array): { text: string; invalid: boolean } {
  const text = LOSSY_UTF8.decode(bytes);
  // U+FFFD is rare and may be genuine, so only then pay for a strict second decode.
  if (text.indexOf('\uFFFD') === -1) return { text, invalid: false };
  try {
    STRICT_UTF8.decode(bytes);
    return { text, invalid: false };
  } catch {
    return { text, invalid: true };
  }
}

function trimEnd(s: string): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c !== 10 && c !== 13 && c !== 0) break;
    end--;
  }
  return end === s.length ? s : s.slice(0, end);
}

/**
 * Parses one RFC 5424 line (a string, or bytes decoded as UTF-8).
 *
 * Accepted beyond the strict grammar, because DECNET's emitters and rsyslog produce them:
 * a TIMESTAMP that is not a date (kept verbatim, `date: null`), leading zeros in PRI, MSG
 * where STRUCTURED-DATA belongs (kept as MSG), a raw `]` inside a quoted SD value, SD-IDs and
 * parameter names of any length, and repeated parameters (see {@link SdElement}).
 *
 * It never throws, whatever the input: failures come back as `{ ok: false, error }`.
 */
export function parseSyslog(input: string | Uint8Array, options: ParseOptions = {}): ParseResult {
  let line: string;
  let invalidUtf8 = false;
  if (typeof input === 'string') {
    line = input;
  } else if (input instanceof Uint8Array) {
    const decoded = decode(input);
    line = decoded.text;
    invalidUtf8 = decoded.invalid;
    if (invalidUtf8 && options.invalidUtf8 === 'reject') return { ok: false, error: failure('invalid_utf8') };
  } else {
    return { ok: false, error: failure('empty') };
  }
  if (options.trimLineEnding) line = trimEnd(line);

  const n = line.length;
  if (n === 0) return { ok: false, error: failure('empty'), line };
  if (line.charCodeAt(0) !== 60 /* < */) return { ok: false, error: failure('missing_pri', 0), line };
  let i = 1;
  let pri = 0;
  while (i < n && i <= 4) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    pri = pri * 10 + c;
    i++;
  }
  if (i === 1 || i > 4 || i >= n || line.charCodeAt(i) !== 62 /* > */ || pri > MAX_PRI) {
    return { ok: false, error: failure('bad_pri', i), line };
  }
  i++;
  const versionStart = i;
  let version = 0;
  while (i < n && i - versionStart < 3) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    version = version * 10 + c;
    i++;
  }
  if (i === versionStart || i >= n || line.charCodeAt(i) !== 32) {
    return { ok: false, error: failure('bad_version', i), line };
  }
  if (version !== SYSLOG_VERSION) return { ok: false, error: failure('unsupported_version', versionStart), line };

  const body = parseHeaderBody(line, i + 1);
  if ('code' in body) return { ok: false, error: body, line };
  const message: SyslogMessage = {
    pri,
    facility: (pri >> 3) as Facility,
    severity: (pri & 7) as Severity,
    version,
    timestamp: body.timestamp,
    date: body.timestamp === null ? null : parseTimestamp(body.timestamp),
    hostname: body.hostname,
    appName: body.appName,
    procId: body.procId,
    msgId: body.msgId,
    structuredData: body.structuredData,
    msg: body.msg,
    bom: body.bom,
    invalidUtf8,
  };
  return { ok: true, message, line };
}
