// Diagnostics logger: a small interface (constant message + metadata) over pino, and a
// helper that keeps a repeating failure from flooding the log.
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

/** Options for {@link createLogger}. */
export interface LoggerOptions {
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

/** Creates a JSON-lines logger writing synchronously to stderr by default. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const p = pino(
    { level: options.level ?? 'info', base: options.name ? { name: options.name } : { pid: process.pid } },
    pino.destination({ fd: options.fd ?? 2, sync: true }),
  );
  return wrap(p);
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
