// The pure heart of the collector: one line in, one decision out — publish (with its stable id,
// subject, key and payload), filtered, or malformed — plus counters. No sockets, files or bus.
import { decodeEventRecord, parseEventRecord, trimLineEnding, type EventRecord } from '@decnet/syslog';
import { EVENTS, derivedEventId, stableEventId, type LogEventPayload, type SessionEndedPayload } from '@decnet/core';
import { ConnectRateLimiter, NoiseFilter } from './filter.js';
import type { CompiledCollectorOptions } from './options.js';
import { SessionAggregator } from './session-aggregator.js';

/** How a line reached the collector. */
export type LineTransport = 'udp' | 'tcp' | 'file';

/** One event to publish. */
export interface PublishItem {
  readonly subject: string;
  readonly payload: Record<string, unknown>;
  /** Envelope id (stable). */
  readonly id: string;
  /** Ordering key: the attacker address. */
  readonly key: string;
  /** Envelope `type`: the event type, as upstream's envelopes carried it. */
  readonly type: string;
}

/** What became of one line. */
export type LineOutcome =
  | { readonly type: 'publish'; readonly items: readonly PublishItem[]; readonly record: EventRecord }
  | { readonly type: 'filtered'; readonly reason: 'noise' | 'rate_limited' }
  | { readonly type: 'malformed'; readonly code: string }
  | { readonly type: 'empty' };

/** Counters the processor keeps (reported in health). */
export interface LineCounters {
  lines: number;
  accepted: number;
  filteredNoise: number;
  rateLimited: number;
  malformed: number;
  invalidUtf8: number;
  sessions: number;
  malformedByCode: Record<string, number>;
}

/** Clocks the processor reads; injected so tests control time. */
export interface ProcessorClocks {
  /** Monotonic milliseconds (rate limiter). */
  readonly monotonic: () => number;
  /** Wall-clock milliseconds (received_at, session TTL). */
  readonly wall: () => number;
}

const DEFAULT_CLOCKS: ProcessorClocks = {
  monotonic: () => performance.now(),
  wall: () => Date.now(),
};

/**
 * Parses, filters and shapes lines. One instance per collector: the rate limiter and the
 * session aggregator are shared by every source, as upstream's were.
 */
export class LineProcessor {
  readonly counters: LineCounters = {
    lines: 0,
    accepted: 0,
    filteredNoise: 0,
    rateLimited: 0,
    malformed: 0,
    invalidUtf8: 0,
    sessions: 0,
    malformedByCode: {},
  };
  private readonly noise: NoiseFilter;
  private readonly limiter: ConnectRateLimiter;
  private readonly sessions: SessionAggregator | undefined;
  private readonly systemLog: boolean;
  private readonly clocks: ProcessorClocks;

  constructor(
    options: Pick<CompiledCollectorOptions, 'dropApps' | 'rlWindowSec' | 'rlEventTypes' | 'sessionAggTtlSec' | 'systemLog'>,
    clocks: ProcessorClocks = DEFAULT_CLOCKS,
  ) {
    this.clocks = clocks;
    this.noise = new NoiseFilter(options.dropApps);
    this.limiter = new ConnectRateLimiter(options.rlWindowSec, options.rlEventTypes, clocks.monotonic);
    this.sessions =
      options.sessionAggTtlSec > 0 ? new SessionAggregator(options.sessionAggTtlSec * 1000, clocks.wall) : undefined;
    this.systemLog = options.systemLog;
  }

  private lastWall = Number.NaN;
  private lastIso = '';

  /** The wall clock as ISO 8601, formatted once per millisecond (a hot path under load). */
  private receivedAt(): string {
    const now = this.clocks.wall();
    if (now !== this.lastWall) {
      this.lastWall = now;
      this.lastIso = new Date(now).toISOString();
    }
    return this.lastIso;
  }

  /**
   * Decides what to do with one line. Never throws, whatever the bytes.
   * @param bytes the line without its frame delimiter
   * @param transport how it arrived
   * @param source the stream identity used in the event id (see {@link eventId})
   * @param position the line's position in that stream
   */
  process(bytes: Uint8Array, transport: LineTransport, source: string, position: string | number): LineOutcome {
    const line = trimLineEnding(bytes);
    if (line.length === 0) return { type: 'empty' };
    this.counters.lines++;
    const parsed = parseEventRecord(line);
    if (!parsed.ok) {
      this.counters.malformed++;
      const code = parsed.error.code;
      this.counters.malformedByCode[code] = (this.counters.malformedByCode[code] ?? 0) + 1;
      return { type: 'malformed', code };
    }
    // Params and MSG are stored as the emitter's original text (@decnet/syslog's escaping rule undone).
    const { message } = parsed;
    const record = decodeEventRecord(parsed.record);
    if (message.invalidUtf8) this.counters.invalidUtf8++;
    if (this.noise.isNoise(record)) {
      this.counters.filteredNoise++;
      return { type: 'filtered', reason: 'noise' };
    }
    if (!this.limiter.allow(record)) {
      this.counters.rateLimited++;
      return { type: 'filtered', reason: 'rate_limited' };
    }
    this.counters.accepted++;
    const id = stableEventId(source, position, line);
    const payload: LogEventPayload = {
      ...record,
      source: transport,
      source_worker: null,
      received_at: this.receivedAt(),
      invalid_utf8: message.invalidUtf8,
    };
    const items: PublishItem[] = [
      { subject: EVENTS.logEvent.subject(record.service), payload, id, key: record.attacker_ip, type: record.event_type },
    ];
    if (this.systemLog) {
      items.push({
        subject: EVENTS.systemLog.subject,
        payload: {
          decky: record.decky,
          service: record.service,
          event_type: record.event_type,
          attacker_ip: record.attacker_ip,
          timestamp: record.timestamp,
        },
        id: derivedEventId(id, EVENTS.systemLog.subject),
        key: record.attacker_ip,
        type: record.event_type,
      });
    }
    const session: SessionEndedPayload | undefined = this.sessions?.observe(record);
    if (session) {
      this.counters.sessions++;
      items.push({
        subject: EVENTS.attackerSessionEnded.subject,
        payload: session,
        id: derivedEventId(id, EVENTS.attackerSessionEnded.subject),
        key: record.attacker_ip,
        type: 'session.ended',
      });
    }
    return { type: 'publish', items, record };
  }
}
