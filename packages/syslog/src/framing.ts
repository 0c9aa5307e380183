// Incremental decoders for syslog byte streams: RFC 5425/6587 octet counting (`<len> SP <msg>`),
// RFC 6587 newline framing (LF, optionally NUL; CRLF tolerated), and a per-frame auto-detector
// for TCP syslog. Pure state machines: push bytes in, get frames and typed errors out.

/** Default frame cap: DECNET events with JSON blobs run to a few KiB; 64 KiB leaves headroom yet bounds memory per connection. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

/** Octet-count prefixes longer than this are refused (upstream's limit; 10 digits already means gigabytes). */
export const MAX_LENGTH_DIGITS = 10;

/** How a frame was delimited. */
export type Framing = 'octet-counting' | 'newline';

/** Stable codes of framing errors. */
export type FrameErrorCode =
  /** The octet-count prefix is not digits followed by one space, or has more than 10 digits. Fatal. */
  | 'bad_length'
  /** A frame is larger than `maxFrameBytes`; it was discarded and decoding continues. Not fatal. */
  | 'frame_too_large'
  /** The stream ended inside an octet-counted frame (reported by `end()`). */
  | 'truncated_frame';

/** One output of a decoder. */
export type FrameEvent =
  | {
      type: 'frame';
      /** The message bytes, delimiter removed. May be a view into the chunk passed to `push`. */
      bytes: Uint8Array;
      framing: Framing;
    }
  | {
      type: 'error';
      code: FrameErrorCode;
      /** A constant description. */
      message: string;
      /** True when framing is lost: the decoder accepts nothing more and the caller should close the connection. */
      fatal: boolean;
      /** For `frame_too_large`: the declared length (octet counting) or the bytes seen before giving up (newline). */
      size?: number;
    };

/** Options shared by every decoder. */
export interface FrameDecoderOptions {
  /** Largest frame delivered, in bytes (for newline framing, counted before the LF). @default 65536 */
  maxFrameBytes?: number;
  /** Newline framing: treat NUL as a delimiter too (some senders terminate with NUL). @default true */
  nulDelimiter?: boolean;
}

/** An incremental decoder. Not reusable across connections: make one per stream. */
export interface FrameDecoder {
  /**
   * Feeds the next bytes of the stream; returns the frames completed and any errors, in stream
   * order. Bytes retained for an incomplete frame are copied, so the caller may reuse `chunk`
   * afterwards, but a returned frame may still be a view into `chunk`: copy it first if needed.
   * After a fatal error it returns `[]`.
   */
  push(chunk: Uint8Array): FrameEvent[];
  /**
   * Signals the end of the stream. A pending newline-framed line without its LF is delivered;
   * a partial octet-counted frame gives a `truncated_frame` error. The decoder is then reset.
   */
  end(): FrameEvent[];
  /** True once a fatal error was reported. */
  readonly failed: boolean;
  /** Bytes held for an incomplete frame. */
  readonly buffered: number;
}

type Mode = 'octet' | 'newline' | 'auto';
type State = 'start' | 'length' | 'body' | 'skip' | 'line' | 'skip-line' | 'failed';

const LF = 10;
const CR = 13;
const NUL = 0;
const SP = 32;

const ERROR_MESSAGES: Record<FrameErrorCode, string> = {
  bad_length: `octet count must be 1-${MAX_LENGTH_DIGITS} digits followed by a space`,
  frame_too_large: 'frame exceeds the size cap and was discarded',
  truncated_frame: 'stream ended inside an octet-counted frame',
};

