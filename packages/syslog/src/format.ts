// The one RFC 5424 formatter, and DECNET's event-line shape built on it (local0, PROCID `-`,
// one `relay@55555` SD element). Total: it never throws and always emits a line the parser accepts.
import {
  FIELD_LIMITS,
  SEVERITY_NAMES,
  type Facility,
  type SdElement,
  type Severity,
  type SeverityName,
} from './message.js';
import { escapeEventText } from './escape.js';
import { MAX_TIMESTAMP_CHARS } from './parse.js';
import { formatIsoUtc } from './timestamp.js';

/** The SD-ID every DECNET emitter uses for its event parameters. */
export const DECNET_SD_ID = 'relay@55555';

/** DECNET emitters log on facility local0. */
export const DECNET_FACILITY: Facility = 16;

/** What {@link formatSyslog} needs; a parsed {@link SyslogMessage} is accepted as is. */
export interface SyslogInput {
  /** @default 16 (local0). Out-of-range numbers are clamped: an emitter must not lose an event over a level. */
  facility?: Facility;
  /** @default 6 (info). Out-of-range numbers are clamped. */
  severity?: Severity;
  /** A Date (written with millisecond precision in UTC), a token written verbatim, or `null` for NILVALUE. */
  timestamp: Date | string | null;
  hostname?: string | null;
  appName?: string | null;
  procId?: string | null;
  msgId?: string | null;
  structuredData?: readonly SdElement[];
  /** Appended after one space; omitted when `null` or absent. */
  msg?: string | null;
  /** Prefix MSG with a UTF-8 BOM (RFC 5424 marks UTF-8 MSG this way). @default false */
  bom?: boolean;
}

/**
 * Escapes an SD-PARAM value: `\`, `"` and `]` get a backslash (RFC 5424 §6.3.3). Other
 * characters, line breaks included, pass through unchanged.
 */
export function escapeParamValue(value: string): string {
  let out = '';
  let runStart = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 92 || c === 34 || c === 93) {
      out += `${value.slice(runStart, i)}\\`;
      runStart = i;
    }
  }
  return out === '' ? value : out + value.slice(runStart);
}

/** A header field: NILVALUE when empty, otherwise printable ASCII (others become `_`), truncated to `max`. */
function headerField(value: string | null | undefined, max: number): string {
  if (value === null || value === undefined || value === '') return '-';
  const text = typeof value === 'string' ? value : String(value);
  const n = Math.min(text.length, max);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126) return sanitize(text.slice(0, n), (code) => code >= 33 && code <= 126);
  }
  return n === text.length ? text : text.slice(0, n);
}

/** An SD-ID or PARAM-NAME: printable ASCII except `=`, `]`, `"` (others become `_`); never empty. */
function sdName(value: string): string {
  if (value === '') return '_';
  const ok = (c: number): boolean => c >= 33 && c <= 126 && c !== 61 && c !== 93 && c !== 34;
  for (let i = 0; i < value.length; i++) {
    if (!ok(value.charCodeAt(i))) return sanitize(value, ok);
  }
  return value;
}

function sanitize(text: string, ok: (c: number) => boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += ok(c) ? text[i] : '_';
  }
  return out;
}

function clampInt(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(0, Math.trunc(value)));
}

function timestampField(value: Date | string | null): string {
  if (value === null) return '-';
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) return '-';
    return formatIsoUtc(value);
  }
  return headerField(value, MAX_TIMESTAMP_CHARS);
}

/** Formats the STRUCTURED-DATA part: `-` for none, else the elements with their values escaped. */
export function formatStructuredData(elements: readonly SdElement[] | undefined): string {
  if (!elements || elements.length === 0) return '-';
  let out = '';
  for (const element of elements) {
    out += `[${sdName(element.id)}`;
    for (const name of Object.keys(element.params)) {
      const value = element.params[name];
      out += ` ${sdName(name)}="${escapeParamValue(typeof value === 'string' ? value : String(value))}"`;
    }
    if (element.repeated) {
      for (const name of Object.keys(element.repeated)) {
        const key = sdName(name);
        for (const value of element.repeated[name] ?? []) {
          out += ` ${key}="${escapeParamValue(typeof value === 'string' ? value : String(value))}"`;
        }
      }
    }
    out += ']';
  }
  return out;
}

