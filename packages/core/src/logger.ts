// Diagnostics logger: a small interface (constant message + metadata) over pino, short
// readable lines for a person at a terminal and JSON lines for machines, and a helper that
// keeps a repeating failure from flooding the log.
import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { pino } from 'pino';

/** Metadata attached to a log line; never interpolate attacker data into the message. */
export type LogMeta = Record<string, unknown>;

/** The logger every package receives. Messages are constants; context goes in `meta`. */
export interface Logger {
  trace(message: string, meta?: LogMeta): void;
  debug(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  error(message: string, meta?: LogMeta): void;
  /** A logger whose lines all carry `bindings`. */
  child(bindings: LogMeta): Logger;
}

/** Levels accepted by `DECNET_LOG_LEVEL`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Accepted by `DECNET_LOG_FORMAT` / `--log-format`. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
/** `json`: one JSON object per line; `pretty`: short lines for people; `auto`: pretty on a TTY. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** @default DECNET_LOG_FORMAT, else 'auto' (pretty when `fd` is a terminal, JSON otherwise) */
  format?: LogFormat;
  /** @default 'info' */
  level?: LogLevel;
  /** Bound as `name` on every line. */
  name?: string;
  /** File descriptor to write JSON lines to. @default 2 (stderr, so stdout stays for command output) */
  fd?: number;
}

type PinoLike = pino.Logger;

function wrap(p: PinoLike): Logger {
  return {
    trace: (m, meta) => (meta ? p.trace(meta, m) : p.trace(m)),
    debug: (m, meta) => (meta ? p.debug(meta, m) : p.debug(m)),
    info: (m, meta) => (meta ? p.info(meta, m) : p.info(m)),
    warn: (m, meta) => (meta ? p.warn(meta, m) : p.warn(m)),
    error: (m, meta) => (meta ? p.error(meta, m) : p.error(m)),
    child: (bindings) => wrap(p.child(bindings)),
  };
}

const LEVEL_LABELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOURS: Readonly<Record<number, string>> = { 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31m' };
/** Fields every line carries that the pretty layout shows in its own place, or not at all. */
const LAYOUT_KEYS = new Set(['level', 'time', 'msg', 'name', 'worker', 'pid', 'hostname']);
/** Anything a terminal could act on: C0 and C1 controls, DEL, line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

// eslint-disable-next-line no-control-regex
const UNSAFE_FOR_TERMINAL_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** JSON text with every character a terminal could act on as `\uXXXX` (JSON leaves C1 and U+2028 raw). */
function quote(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).replace(
    UNSAFE_FOR_TERMINAL_ALL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** One value as `key=value` text: strings bare when safe, else quoted with controls escaped. */
function showValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 0 && !/\s|"|=/.test(value) && !UNSAFE_FOR_TERMINAL.test(value) ? value : quote(value);
  }
  if (value === null || typeof value !== 'object') return String(value);
  return quote(value);
}

/**
 * Renders one pino JSON line for a person: `12:04:31.207 ingester INFO ingester started
 * pattern=log.event.> ack=commit`. Values that could drive a terminal are JSON-escaped, so
 * attacker text in metadata cannot move the cursor or recolour the screen.
 */
export function formatPrettyLine(json: string, colour = false): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = new Date(typeof record.time === 'number' ? record.time : Date.now()).toISOString().slice(11, 23);
  const level = typeof record.level === 'number' ? record.level : 30;
  const label = LEVEL_LABELS[level] ?? String(level);
  const who = [record.name, record.worker].filter((v) => typeof v === 'string' && v.length > 0).join('/');
  const fields: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (!LAYOUT_KEYS.has(key) && value !== undefined) fields.push(`${key}=${showValue(value)}`);
  }
  const message = typeof record.msg === 'string' ? showValue(record.msg).replace(/^"|"$/g, '') : '';
  const tint = colour ? (LEVEL_COLOURS[level] ?? '') : '';
  const levelText = tint ? `${tint}${label.padEnd(5)}\x1b[0m` : label.padEnd(5);
  return `${time} ${who ? `${who} ` : ''}${levelText} ${message}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
}

/** Creates a logger writing synchronously to stderr by default: pretty on a terminal, else JSON lines. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const fd = options.fd ?? 2;
  // The environment is read here, not threaded through every caller: `--log-format` sets it once.
  const fromEnv = process.env.DECNET_LOG_FORMAT;
  const format = options.format ?? ((LOG_FORMATS as readonly string[]).includes(fromEnv ?? '') ? (fromEnv as LogFormat) : 'auto');
  const pretty = format === 'pretty' || (format === 'auto' && isatty(fd));
  const settings = { level: options.level ?? 'info', base: options.name ? { name: options.name } : { pid: process.pid } };
  if (!pretty) return wrap(pino(settings, pino.destination({ fd, sync: true })));
  const colour = isatty(fd) && !process.env.NO_COLOR;
  return wrap(pino(settings, { write: (line: string) => void writeSync(fd, formatPrettyLine(line, colour)) }));
}

/** A logger that drops everything (tests, `--quiet`). */
export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/**
 * Returns a function that logs the 1st occurrence and every `every`-th after it, with the
 * running count, so a failure that repeats a million times costs a handful of lines.
 */
export function everyNth(
  log: Logger,
  level: 'warn' | 'error' | 'info',
  message: string,
  every = 100,
): (meta?: LogMeta) => number {
  let count = 0;
  return (meta) => {
    count++;
    if (count === 1 || count % every === 0) log[level](message, { ...meta, occurrences: count });
    return count;
  };
}