function concat(parts: Uint8Array[], total: number, tail?: Uint8Array): Uint8Array {
  const out = new Uint8Array(total + (tail ? tail.length : 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  if (tail) out.set(tail, offset);
  return out;
}

class StreamFrameDecoder implements FrameDecoder {
  private state: State = 'start';
  private remaining = 0;
  private digits = 0;
  private parts: Uint8Array[] = [];
  private partsBytes = 0;
  private readonly maxFrameBytes: number;
  private readonly nul: boolean;
  /** Next NUL in the chunk being pushed: -1 none, -2 not looked for yet. */
  private nextNul = -2;

  constructor(
    private readonly mode: Mode,
    options: FrameDecoderOptions,
  ) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxFrameBytes = Number.isFinite(max) && max > 0 ? Math.floor(max) : DEFAULT_MAX_FRAME_BYTES;
    this.nul = options.nulDelimiter ?? true;
  }

  get failed(): boolean {
    return this.state === 'failed';
  }

  get buffered(): number {
    return this.partsBytes;
  }

  private error(code: FrameErrorCode, fatal: boolean, size?: number): FrameEvent {
    if (fatal) {
      this.state = 'failed';
      this.parts = [];
      this.partsBytes = 0;
    }
    return size === undefined
      ? { type: 'error', code, message: ERROR_MESSAGES[code], fatal }
      : { type: 'error', code, message: ERROR_MESSAGES[code], fatal, size };
  }

  /** Index of the next line delimiter at or after `from`, or -1. */
  private delimiter(chunk: Uint8Array, from: number): number {
    const lf = chunk.indexOf(LF, from);
    if (!this.nul) return lf;
    // NUL is rare: remember where the next one is so a chunk of many lines is scanned once.
    if (this.nextNul !== -1 && this.nextNul < from) this.nextNul = chunk.indexOf(NUL, from);
    const nul = this.nextNul;
    if (nul === -1) return lf;
    return lf === -1 || nul < lf ? nul : lf;
  }

  private takeParts(tail?: Uint8Array): Uint8Array {
    const bytes = this.parts.length === 0 ? (tail ?? new Uint8Array(0)) : concat(this.parts, this.partsBytes, tail);
    this.parts = [];
    this.partsBytes = 0;
    return bytes;
  }

  private retain(bytes: Uint8Array): void {
    // Copy: the caller may reuse the chunk's memory once push returns.
    this.parts.push(bytes.slice());
    this.partsBytes += bytes.length;
  }

  private lineFrame(bytes: Uint8Array, events: FrameEvent[]): void {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    if (end > 0)
      events.push({ type: 'frame', bytes: end === bytes.length ? bytes : bytes.subarray(0, end), framing: 'newline' });
  }

  push(chunk: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    const n = chunk.length;
    let i = 0;
    this.nextNul = -2;
    while (i < n) {
      switch (this.state) {
        case 'failed':
          return events;
        case 'start': {
          const b = chunk[i] as number;
          if (b === LF || b === CR || b === NUL) {
            // Empty lines and stray separators between frames carry nothing.
            i++;
            break;
          }
          const isDigit = b >= 48 && b <= 57;
          if (this.mode === 'octet' || (this.mode === 'auto' && isDigit)) {
            if (!isDigit) {
              events.push(this.error('bad_length', true));
              return events;
            }
            this.state = 'length';
            this.remaining = 0;
            this.digits = 0;
          } else {
            this.state = 'line';
          }
          break;
        }
        case 'length': {
          const b = chunk[i] as number;
          if (b >= 48 && b <= 57) {
            this.remaining = this.remaining * 10 + (b - 48);
            this.digits++;
            i++;
            if (this.digits > MAX_LENGTH_DIGITS) {
              events.push(this.error('bad_length', true));
              return events;
            }
            break;
          }
          if (b !== SP) {
            events.push(this.error('bad_length', true));
            return events;
          }
          i++;
          if (this.remaining === 0) {
            this.state = 'start';
          } else if (this.remaining > this.maxFrameBytes) {
            events.push(this.error('frame_too_large', false, this.remaining));
            this.state = 'skip';
          } else {
            this.state = 'body';
          }
          break;
        }
        case 'body': {
          const take = Math.min(this.remaining, n - i);
          const piece = chunk.subarray(i, i + take);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            events.push({ type: 'frame', bytes: this.takeParts(piece), framing: 'octet-counting' });
            this.state = 'start';
          } else {
            this.retain(piece);
          }
          break;
        }
        case 'skip': {
          const take = Math.min(this.remaining, n - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'start';
          break;
        }
        case 'line': {
          const at = this.delimiter(chunk, i);
          const end = at === -1 ? n : at;
          const size = this.partsBytes + (end - i);
          if (size > this.maxFrameBytes) {
            events.push(this.error('frame_too_large', false, size));
            this.parts = [];
            this.partsBytes = 0;
            this.state = at === -1 ? 'skip-line' : 'start';
            i = at === -1 ? n : at + 1;
            break;
          }
          if (at === -1) {
            this.retain(chunk.subarray(i));
            i = n;
            break;
          }
          this.lineFrame(this.takeParts(chunk.subarray(i, at)), events);
          this.state = 'start';
          i = at + 1;
          break;
        }
        case 'skip-line': {
          const at = this.delimiter(chunk, i);
          if (at === -1) {
            i = n;
          } else {
            i = at + 1;
            this.state = 'start';
          }
          break;
        }
      }
    }
    return events;
  }

  end(): FrameEvent[] {
    const events: FrameEvent[] = [];
    if (this.state === 'length' || this.state === 'body') {
      events.push(this.error('truncated_frame', false));
    } else if (this.state === 'line') {
      this.lineFrame(this.takeParts(), events);
    }
    this.parts = [];
    this.partsBytes = 0;
    if (this.state !== 'failed') this.state = 'start';
    return events;
  }
}

/**
 * A decoder for RFC 5425 / RFC 6587 octet-counted frames, `<len> SP <len bytes>`. A zero length
 * is skipped, as are LF, CR and NUL bytes between frames. A frame over `maxFrameBytes` is
 * discarded (its length is known, so framing survives) and reported as a non-fatal error.
 */
export function createOctetCountingDecoder(options: FrameDecoderOptions = {}): FrameDecoder {
  return new StreamFrameDecoder('octet', options);
}

/**
 * A decoder for RFC 6587 non-transparent framing: frames end at LF (and at NUL unless
 * `nulDelimiter: false`); one trailing CR is removed and empty lines are skipped. A line over
 * `maxFrameBytes` is discarded up to its delimiter and reported as a non-fatal error.
 */
export function createNewlineDecoder(options: FrameDecoderOptions = {}): FrameDecoder {
  return new StreamFrameDecoder('newline', options);
}

/**
 * A decoder for TCP syslog that detects the framing frame by frame, as rsyslog does: a frame
 * starting with a digit is octet-counted, anything else (normally `<`) runs to the next LF.
 */
export function createSyslogStreamDecoder(options: FrameDecoderOptions = {}): FrameDecoder {
  return new StreamFrameDecoder('auto', options);
}

const encoder = new TextEncoder();

/** Encodes one message as an RFC 5425 octet-counted frame: the byte length, a space, the bytes. */
export function encodeOctetCounted(line: string | Uint8Array): Uint8Array {
  const body = typeof line === 'string' ? encoder.encode(line) : line;
  const prefix = encoder.encode(`${body.length} `);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix, 0);
  out.set(body, prefix.length);
  return out;
}
