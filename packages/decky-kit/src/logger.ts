// A dependency-free diagnostics logger for service processes: JSON lines on stderr (stdout is
// the event stream), implementing core's Logger interface without loading pino into every decky.
import { writeSync } from 'node:fs';
import type { LogLevel, LogMeta, Logger } from '@decnet/core';

const RANK: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, silent: 100 };

/** Options of {@link createStderrLogger}. */
export interface StderrLoggerOptions {
  /** @default 'info' */
  level?: LogLevel;
  /** Bound as `name` on every line. */
  name?: string;
  /** Where lines go; tests pass their own. @default synchronous write to fd 2 */
  write?: (line: string) => void;
}

function writeStderr(line: string): void {
  try {
    writeSync(2, line);
  } catch {
    // stderr closed: diagnostics are best effort and must never take the service down.
  }
}

/**
 * Creates a logger writing one JSON object per line (`level`, `time`, `msg`, bindings, meta) to
 * stderr. Messages are constants; attacker data belongs in `meta`, never in `msg`.
 */
export function createStderrLogger(options: StderrLoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? writeStderr;
  const make = (bindings: LogMeta): Logger => {
    const at =
      (level: Exclude<LogLevel, 'silent'>) =>
      (msg: string, meta?: LogMeta): void => {
        if (RANK[level] < threshold) return;
        let text: string;
        try {
          text = JSON.stringify({ level, time: Date.now(), ...bindings, ...meta, msg });
        } catch {
          text = JSON.stringify({ level, time: Date.now(), ...bindings, msg, metaError: 'unserialisable' });
        }
        write(`${text}\n`);
      };
    return {
      trace: at('trace'),
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return make(options.name ? { name: options.name } : {});
}
