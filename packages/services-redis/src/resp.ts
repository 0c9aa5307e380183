// A bounded RESP request parser: multibulk (`*N\r\n$L\r\n…`) and inline commands, fed any
// split of bytes. Never throws; oversized or malformed input is a typed error (Redis then
// replies `-ERR Protocol error: …` and hangs up).

/** Most arguments in one request (Redis allows 1M; attackers need a handful). */
export const MAX_RESP_ARGS = 1024;
/**
 * Largest bulk argument (Redis's proto-max-bulk-len is 512 MB; the payloads attackers SET, SSH
 * keys and cron lines, are a few KiB). Small because it bounds memory per connection.
 */
export const MAX_BULK_BYTES = 64 * 1024;
/** Largest inline request line (Redis's PROTO_INLINE_MAX_SIZE). */
export const MAX_INLINE_BYTES = 64 * 1024;
/** Most bytes buffered for one unfinished request (512 connections × this stays under 64 MiB). */
export const MAX_PENDING_BYTES = MAX_BULK_BYTES + 16 * 1024;

/** One parsed request: its arguments as raw bytes. */
export type RespCommand = Buffer[];

/** Output of {@link RespParser.push}: complete commands, then an error that ends the stream, if any. */
export interface RespPushResult {
  readonly commands: RespCommand[];
  /** Redis's wording after `-ERR Protocol error: `. */
  readonly error: string | null;
}

/** An incremental request parser. */
export interface RespParser {
  /**
   * Appends `chunk` and parses complete requests from the buffer, at most `maxCommands` of
   * them (the rest stay as bytes, never as parsed objects, until the next call).
   */
  push(chunk: Uint8Array, maxCommands?: number): RespPushResult;
  /** Bytes held for an unfinished request. */
  readonly pending: number;
}

type One = { kind: 'command'; args: RespCommand; used: number } | { kind: 'incomplete' } | { kind: 'error'; message: string } | { kind: 'empty'; used: number };

/** Reads `\r\n`-terminated decimal after `buf[at]` (the type byte). */
function readLength(buf: Buffer, at: number, max: number): { value: number; next: number } | 'incomplete' | 'bad' {
  const cr = buf.indexOf('\r\n', at + 1);
  if (cr < 0) return buf.length - at > 24 ? 'bad' : 'incomplete';
  const text = buf.toString('latin1', at + 1, cr);
  if (!/^-?\d{1,20}$/.test(text)) return 'bad';
  const value = Number(text);
  if (value > max) return 'bad';
  return { value, next: cr + 2 };
}

/** Splits an inline request into arguments: whitespace-separated, "double" and 'single' quotes honoured. */
export function splitInline(line: Buffer): RespCommand | null {
  const text = line.toString('latin1');
  const out: Buffer[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) break;
    let arg = '';
    const quote = text[i] === '"' || text[i] === "'" ? text[i] : null;
    if (quote) {
      i++;
      let done = false;
      while (i < text.length) {
        const c = text[i] as string;
        if (c === quote) {
          done = true;
          i++;
          break;
        }
        if (c === '\\' && quote === '"' && i + 1 < text.length) {
          const n = text[i + 1] as string;
          arg += n === 'n' ? '\n' : n === 'r' ? '\r' : n === 't' ? '\t' : n;
          i += 2;
          continue;
        }
        arg += c;
        i++;
      }
      if (!done || (i < text.length && !/\s/.test(text[i] as string))) return null;
    } else {
      while (i < text.length && !/\s/.test(text[i] as string)) arg += text[i++];
    }
    out.push(Buffer.from(arg, 'latin1'));
    if (out.length > MAX_RESP_ARGS) return null;
  }
  return out;
}

function parseOne(buf: Buffer): One {
  if (buf.length === 0) return { kind: 'incomplete' };
  if (buf[0] !== 0x2a) {
    const lf = buf.indexOf(10);
    if (lf < 0) return buf.length > MAX_INLINE_BYTES ? { kind: 'error', message: 'too big inline request' } : { kind: 'incomplete' };
    if (lf > MAX_INLINE_BYTES) return { kind: 'error', message: 'too big inline request' };
    const end = lf > 0 && buf[lf - 1] === 13 ? lf - 1 : lf;
    const args = splitInline(buf.subarray(0, end));
    if (args === null) return { kind: 'error', message: 'unbalanced quotes in request' };
    return args.length === 0 ? { kind: 'empty', used: lf + 1 } : { kind: 'command', args, used: lf + 1 };
  }
  const count = readLength(buf, 0, MAX_RESP_ARGS);
  if (count === 'incomplete') return { kind: 'incomplete' };
  if (count === 'bad') return { kind: 'error', message: 'invalid multibulk length' };
  if (count.value <= 0) return { kind: 'empty', used: count.next };
  let at = count.next;
  const args: Buffer[] = [];
  for (let i = 0; i < count.value; i++) {
    if (at >= buf.length) return { kind: 'incomplete' };
    if (buf[at] !== 0x24) return { kind: 'error', message: `expected '$', got '${String.fromCharCode(buf[at] as number).replace(/[^\x21-\x7e]/g, ' ')}'` };
    const len = readLength(buf, at, MAX_BULK_BYTES);
    if (len === 'incomplete') return { kind: 'incomplete' };
    if (len === 'bad' || len.value < 0) return { kind: 'error', message: 'invalid bulk length' };
    if (len.next + len.value + 2 > buf.length) return { kind: 'incomplete' };
    args.push(Buffer.from(buf.subarray(len.next, len.next + len.value)));
    at = len.next + len.value + 2;
  }
  return { kind: 'command', args, used: at };
}

/** Creates a request parser that never holds more than {@link MAX_PENDING_BYTES}. */
export function createRespParser(): RespParser {
  let buffer: Buffer = Buffer.alloc(0);
  let failed = false;
  return {
    get pending() {
      return buffer.length;
    },
    push(chunk, maxCommands = Number.POSITIVE_INFINITY) {
      const commands: RespCommand[] = [];
      if (failed) return { commands, error: null };
      if (buffer.length + chunk.byteLength > 2 * MAX_PENDING_BYTES) {
        failed = true;
        buffer = Buffer.alloc(0);
        return { commands, error: 'request too large' };
      }
      if (chunk.byteLength > 0) buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
      while (commands.length < maxCommands) {
        const one = parseOne(buffer);
        if (one.kind === 'incomplete') {
          if (buffer.length > MAX_PENDING_BYTES) {
            failed = true;
            buffer = Buffer.alloc(0);
            return { commands, error: 'request too large' };
          }
          return { commands, error: null };
        }
        if (one.kind === 'error') {
          failed = true;
          buffer = Buffer.alloc(0);
          return { commands, error: one.message };
        }
        buffer = buffer.subarray(one.used);
        if (one.kind === 'command') commands.push(one.args);
      }
      return { commands, error: null };
    },
  };
}
