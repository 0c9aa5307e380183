// Port of upstream's collector-side session aggregation: remember each attacker's shell
// commands for a while, and when sessrec reports `session_recorded`, publish the commands that
// fell inside the session as `attacker.session.ended` (the profiler's behaviour input).
import type { SessionCommand, SessionEndedPayload } from '@decnet/core';
import type { EventRecord } from '@decnet/syslog';
import { UNKNOWN_ATTACKER_IP } from '@decnet/syslog';

/** Commands remembered per attacker address; beyond this the oldest go. */
export const MAX_COMMANDS_PER_IP = 2_000;
/** Attacker addresses tracked at once; beyond this the least recently active go. */
export const MAX_TRACKED_IPS = 10_000;
/** Expired commands are swept at most this often. */
const SWEEP_INTERVAL_MS = 10_000;

// The payload's shape is the event catalogue's (@decnet/core); re-exported for this package's users.
export type { SessionCommand, SessionEndedPayload };

interface StoredCommand {
  readonly at: number;
  readonly iso: string;
  readonly text: string;
  readonly decky: string;
  readonly service: string;
  readonly uid?: string;
  readonly user?: string;
  readonly src?: string;
  readonly pwd?: string;
}

function instant(record: EventRecord): { at: number; iso: string } | undefined {
  if (record.time === null) return undefined;
  const at = Date.parse(record.time);
  return Number.isNaN(at) ? undefined : { at, iso: new Date(at).toISOString() };
}

/**
 * Indexes `command` events per attacker address and turns each `session_recorded` into a
 * session payload. Records with an `Unknown` address or a timestamp that is not a date are
 * ignored, as upstream. Commands older than `ttlMs` (by event time, against `now()`) are evicted.
 */
export class SessionAggregator {
  private readonly byIp = new Map<string, StoredCommand[]>();
  private lastSweep = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Addresses with remembered commands. */
  get trackedIps(): number {
    return this.byIp.size;
  }

  /**
   * Feeds one accepted record. Returns the session payload when the record is a
   * `session_recorded`, otherwise `undefined`.
   */
  observe(record: EventRecord): SessionEndedPayload | undefined {
    if (record.event_type !== 'command' && record.event_type !== 'session_recorded') return undefined;
    this.sweep();
    if (record.attacker_ip === UNKNOWN_ATTACKER_IP) return undefined;
    const when = instant(record);
    if (!when) return undefined;
    if (record.event_type === 'command') {
      this.remember(record, when);
      return undefined;
    }
    if (record.event_type === 'session_recorded') return this.close(record, when);
    return undefined;
  }

  private remember(record: EventRecord, when: { at: number; iso: string }): void {
    if (when.at < this.now() - this.ttlMs) return;
    const c = record.command;
    const text = c?.command ?? record.fields.command ?? record.fields.cmd ?? record.msg;
    const stored: StoredCommand = {
      at: when.at,
      iso: when.iso,
      text,
      decky: record.decky,
      service: record.service,
      ...(c?.uid === undefined ? {} : { uid: c.uid }),
      ...(c?.user === undefined ? {} : { user: c.user }),
      ...(c?.src === undefined ? {} : { src: c.src }),
      ...(c?.pwd === undefined ? {} : { pwd: c.pwd }),
    };
    const ip = record.attacker_ip;
    let list = this.byIp.get(ip);
    if (list) {
      this.byIp.delete(ip);
    } else {
      list = [];
      if (this.byIp.size >= MAX_TRACKED_IPS) {
        const oldest = this.byIp.keys().next().value;
        if (oldest !== undefined) this.byIp.delete(oldest);
      }
    }
    // Re-inserting keeps the map ordered by last activity.
    this.byIp.set(ip, list);
    list.push(stored);
    if (list.length > MAX_COMMANDS_PER_IP) list.splice(0, list.length - MAX_COMMANDS_PER_IP);
  }

  private close(record: EventRecord, ended: { at: number; iso: string }): SessionEndedPayload {
    const ip = record.attacker_ip;
    const durationS = Number.parseFloat(record.fields.duration_s ?? '');
    const duration = Number.isFinite(durationS) && durationS > 0 ? durationS : 0;
    const start = ended.at - duration * 1000;
    const sid = record.fields.sid;
    const sessionId = sid && sid.length > 0 ? sid : `${ip}-${ended.iso}`;
    const list = this.byIp.get(ip) ?? [];
    const commands: SessionCommand[] = [];
    list.forEach((c, index) => {
      if (c.at < start || c.at > ended.at) return;
      commands.push({
        // Upstream numbers by position in the per-address list, not in the selected window.
        id: sid ? `${sid}#${index}` : `${ip}-${c.iso}`,
        command_text: c.text,
        ts: c.iso,
        decky: c.decky,
        service: c.service,
        ...(c.uid === undefined ? {} : { uid: c.uid }),
        ...(c.user === undefined ? {} : { user: c.user }),
        ...(c.src === undefined ? {} : { src: c.src }),
        ...(c.pwd === undefined ? {} : { pwd: c.pwd }),
      });
    });
    return {
      session_id: sessionId,
      attacker_uuid: null,
      attacker_ip: ip,
      decky_id: record.decky,
      service: record.fields.service ?? record.service,
      ended_at: ended.iso,
      duration_s: duration,
      commands,
      // The asciinema shard lives on the decky's host; the collector cannot resolve it.
      shard_path: null,
    };
  }

  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    const horizon = now - this.ttlMs;
    for (const [ip, list] of this.byIp) {
      let drop = 0;
      while (drop < list.length && (list[drop] as StoredCommand).at < horizon) drop++;
      if (drop === list.length) this.byIp.delete(ip);
      else if (drop > 0) list.splice(0, drop);
    }
  }
}
