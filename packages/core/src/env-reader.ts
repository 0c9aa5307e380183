// Reading a worker's own environment keys with the contract loadConfig has: every key parsed by a
// small function, blank counting as unset, and every bad key collected so the operator sees them
// all in one ConfigValidationError instead of fixing them one restart at a time. A renamed key
// keeps its old name as a deprecated alias for one release, with a one-line warning per process.
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

/** Renamed keys: each current key mapped to the old name that still works for one release. */
export type DeprecatedEnvKeys = Readonly<Record<string, string>>;

/** Old names already warned about: the warning is once per process, not once per read. */
const warnedOldKeys = new Set<string>();

/** The one-line warning for an old key still set in place of `currentKey`. */
export function deprecatedKeyWarning(oldKey: string, currentKey: string): string {
  return `decnet: warning: ${oldKey} is deprecated and will stop working in the next release; rename it to ${currentKey}`;
}

/**
 * `env` with each renamed key's old name honoured: where the current key is unset or blank and
 * the old one is set, the current key takes the old value. Every old name that is set warns once
 * per process, in one line naming both keys (on stderr unless `warn` is given), so it shows before
 * any logger exists and whichever host runs the worker. Read the result with {@link envReader}.
 */
export function withDeprecatedKeys(
  env: Readonly<Record<string, string | undefined>>,
  renamed: DeprecatedEnvKeys,
  warn = (line: string): void => void process.stderr.write(`${line}\n`),
): Record<string, string | undefined> {
  const merged = { ...env };
  for (const [key, oldKey] of Object.entries(renamed)) {
    if (!env[oldKey]?.trim()) continue;
    if (!warnedOldKeys.has(oldKey)) {
      warnedOldKeys.add(oldKey);
      warn(deprecatedKeyWarning(oldKey, key));
    }
    if (!env[key]?.trim()) merged[key] = env[oldKey];
  }
  return merged;
}

/**
 * {@link DeprecatedEnvKeys} for a renamed prefix: each `suffix` under `currentPrefix` keeps its old
 * name under `oldPrefix` (e.g. `DECNET_INGEST_` to `DECNET_INGESTER_`).
 */
export function renamedPrefix(oldPrefix: string, currentPrefix: string, suffixes: readonly string[]): DeprecatedEnvKeys {
  return Object.fromEntries(suffixes.map((s) => [`${currentPrefix}${s}`, `${oldPrefix}${s}`]));
}

/** Accepts an absolute path. */
export function absolutePath(value: string): string | undefined {
  return value.startsWith('/') ? value : undefined;
}

export { intIn };