/**
 * Formats one RFC 5424 line (no trailing newline). Header fields that are empty become NILVALUE;
 * characters outside printable ASCII become `_`; HOSTNAME, APP-NAME, PROCID and MSGID are
 * truncated to 255, 48, 128 and 32 characters. SD values are escaped; MSG is written as is.
 *
 * `parseSyslog(formatSyslog(m))` gives back `m` for any message whose fields are already valid,
 * with two inherent exceptions: a header field that is literally `-` reads back as `null`, and a
 * MSG that itself starts with U+FEFF reads back with `bom: true`.
 *
 * Values and MSG may contain line breaks (RFC 5424 allows them); such a line is safe over
 * octet-counted framing or UDP, not over newline framing.
 */
export function formatSyslog(input: SyslogInput): string {
  const facility = clampInt(input.facility, DECNET_FACILITY, 23);
  const severity = clampInt(input.severity, 6, 7);
  let line =
    `<${facility * 8 + severity}>1 ${timestampField(input.timestamp)} ` +
    `${headerField(input.hostname, FIELD_LIMITS.hostname)} ${headerField(input.appName, FIELD_LIMITS.appName)} ` +
    `${headerField(input.procId, FIELD_LIMITS.procId)} ${headerField(input.msgId, FIELD_LIMITS.msgId)} ` +
    formatStructuredData(input.structuredData);
  if (input.msg !== null && input.msg !== undefined) line += ` ${input.bom ? '\uFEFF' : ''}${input.msg}`;
  return line;
}

/** A DECNET event parameter value; numbers and booleans are written with `String()`, `null`/`undefined` are left out. */
export type EventFieldValue = string | number | boolean | bigint | null | undefined;

/** One DECNET event, as a service or host emitter describes it. */
export interface EventLineInput {
  /** When it happened. */
  timestamp: Date | string;
  /** HOSTNAME: the decky name (or `decnet-prober`, ...). */
  hostname: string;
  /** APP-NAME: the service (`ssh`, `http`, ...). */
  service: string;
  /** MSGID: the event type (`auth_attempt`, `request`, ...). */
  eventType: string;
  /** SD params of the `relay@55555` element, in order; none gives SD `-`. */
  fields?: Readonly<Record<string, EventFieldValue>>;
  /** Optional free text after the SD. */
  msg?: string;
  /** @default 'info' (PRI 134); 'warning' gives 132 and 'error' 131. */
  severity?: SeverityName | Severity;
}

/**
 * Formats a DECNET event line: local0, PROCID `-`, APP-NAME = service (at most 48 characters),
 * MSGID = event type (at most 32), and the fields as one `[relay@55555 k="v" ...]` element.
 * Every value and the MSG go through {@link escapeEventText} (then values through RFC 5424's
 * SD-PARAM escaping), so the line holds no line break, control or separator of any kind and
 * {@link decodeEventText} of a parsed value or MSG gives back exactly the text passed here.
 */
export function formatEventLine(event: EventLineInput): string {
  const params: Record<string, string> = {};
  let any = false;
  if (event.fields) {
    for (const key of Object.keys(event.fields)) {
      const value = event.fields[key];
      if (value === null || value === undefined) continue;
      const text = escapeEventText(typeof value === 'string' ? value : String(value));
      if (key === '__proto__') {
        Object.defineProperty(params, key, { value: text, enumerable: true, writable: true, configurable: true });
      } else {
        params[key] = text;
      }
      any = true;
    }
  }
  const severity = typeof event.severity === 'string' ? SEVERITY_NAMES.indexOf(event.severity) : (event.severity ?? 6);
  return formatSyslog({
    facility: DECNET_FACILITY,
    severity: (severity < 0 ? 6 : severity) as Severity,
    timestamp: event.timestamp,
    hostname: event.hostname,
    appName: event.service,
    procId: null,
    msgId: event.eventType,
    structuredData: any ? [{ id: DECNET_SD_ID, params }] : [],
    msg: event.msg === undefined ? null : escapeEventText(event.msg),
  });
}
