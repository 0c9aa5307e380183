// Reading a worker's own environment keys with the contract loadConfig has: every key parsed by a
// small function, blank counting as unset, and every bad key collected so the operator sees them
// all in one ConfigValidationError instead of fixing them one restart at a time. A renamed key
// keeps its old name as a deprecated alias for one release, with a one-line warning per process.
import { ConfigValidationError, intIn } from './config.js';
import { ConfigError } from './errors.js';

/** Parses a trimmed, non-empty value; `undefined` means invalid. */
export type EnvParser<T> = (value: string) => T | undefined;

/** Renamed keys: each current key mapped to the old name that still works for one release. */
export type DeprecatedEnvKeys = Readonly<Record<string, string>>;

/** Options of {@link envReader}. */
export interface EnvReaderOptions {
  /** Report a bad value as written (`raw`, the default) or trimmed. */
  readonly received?: 'raw' | 'trimmed';
  /**
   * Old names still read when the current key is unset or blank (the current key wins when both
   * are set). Reading through an old name warns once per process, naming both keys.
   */
  readonly deprecated?: DeprecatedEnvKeys;
  /**
   * Where the one-line deprecation warning goes. @default a line on stderr, so it shows before a
   * logger exists and whichever host runs the worker.
   */
  readonly warn?: (line: string) => void;
}

/** Collects the errors of one options object; see {@link envReader}. */
export interface EnvReader {
  /**
   * The parsed value of `key` (or of its deprecated old name when only that is set); `fallback`
   * when it is unset or blank, and also when `parse` rejects it (the error is recorded with
   * `expected`, the value and the name it was read from).
   */
  read<T>(key: string, expected: string, fallback: T, parse: EnvParser<T>): T;
  /** Records an error found outside {@link EnvReader.read} (keys that combine, special values). */
  fail(key: string, expected: string, received: string): void;
  /** @throws ConfigValidationError listing every recorded error, if any. */
  assertValid(): void;
}

/** Old names already warned about in this process: the warning is once per process, not per read. */
const warnedOldKeys = new Set<string>();

/** Writes a deprecation line to stderr. */
const warnOnStderr = (line: string): void => void process.stderr.write(`${line}\n`);

/** The one-line warning for reading `oldKey` in place of `currentKey`. */
export function deprecatedKeyWarning(oldKey: string, currentKey: string): string {
  return `decnet: warning: ${oldKey} is deprecated and will stop working in the next release; rename it to ${currentKey}`;
}

/**
 * Builds {@link DeprecatedEnvKeys} for a renamed prefix: each `suffix` under `currentPrefix` keeps
 * its old name under `oldPrefix` (e.g. `DECNET_INGEST_` to `DECNET_INGESTER_`).
 */
export function renamedPrefix(oldPrefix: string, currentPrefix: string, suffixes: readonly string[]): DeprecatedEnvKeys {
  return Object.fromEntries(suffixes.map((s) => [`${currentPrefix}${s}`, `${oldPrefix}${s}`]));
}

/**
 * A reader over `env`. Values are trimmed before parsing; an error reports the value as written,
 * or trimmed with `received: 'trimmed'`.
 */
export function envReader(env: Readonly<Record<string, string | undefined>>, opts: EnvReaderOptions = {}): EnvReader {
  const errors: ConfigError[] = [];
  const warn = opts.warn ?? warnOnStderr;
  /** The name `key`'s value comes from: the key itself, or its deprecated old name when only that is set. */
  const source = (key: string): string => {
    const oldKey = opts.deprecated?.[key];
    if (oldKey === undefined || (env[oldKey] ?? '').trim() === '') return key;
    if (!warnedOldKeys.has(oldKey)) {
      warnedOldKeys.add(oldKey);
      warn(deprecatedKeyWarning(oldKey, key));
    }
    return (env[key] ?? '').trim() === '' ? oldKey : key;
  };
  return {
    read(key, expected, fallback, parse) {
      const from = source(key);
      const raw = env[from] ?? '';
      const value = raw.trim();
      if (value === '') return fallback;
      const parsed = parse(value);
      if (parsed !== undefined) return parsed;
      errors.push(new ConfigError(from, expected, opts.received === 'trimmed' ? value : raw));
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
