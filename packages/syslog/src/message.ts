// The RFC 5424 message model shared by the parser and the formatter, plus the numeric
// facility and severity tables and the typed failure a parse returns instead of throwing.

/** RFC 5424 severities, 0 (emergency) to 7 (debug). */
export type Severity = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** RFC 5424 facilities, 0 (kern) to 23 (local7). */
export type Facility =
  0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20 | 21 | 22 | 23;

/** Severity names, indexed by their RFC 5424 number. */
export const SEVERITY_NAMES = [
  'emergency',
  'alert',
  'critical',
  'error',
  'warning',
  'notice',
  'info',
  'debug',
] as const;

/** A severity by name (`'info'`, `'warning'`, ...). */
export type SeverityName = (typeof SEVERITY_NAMES)[number];

/** Facility numbers the pipeline meets: local0 for DECNET emitters, user/auth/authpriv for native lines. */
export const FACILITY = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  authpriv: 10,
  local0: 16,
  local7: 23,
} as const satisfies Record<string, Facility>;

/** The largest PRI value RFC 5424 allows (facility 23, severity 7). */
export const MAX_PRI = 191;

/** The only VERSION this package speaks. */
export const SYSLOG_VERSION = 1;

/**
 * Field length limits from RFC 5424 §6 (in characters; every header field is ASCII).
 * The formatter truncates to them; the parser rejects header fields that exceed them.
 */
export const FIELD_LIMITS = {
  hostname: 255,
  appName: 48,
  procId: 128,
  msgId: 32,
} as const;

/** One SD-ELEMENT: its SD-ID and its parameters in wire order. */
export interface SdElement {
  /** The SD-ID, e.g. `relay@55555` or `timeQuality`. */
  id: string;
  /**
   * Parameters by name, in the order they first appear, values unescaped. When a name is
   * repeated (RFC 5424 allows it), the FIRST value is kept here and the later ones go to
   * `repeated`, so nothing is lost and a later duplicate can never override an earlier value.
   */
  params: Record<string, string>;
  /** Values of repeated parameter names after their first occurrence; absent when there are none. */
  repeated?: Record<string, string[]>;
}

/** A parsed RFC 5424 message. NILVALUE (`-`) fields are `null`. */
export interface SyslogMessage {
  /** PRI value, `facility * 8 + severity`, 0..191. */
  pri: number;
  facility: Facility;
  severity: Severity;
  /** Always 1. */
  version: number;
  /**
   * The TIMESTAMP token exactly as received (full precision, original offset), or `null` for
   * NILVALUE. A token that is not an RFC 3339 date is kept here and `date` is `null`.
   */
  timestamp: string | null;
  /** `timestamp` as a Date (millisecond precision; no offset means UTC), or `null` when absent or not a date. */
  date: Date | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  /** SD-ELEMENTs in wire order; empty for NILVALUE (or when the sender put MSG where SD belongs). */
  structuredData: SdElement[];
  /** MSG without its leading space and BOM; `null` when the line ends after the SD. */
  msg: string | null;
  /** True when MSG started with a UTF-8 BOM (which is removed from `msg`). */
  bom: boolean;
  /**
   * True when the input bytes were not valid UTF-8 and invalid sequences were replaced with
   * U+FFFD (the default `invalidUtf8: 'replace'` policy). Callers count these.
   */
  invalidUtf8: boolean;
}

/** Stable codes for every way a line can fail to parse. */
export type SyslogParseErrorCode =
  /** The line is empty. */
  | 'empty'
  /** The line does not start with `<`. */
  | 'missing_pri'
  /** PRI is not 1-3 digits closed by `>`, or exceeds 191. */
  | 'bad_pri'
  /** VERSION is missing or not followed by a space (an RFC 3164 line fails here). */
  | 'bad_version'
  /** VERSION is a number other than 1. */
  | 'unsupported_version'
  /** A header field is empty, too long, contains a byte outside printable ASCII, or the line ends inside the header. */
  | 'bad_timestamp'
  | 'bad_hostname'
  | 'bad_app_name'
  | 'bad_proc_id'
  | 'bad_msg_id'
  /** STRUCTURED-DATA starts with `[` but is not well formed. */
  | 'bad_structured_data'
  /** The input bytes are not valid UTF-8 and the `reject` policy was chosen. */
  | 'invalid_utf8';

/** Why a line did not parse. A value, never thrown. */
export interface SyslogParseFailure {
  code: SyslogParseErrorCode;
  /** A constant, human-readable description (never contains input text). */
  message: string;
  /** UTF-16 index into the decoded line where the problem was found, when it has one. */
  offset?: number;
}

/** The outcome of {@link parseSyslog}. `line` is the decoded text (useful when bytes were passed). */
export type ParseResult =
  { ok: true; message: SyslogMessage; line: string } | { ok: false; error: SyslogParseFailure; line?: string };
