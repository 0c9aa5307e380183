// Reading a worker's own environment keys with the contract loadConfig has: every key parsed by a
// small function, blank counting as unset, and every bad key collected so the operator sees them
// all in one ConfigValidationError instead of fixing them one restart at a time.
import { ConfigValidationError, intIn } from './config.js';
import { ConfigError } from './errors.js';

/** Parses a trimmed, non-empty value; `undefined` means invalid. */
export type EnvParser<T> = (value: string) => T | undefined;

/** Collects the errors of one options object; see {@link envReader}. */
export interface EnvReader {
  /**
   * The parsed value of `key`; `fallback` when it is unset or blank, and also when `parse`
   * rejects it (the error is recorded with `expected` and the value).
   */
  read<T>(key: string, expected: string, fallback: T, parse: EnvParser<T>): T;
  /** Records an error found outside {@link EnvReader.read} (keys that combine, special values). */
  fail(key: string, expected: string, received: string): void;
  /** @throws ConfigValidationError listing every recorded error, if any. */
  assertValid(): void;
}

/**
 * A reader over `env`. Values are trimmed before parsing; an error reports the value as written,
 * or trimmed with `received: 'trimmed'`.
 */
export function envReader(env: Readonly<Record<string, string | undefined>>, opts: { received?: 'raw' | 'trimmed' } = {}): EnvReader {
  const errors: ConfigError[] = [];
  return {
    read(key, expected, fallback, parse) {
      const raw = env[key] ?? '';
      const value = raw.trim();
      if (value === '') return fallback;
      const parsed = parse(value);
      if (parsed !== undefined) return parsed;
      errors.push(new ConfigError(key, expected, opts.received === 'trimmed' ? value : raw));
      return fallback;
    },
    fail(key, expected, received) {
      errors.push(new ConfigError(key, expected, received));
    },
    assertValid() {
      if (errors.length > 0) throw new ConfigValidationError(errors);
    },
  };
}

/** Accepts an absolute path. */
export function absolutePath(value: string): string | undefined {
  return value.startsWith('/') ? value : undefined;
}

export { intIn };
