// The shape of a pure protocol state machine (CONVENTIONS.md C6): bytes in, replies + events +
// close out, no sockets or timers, so it can be fuzzed. Plus a bounded line splitter for the
// line-oriented protocols (FTP, SMTP, telnet after negotiation, redis inline commands).
import type { EmitOptions, EventFields } from './emitter.js';

/** One event a machine asks the session emitter to emit. */
export interface ProtocolEvent<T extends string = string> {
  readonly type: T;
  readonly fields?: EventFields;
  readonly options?: EmitOptions;
}

/**
 * A change to a wall-clock deadline of the connection: `ms` arms the deadline `name` to expire
 * that long from now unless it is already armed (so a trickle of bytes cannot push it back);
 * `null` disarms it. On expiry the driver applies `machine.expire(name)` and closes.
 */
export interface DeadlineChange {
  readonly name: string;
  readonly ms: number | null;
}

/**
 * What a machine returns for one input: bytes to send (in order), events to emit (in order),
 * whether to close the connection after sending, deadline changes, and protocol-specific
 * `actions` the server performs (an FTP data transfer, ...) before feeding the outcome back.
 */
export interface ProtocolStep<T extends string = string, A = never> {
  readonly replies: readonly (string | Uint8Array)[];
  readonly events: readonly ProtocolEvent<T>[];
  readonly close: boolean;
  readonly actions?: readonly A[];
  readonly deadlines?: readonly DeadlineChange[];
}

/**
 * A pure protocol state machine. `start` gives the greeting, `feed` one chunk of peer bytes (any
 * split, any content: it never throws), `end` the final step when the connection goes away for
 * any reason (peer close, idle timeout, error), called exactly once by the server.
 */
export interface ProtocolMachine<T extends string = string, A = never> {
  start(): ProtocolStep<T, A>;
  feed(chunk: Uint8Array): ProtocolStep<T, A>;
  end(reason: CloseReason): ProtocolStep<T, A>;
  /**
   * True when the machine stopped early, with input still to handle, to keep one step's output
   * under {@link MAX_STEP_OUTPUT_BYTES}: the driver stops reading and feeds an empty chunk once
   * the replies drained.
   */
  pending?(): boolean;
  /** Bytes the machine buffers (an unfinished frame, queued requests), for the byte budget. */
  held?(): number;
  /** The last step when the deadline `name` expired (a timeout reply); the driver then closes. */
  expire?(name: string): ProtocolStep<T, A>;
}

/** Why a connection ended: `deadline` when a wall-clock deadline expired, `shed` when a cap, budget or the memory guard closed it. */
export type CloseReason = 'peer_closed' | 'server_closed' | 'idle_timeout' | 'error' | 'shutdown' | 'deadline' | 'shed';

/**
 * Most reply bytes a machine produces for one input before it stops and reports `pending()`:
 * a 64 KiB chunk of cheap commands with expensive answers (KEYS *, cat) cannot build megabytes.
 */
export const MAX_STEP_OUTPUT_BYTES = 256 * 1024;

/** Accumulates a step: `reply`, `event`, `close`, `action`, `deadline`, then `build()`. */
export class StepBuilder<T extends string = string, A = never> {
  readonly replies: (string | Uint8Array)[] = [];
  readonly events: ProtocolEvent<T>[] = [];
  readonly actions: A[] = [];
  readonly deadlines: DeadlineChange[] = [];
  shouldClose = false;
  /** Reply bytes so far (strings counted by UTF-16 length, close enough for a budget). */
  replyBytes = 0;

  reply(data: string | Uint8Array): this {
    this.replies.push(data);
    this.replyBytes += typeof data === 'string' ? data.length : data.byteLength;
    return this;
  }

  /** True once the replies reached {@link MAX_STEP_OUTPUT_BYTES}: stop and report `pending()`. */
  get full(): boolean {
    return this.replyBytes >= MAX_STEP_OUTPUT_BYTES;
  }

  /** Arms the deadline `name` (`ms` from now) unless armed already. */
  deadline(name: string, ms: number): this {
    this.deadlines.push({ name, ms });
    return this;
  }

  /** Disarms the deadline `name`. */
  clearDeadline(name: string): this {
    this.deadlines.push({ name, ms: null });
    return this;
  }

  event(type: T, fields?: EventFields, options?: EmitOptions): this {
    this.events.push(options ? { type, fields, options } : fields ? { type, fields } : { type });
    return this;
  }

  action(action: A): this {
    this.actions.push(action);
    return this;
  }

  close(): this {
    this.shouldClose = true;
    return this;
  }

  build(): ProtocolStep<T, A> {
    const step: ProtocolStep<T, A> = { replies: this.replies, events: this.events, close: this.shouldClose };
    return {
      ...step,
      ...(this.actions.length > 0 ? { actions: this.actions } : {}),
      ...(this.deadlines.length > 0 ? { deadlines: this.deadlines } : {}),
    };
  }
}

/** A step that does nothing. */
export function emptyStep<T extends string = string, A = never>(): ProtocolStep<T, A> {
  return { replies: [], events: [], close: false };
}

/** The output of {@link LineSplitter.push}. */
export interface SplitResult {
  /** Complete lines, without their terminator (CR LF, or a bare LF). */
  readonly lines: Buffer[];
  /** Lines that exceeded the cap since the last push; their bytes were discarded up to the next LF. */
  readonly overflows: number;
}

/** Splits a byte stream into lines with a hard cap on buffered bytes. */
export interface LineSplitter {
  push(chunk: Uint8Array): SplitResult;
  /** Bytes held waiting for a line end (never more than the cap). */
  readonly pending: number;
  /** True while a line has begun and not ended (held, or being discarded as too long). */
  readonly partial: boolean;
}

/**
 * Creates a line splitter: lines end at LF (a preceding CR is removed). A line longer than
 * `maxLineBytes` is counted as an overflow and discarded up to its LF, so memory per connection
 * stays bounded whatever the peer sends.
 */
export function createLineSplitter(maxLineBytes: number): LineSplitter {
  let buffer: Buffer = Buffer.alloc(0);
  let discarding = false;
  return {
    get pending() {
      return buffer.length;
    },
    get partial() {
      return buffer.length > 0 || discarding;
    },
    push(chunk) {
      const lines: Buffer[] = [];
      let overflows = 0;
      let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      while (data.length > 0) {
        const lf = data.indexOf(10);
        if (discarding) {
          if (lf < 0) return { lines, overflows };
          discarding = false;
          data = data.subarray(lf + 1);
          continue;
        }
        if (lf < 0) {
          if (buffer.length + data.length > maxLineBytes) {
            overflows++;
            buffer = Buffer.alloc(0);
            discarding = true;
            return { lines, overflows };
          }
          buffer = buffer.length === 0 ? Buffer.from(data) : Buffer.concat([buffer, data]);
          return { lines, overflows };
        }
        if (buffer.length + lf > maxLineBytes) {
          overflows++;
          buffer = Buffer.alloc(0);
        } else {
          let line = buffer.length === 0 ? Buffer.from(data.subarray(0, lf)) : Buffer.concat([buffer, data.subarray(0, lf)]);
          if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1);
          lines.push(line);
          buffer = Buffer.alloc(0);
        }
        data = data.subarray(lf + 1);
      }
      return { lines, overflows };
    },
  };
}
