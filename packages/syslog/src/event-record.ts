// The DECNET event record derived from a parsed line: upstream's collector record (the keys of
// the `logs` table and of `system.log`) plus what its correlation parser added, from ONE parser.
import { UNKNOWN_ATTACKER_IP, extractAttackerIp } from './attacker-ip.js';
import { DECNET_SD_ID } from './format.js';
import type { ParseOptions } from './parse.js';
import { parseHeaderBody, parseSyslog } from './parse.js';
import type { Severity, SyslogMessage, SyslogParseFailure } from './message.js';
import { formatCompactUtc, formatIsoUtc, utcFormsOfZeroOffset } from './timestamp.js';

/** The `uid= user= src= pwd= cmd=` parts of a bash `PROMPT_COMMAND` line (`CMD ...`). */
export interface CommandInfo {
  uid?: string;
  user?: string;
  src?: string;
  pwd?: string;
  /** Everything after `cmd=`, spaces kept; when there is no `cmd=`, what follows the known keys. */
  command: string;
}

/** What kind of actor a record describes. */
export type EventKind = 'attacker' | 'mutation';

/**
 * One DECNET event. Keys are snake_case because this is the wire/storage shape upstream's
 * `.json` records, `system.log` payloads and `logs` columns use.
 */
export interface EventRecord {
  /**
   * `YYYY-MM-DD HH:MM:SS` in UTC when TIMESTAMP is a date (converted from its offset; upstream
   * dropped the offset); otherwise the token verbatim (`not-a-date`), or `-` for NILVALUE.
   */
  timestamp: string;
  /** The full-precision instant as ISO 8601 UTC (milliseconds), or `null` when TIMESTAMP is not a date. */
  time: string | null;
  /** HOSTNAME (the inner one for a double-wrapped line); `-` for NILVALUE. */
  decky: string;
  /** APP-NAME; `-` for NILVALUE. */
  service: string;
  /** MSGID; `command` for a bash `CMD` line with a NIL MSGID; `-` otherwise when NIL. */
  event_type: string;
  /** See {@link extractAttackerIp}; {@link UNKNOWN_ATTACKER_IP} when none. */
  attacker_ip: string;
  /** Params of the first `relay@55555` element (others are ignored), plus `remote_port` when split from the address. */
  fields: Record<string, string>;
  /** MSG, left-trimmed; `''` when absent. */
  msg: string;
  /** The line exactly as received (decoded). */
  raw_line: string;
  severity: Severity;
  /** `mutation` for the mutator's `decky_mutated`, else `attacker`. */
  kind: EventKind;
  /** The parsed bash line when MSG starts with `CMD ` and MSGID is NIL or `command`; else `null`. */
  command: CommandInfo | null;
}

/** Keys a bash `CMD` line carries before `cmd=`. */
const COMMAND_KEYS = ['uid', 'user', 'src', 'pwd'] as const;

/**
 * Parses a bash `PROMPT_COMMAND` line: `CMD uid=0 user=root src=1.2.3.4 pwd=/root cmd=ls -la`.
 * @returns `null` when `msg` does not start with `CMD `.
 */
export function parseCommandLine(msg: string): CommandInfo | null {
  const text = msg.trimStart();
  if (!text.startsWith('CMD ')) return null;
  const info: CommandInfo = { command: '' };
  let i = 4;
  while (i < text.length) {
    while (text.charCodeAt(i) === 32) i++;
    if (text.startsWith('cmd=', i)) {
      info.command = text.slice(i + 4);
      return info;
    }
    const eq = text.indexOf('=', i);
    const key = eq === -1 ? '' : text.slice(i, eq);
    if (!(COMMAND_KEYS as readonly string[]).includes(key)) break;
    let end = text.indexOf(' ', eq);
    if (end === -1) end = text.length;
    const value = text.slice(eq + 1, end);
    if (info[key as (typeof COMMAND_KEYS)[number]] === undefined) info[key as (typeof COMMAND_KEYS)[number]] = value;
    i = end;
  }
  info.command = text.slice(i);
  return info;
}

function startsWithIsoDate(s: string): boolean {
  if (s.length < 11 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return false;
  for (const k of [0, 1, 2, 3, 5, 6, 8, 9]) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Builds the event record from a parsed message. Rules, in order:
 * 1. Double wrap: when MSGID is NIL, there is no SD element and MSG (left-trimmed) starts with
 *    an ISO date and parses as a complete header without PRI, the inner HOSTNAME, APP-NAME,
 *    MSGID, SD and MSG replace the outer ones. The timestamp stays the outer one.
 * 2. `fields` are the params of the first `relay@55555` element; other elements are ignored.
 * 3. The attacker address per {@link extractAttackerIp}; a port split from an SD value is
 *    copied to `fields.remote_port` unless already present.
 * 4. A NIL MSGID with a MSG starting `CMD ` becomes `command`; `fields` stays as is and the
 *    parsed line goes to `command`.
 */
export function toEventRecord(message: SyslogMessage, rawLine: string): EventRecord {
  let hostname = message.hostname;
  let appName = message.appName;
  let msgId = message.msgId;
  let structuredData = message.structuredData;
  let msg = message.msg ?? '';

  if (msgId === null && structuredData.length === 0) {
    const inner = msg.trimStart();
    if (startsWithIsoDate(inner)) {
      const body = parseHeaderBody(inner, 0);
      if (!('code' in body)) {
        hostname = body.hostname;
        appName = body.appName;
        msgId = body.msgId;
        structuredData = body.structuredData;
        msg = body.msg ?? '';
      }
    }
  }
  msg = msg.trimStart();

  let fields: Record<string, string> = {};
  for (const element of structuredData) {
    if (element.id === DECNET_SD_ID) {
      fields = { ...element.params };
      break;
    }
  }
  const found = extractAttackerIp(fields, msg);
  if (
    found?.source === 'sd' &&
    found.port !== undefined &&
    !Object.prototype.hasOwnProperty.call(fields, 'remote_port')
  ) {
    fields.remote_port = found.port;
  }

  const isCmd = msg.startsWith('CMD ');
  const eventType = msgId ?? (isCmd ? 'command' : '-');
  const command = isCmd && (msgId === null || msgId === 'command') ? parseCommandLine(msg) : null;
  const service = appName ?? '-';
  const date = message.date && !Number.isNaN(message.date.getTime()) ? message.date : null;
  let timestamp = message.timestamp ?? '-';
  let time: string | null = null;
  if (date) {
    const cut = message.timestamp === null ? null : utcFormsOfZeroOffset(message.timestamp);
    timestamp = cut ? cut.compact : formatCompactUtc(date);
    time = cut ? cut.iso : formatIsoUtc(date);
  }
  return {
    timestamp,
    time,
    decky: hostname ?? '-',
    service,
    event_type: eventType,
    attacker_ip: found ? found.ip : UNKNOWN_ATTACKER_IP,
    fields,
    msg,
    raw_line: rawLine,
    severity: message.severity,
    kind: service === 'mutator' && eventType === 'decky_mutated' ? 'mutation' : 'attacker',
    command,
  };
}

/** The outcome of {@link parseEventRecord}. */
export type EventRecordResult =
  { ok: true; record: EventRecord; message: SyslogMessage } | { ok: false; error: SyslogParseFailure; line?: string };

/** {@link parseSyslog} then {@link toEventRecord}. Never throws. */
export function parseEventRecord(input: string | Uint8Array, options?: ParseOptions): EventRecordResult {
  const result = parseSyslog(input, options);
  if (!result.ok) return result;
  return { ok: true, record: toEventRecord(result.message, result.line), message: result.message };
}
