// The one place service events become RFC 5424 lines. A service emitter stamps the decky
// (HOSTNAME) and service (APP-NAME); a session emitter also binds sid/src/dst once, when the
// connection opens, so nothing a service later passes can pose as the source (CONVENTIONS.md C8).
import { randomBytes } from 'node:crypto';
import { formatEventLine, type EventFieldValue, type SeverityName } from '@decnet/syslog';
import { IDENTITY_PARAMS, type EventTypeOf, type ServiceSlug } from './events.js';
import type { EventSink } from './sink.js';

/** Event params as a service passes them; `null`/`undefined` values are left out. */
export type EventFields = Readonly<Record<string, EventFieldValue>>;

/** The event types service `S` may emit: its catalogue entry, or any string for an uncatalogued service. */
export type EventTypeFor<S extends string> = S extends ServiceSlug ? EventTypeOf<S> : string;

/** The addresses of one accepted connection. */
export interface ConnectionInfo {
  readonly srcIp: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
}

/** The identity a session emitter stamps on each of its events. */
export interface SessionIdentity extends ConnectionInfo {
  /** Session id: 16 hex characters, unique per connection. */
  readonly sid: string;
  /** The decky (NODE_NAME), written as HOSTNAME. */
  readonly decky: string;
  /** The service slug, written as APP-NAME. */
  readonly service: string;
}

/** Options of one emit call. */
export interface EmitOptions {
  /** @default 'info' */
  readonly severity?: SeverityName;
  /** Free text after the SD (startup banners). */
  readonly msg?: string;
}

/** Emits the events of one connection, identity bound at creation. */
export interface SessionEmitter<S extends string = string> {
  readonly identity: SessionIdentity;
  /** Epoch ms when the session opened. */
  readonly startedAt: number;
  /** True once {@link close} was called; later events carry `late="true"`. */
  readonly closed: boolean;
  /**
   * Emits one event. Identity keys in `fields` (`sid`, `src_ip`, `src_port`, `dst_ip`,
   * `dst_port`) are not allowed to override the bound identity: they are kept as `claimed_<key>`.
   * Never throws.
   */
  emit(type: EventTypeFor<S>, fields?: EventFields, options?: EmitOptions): void;
  /** Marks the session closed. Idempotent. */
  close(): void;
}

/** Counters of a service emitter. */
export interface EmitterStats {
  readonly events: number;
  readonly sessions: number;
  /** Events emitted on a session after it closed. */
  readonly late: number;
  /** Fields cut to keep a line under {@link MAX_LINE_BYTES}. */
  readonly truncatedFields: number;
}

/** Emits a service's events: service-level ones directly, connection ones through sessions. */
export interface ServiceEmitter<S extends string = string> {
  readonly decky: string;
  readonly service: S;
  /** A service-level event (`startup`, `shutdown`): no connection identity. Never throws. */
  emit(type: EventTypeFor<S>, fields?: EventFields, options?: EmitOptions): void;
  /** Opens a session for one connection and binds its identity. */
  openSession(connection: ConnectionInfo): SessionEmitter<S>;
  stats(): EmitterStats;
}

/** Options of {@link createServiceEmitter}. */
export interface ServiceEmitterOptions<S extends string> {
  /** The decky name (NODE_NAME). */
  readonly decky: string;
  /** The service slug (APP-NAME). */
  readonly service: S;
  readonly sink: EventSink;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default 16 random hex characters */
  readonly newSessionId?: () => string;
}

/** Longest value of one param, in characters, before it is cut (bodies and transcripts cap themselves lower). */
export const MAX_FIELD_CHARS = 32 * 1024;
/** Longest line emitted, in bytes: under the 64 KiB frame cap collectors apply (DEFAULT_MAX_FRAME_BYTES). */
export const MAX_LINE_BYTES = 60 * 1024;
/** Marker appended to a value that was cut. */
export const TRUNCATION_MARK = '...[truncated]';

const IDENTITY_SET: ReadonlySet<string> = new Set(IDENTITY_PARAMS);

