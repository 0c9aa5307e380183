/**
 * RFC 5424 syslog for decnet: the one parser and formatter every package uses, RFC 5425 /
 * RFC 6587 stream framing, and the DECNET event record (attacker address, double-wrap unwrap,
 * bash `CMD` lines), and line trimming. The `log.event.<service>` subject and payload built from a
 * record are in @decnet/core's event catalogue. Pure: no sockets, timers or files, and nothing here
 * throws on input bytes.
 *
 * ```ts
 * import { createSyslogStreamDecoder, parseEventRecord } from '@decnet/syslog';
 * const decoder = createSyslogStreamDecoder({ maxFrameBytes: 65536 });
 * for (const event of decoder.push(chunk)) {
 *   if (event.type === 'error') { if (event.fatal) socket.destroy(); continue; }
 *   const parsed = parseEventRecord(event.bytes);
 *   if (parsed.ok) publish(parsed.record); else count(parsed.error.code);
 * }
 * ```
 * @module
 */

// message.ts
export type {
  Facility,
  ParseResult,
  SdElement,
  Severity,
  SeverityName,
  SyslogMessage,
  SyslogParseErrorCode,
  SyslogParseFailure,
} from './message.js';
export { FACILITY, FIELD_LIMITS, MAX_PRI, SEVERITY_NAMES, SYSLOG_VERSION } from './message.js';
// parse.ts
export type { InvalidUtf8Policy, ParseOptions } from './parse.js';
export { MAX_TIMESTAMP_CHARS, parseSyslog } from './parse.js';
// format.ts
export type { EventFieldValue, EventLineInput, SyslogInput } from './format.js';
export {
  DECNET_FACILITY,
  DECNET_SD_ID,
  escapeParamValue,
  formatEventLine,
  formatStructuredData,
  formatSyslog,
} from './format.js';
// escape.ts
export type { DecodableRecord } from './escape.js';
export { decodeEventFields, decodeEventRecord, decodeEventText, escapeEventText } from './escape.js';
// timestamp.ts
export { formatCompactUtc, formatIsoUtc, parseTimestamp } from './timestamp.js';
// framing.ts
export type { FrameDecoder, FrameDecoderOptions, FrameErrorCode, FrameEvent, Framing } from './framing.js';
export {
  DEFAULT_MAX_FRAME_BYTES,
  MAX_LENGTH_DIGITS,
  createNewlineDecoder,
  createOctetCountingDecoder,
  createSyslogStreamDecoder,
  encodeOctetCounted,
} from './framing.js';
// attacker-ip.ts
export type { AttackerIp, AttackerIpSource } from './attacker-ip.js';
export {
  ATTACKER_IP_KEYS,
  UNKNOWN_ATTACKER_IP,
  extractAttackerIp,
  isIPv4,
  isIPv6,
  isIpAddress,
  normalizeIp,
  splitHostPort,
} from './attacker-ip.js';
// event-record.ts
export type { CommandInfo, EventKind, EventRecord, EventRecordResult } from './event-record.js';
export { parseCommandLine, parseEventRecord, toEventRecord } from './event-record.js';
// log-event.ts
export { trimLineEnding } from './log-event.js';
