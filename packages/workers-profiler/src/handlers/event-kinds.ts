// What one stored `logs` row means to the profiler: whether it is attacker activity at all,
// and the facts it contributes (command text, recon/exfil phase, large payload, header tools,
// SMTP recipient domains). Pure: no database, no clock.
import { isIpAddress, parseCommandLine, UNKNOWN_ATTACKER_IP } from '@decnet/syslog';
import { headerToolsOf } from './tools.js';
import { smtpDomainsOf } from './smtp.js';

/** Event types whose text is a command the attacker ran (upstream's list). */
export const COMMAND_EVENT_TYPES: ReadonlySet<string> = new Set([
  'command',
  'exec',
  'query',
  'input',
  'shell_input',
  'execute',
  'run',
  'sql_query',
  'redis_command',
]);

/** Fields holding a command's text, first present wins (upstream's order). */
export const COMMAND_TEXT_FIELDS = ['command', 'query', 'input', 'line', 'sql', 'cmd'] as const;

/** Event types that end reconnaissance: the last one marks `recon_end`. */
export const RECON_EVENT_TYPES: ReadonlySet<string> = new Set([
  'scan',
  'connection',
  'banner',
  'probe',
  'login_attempt',
  'auth',
  'auth_failure',
]);

/** Event types that start action on objectives: the first one marks `exfil_start`. */
export const EXFIL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'download',
  'upload',
  'file_transfer',
  'data_exfil',
  'command',
  'exec',
  'query',
  'shell_input',
]);

/** Size fields checked for a large payload, in upstream's order. */
export const PAYLOAD_SIZE_FIELDS = ['bytes', 'size', 'content_length'] as const;

/** A payload of at least this many bytes counts as large (upstream: 1 MiB). */
export const LARGE_PAYLOAD_BYTES = 1024 * 1024;

/** Hostnames of decnet's own infrastructure (the prober is `decnet-prober`): never attacker activity. */
export const INTERNAL_HOST_PREFIX = 'decnet-';

/** Longest command text kept; longer text is cut (the raw line stays in `logs`). */
export const MAX_COMMAND_CHARS = 512;

/** A `logs` row as the profiler reads it. */
export interface LogRow {
  readonly id: number;
  /** Event time in epoch milliseconds. */
  readonly ms: number;
  readonly decky: string;
  readonly service: string;
  readonly eventType: string;
  readonly attackerIp: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly msg: string | null;
}

/** One attacker event, reduced to what the profile needs. */
export interface ProfileEvent {
  readonly id: number;
  readonly ms: number;
  readonly ip: string;
  readonly decky: string;
  readonly service: string;
  readonly eventType: string;
  /** Command text, for command-like events that carry one. */
  readonly command: string | null;
  readonly recon: boolean;
  readonly exfil: boolean;
  readonly largePayload: boolean;
  /** Tools named by a `request` event's User-Agent / X-Mailer. */
  readonly headerTools: readonly string[];
  /** Recipient domains of SMTP relay attempts. */
  readonly smtpDomains: readonly string[];
}

/** Why a row is not attacker activity. */
export type SkipReason = 'no_attacker_ip' | 'internal_host' | 'mutation' | 'nil_header';

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The command text of an event, or null (upstream's fields, then a bash `CMD` line in MSG). */
export function commandTextOf(row: Pick<LogRow, 'eventType' | 'fields' | 'msg'>): string | null {
  if (!COMMAND_EVENT_TYPES.has(row.eventType)) return null;
  let found: string | undefined;
  for (const key of COMMAND_TEXT_FIELDS) {
    const value = text(row.fields[key]);
    if (value !== undefined && value !== '') {
      found = value;
      break;
    }
  }
  // The ingester stores a bash PROMPT_COMMAND line as MSG; upstream's correlation parser folded it in.
  if (found === undefined && row.msg) found = parseCommandLine(row.msg)?.command;
  if (found === undefined || found === '') return null;
  return found.length > MAX_COMMAND_CHARS ? found.slice(0, MAX_COMMAND_CHARS) : found;
}

function isLargePayload(fields: Readonly<Record<string, unknown>>): boolean {
  for (const key of PAYLOAD_SIZE_FIELDS) {
    const raw = text(fields[key]);
    if (raw === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(raw)) continue;
    if (Number(raw) >= LARGE_PAYLOAD_BYTES) return true;
  }
  return false;
}

/**
 * Classifies one row. Rows without a usable attacker address (`Unknown`, or text that is not an
 * IP), rows from decnet's own hosts (`decnet-*`: the prober probing an attacker is not the
 * attacker acting), the mutator's `decky_mutated` markers and rows with a NIL host or app are
 * skipped, with the reason.
 */
export function toProfileEvent(row: LogRow): ProfileEvent | SkipReason {
  if (row.attackerIp === UNKNOWN_ATTACKER_IP || !isIpAddress(row.attackerIp)) return 'no_attacker_ip';
  if (row.decky === '-' || row.service === '-' || row.decky === '' || row.service === '') return 'nil_header';
  if (row.service === 'mutator' && row.eventType === 'decky_mutated') return 'mutation';
  if (row.decky.startsWith(INTERNAL_HOST_PREFIX)) return 'internal_host';
  return {
    id: row.id,
    ms: row.ms,
    ip: row.attackerIp,
    decky: row.decky,
    service: row.service,
    eventType: row.eventType,
    command: commandTextOf(row),
    recon: RECON_EVENT_TYPES.has(row.eventType),
    exfil: EXFIL_EVENT_TYPES.has(row.eventType),
    largePayload: isLargePayload(row.fields),
    headerTools: row.eventType === 'request' ? headerToolsOf(row.fields) : [],
    smtpDomains: smtpDomainsOf(row.eventType, row.fields),
  };
}