/** A param value as text, cut to {@link MAX_FIELD_CHARS}; escaping is formatEventLine's (@decnet/syslog's one rule). */
function wireValue(value: EventFieldValue): string | null {
  if (value === null || value === undefined) return null;
  let text = typeof value === 'string' ? value : String(value);
  if (text.length > MAX_FIELD_CHARS) text = text.slice(0, MAX_FIELD_CHARS - TRUNCATION_MARK.length) + TRUNCATION_MARK;
  return text;
}

function newSid(): string {
  return randomBytes(8).toString('hex');
}

/**
 * Creates the emitter of one service. Every line is `formatEventLine` output (local0, PROCID
 * `-`, one `relay@55555` element) with HOSTNAME = decky and APP-NAME = service.
 *
 * ```ts
 * const events = createServiceEmitter({ decky: 'decky-01', service: 'ftp', sink });
 * const session = events.openSession({ srcIp, srcPort, dstIp, dstPort });
 * session.emit('user', { username });
 * ```
 */
export function createServiceEmitter<S extends string>(options: ServiceEmitterOptions<S>): ServiceEmitter<S> {
  const now = options.now ?? (() => new Date());
  const makeSid = options.newSessionId ?? newSid;
  let events = 0;
  let sessions = 0;
  let late = 0;
  let truncatedFields = 0;

  const write = (type: string, identity: Record<string, string> | null, fields: EventFields | undefined, lateFlag: boolean, opts: EmitOptions | undefined): void => {
    try {
      const params: Record<string, string> = identity ? { ...identity } : {};
      if (fields) {
        for (const key of Object.keys(fields)) {
          const value = wireValue(fields[key]);
          if (value === null) continue;
          const target = IDENTITY_SET.has(key) && identity ? `claimed_${key}` : key;
          if (Object.prototype.hasOwnProperty.call(params, target)) continue;
          params[target] = value;
        }
      }
      if (lateFlag) params['late'] = 'true';
      const input = {
        timestamp: now(),
        hostname: options.decky,
        service: options.service,
        eventType: type,
        fields: params,
        severity: opts?.severity ?? 'info',
        ...(opts?.msg !== undefined ? { msg: opts.msg } : {}),
      };
      let line = formatEventLine(input);
      // Shrink the largest params until the line fits a collector frame; say which were cut.
      const cut: string[] = [];
      while (Buffer.byteLength(line) > MAX_LINE_BYTES) {
        let largest = '';
        for (const key of Object.keys(params)) {
          if (IDENTITY_SET.has(key)) continue;
          if (largest === '' || (params[key]?.length ?? 0) > (params[largest]?.length ?? 0)) largest = key;
        }
        const value = params[largest] ?? '';
        if (largest === '' || value.length <= TRUNCATION_MARK.length + 16) break;
        params[largest] = value.slice(0, Math.floor(value.length / 2)) + TRUNCATION_MARK;
        if (!cut.includes(largest)) cut.push(largest);
        params['truncated_fields'] = cut.join(',');
        line = formatEventLine(input);
      }
      truncatedFields += cut.length;
      events++;
      if (lateFlag) late++;
      options.sink.write(line);
    } catch {
      // formatEventLine is total and sinks never throw; this guards the contract that emit never does.
    }
  };

  return {
    decky: options.decky,
    service: options.service,
    emit(type, fields, opts) {
      write(type, null, fields, false, opts);
    },
    openSession(connection) {
      sessions++;
      const identity: SessionIdentity = Object.freeze({
        sid: makeSid(),
        decky: options.decky,
        service: options.service,
        srcIp: connection.srcIp,
        srcPort: connection.srcPort,
        dstIp: connection.dstIp,
        dstPort: connection.dstPort,
      });
      const bound: Record<string, string> = Object.freeze({
        sid: identity.sid,
        src_ip: identity.srcIp,
        src_port: String(identity.srcPort),
        dst_ip: identity.dstIp,
        dst_port: String(identity.dstPort),
      }) as Record<string, string>;
      let closed = false;
      return {
        identity,
        startedAt: now().getTime(),
        get closed() {
          return closed;
        },
        emit(type, fields, opts) {
          write(type, bound, fields, closed, opts);
        },
        close() {
          closed = true;
        },
      };
    },
    stats: () => ({ events, sessions, late, truncatedFields }),
  };
}
