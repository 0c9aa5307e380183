// Reading back what a service emitted: RFC 5424 lines parsed and decoded with @decnet/syslog into
// simple event records, collected from a memory sink or a child's stdout, with waiting helpers.
import { DECNET_SD_ID, decodeEventFields, decodeEventText, parseSyslog } from '@decnet/syslog';

/** One emitted event, as a test checks it. */
export interface CapturedEvent {
  readonly decky: string | null;
  readonly service: string | null;
  readonly type: string | null;
  /** Params of the `relay@55555` element, decoded (the text the service passed; see escapeEventText). */
  readonly fields: Readonly<Record<string, string>>;
  /** MSG, decoded like the params. */
  readonly msg: string | null;
  readonly severity: number;
  readonly line: string;
}

/** Thrown by tests when a service wrote a line that is not valid RFC 5424. */
export class UnparsableLineError extends Error {
  constructor(
    readonly line: string,
    readonly code: string,
  ) {
    super(`service emitted a line that does not parse (${code}): ${line.slice(0, 200)}`);
  }
}

/** Parses one emitted line. @throws UnparsableLineError when it is not RFC 5424. */
export function parseEmittedLine(line: string): CapturedEvent {
  const r = parseSyslog(line);
  if (!r.ok) throw new UnparsableLineError(line, r.error.code);
  const m = r.message;
  const sd = m.structuredData.find((e) => e.id === DECNET_SD_ID);
  return {
    decky: m.hostname,
    service: m.appName,
    type: m.msgId,
    fields: sd ? decodeEventFields(sd.params) : {},
    msg: m.msg === null ? null : decodeEventText(m.msg),
    severity: m.severity,
    line,
  };
}

/** Collects events from text chunks (a child's stdout) or whole lines (a memory sink). */
export class EventCollector {
  readonly events: CapturedEvent[] = [];
  /** Lines that did not parse (a test asserts this stays empty). */
  readonly bad: string[] = [];
  private partial = '';
  private waiters: { pred: (e: CapturedEvent) => boolean; count: number; resolve: () => void }[] = [];

  /** Adds stdout text; complete lines are parsed. */
  pushText(text: string): void {
    const all = this.partial + text;
    const lines = all.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) if (l !== '') this.pushLine(l);
  }

  /** Adds one line. */
  pushLine(line: string): void {
    try {
      this.events.push(parseEmittedLine(line));
    } catch {
      this.bad.push(line);
    }
    for (const w of [...this.waiters]) {
      if (this.events.filter(w.pred).length >= w.count) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  /** Events of one type. */
  ofType(type: string): CapturedEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  /** Resolves with the matching events once at least `count` arrived; rejects after `timeoutMs`. */
  waitFor(pred: (e: CapturedEvent) => boolean, count = 1, timeoutMs = 10_000): Promise<CapturedEvent[]> {
    if (this.events.filter(pred).length >= count) return Promise.resolve(this.events.filter(pred));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for ${count} matching event(s); have: ${this.events.map((e) => e.type).join(',')}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(this.events.filter(pred));
      };
      this.waiters.push({ pred, count, resolve: done });
    });
  }

  /** {@link waitFor} on an event type. */
  waitForType(type: string, count = 1, timeoutMs = 10_000): Promise<CapturedEvent[]> {
    return this.waitFor((e) => e.type === type, count, timeoutMs);
  }
}

/** Decodes `secret_b64` of a credential event; `null` without an event or a secret. */
export function decodeSecret(event: CapturedEvent | undefined): string | null {
  const b64 = event?.fields['secret_b64'];
  return b64 === undefined ? null : Buffer.from(b64, 'base64').toString('utf8');
}
