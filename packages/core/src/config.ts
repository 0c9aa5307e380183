// Runtime configuration: environment variables over an optional file (DECNET_CONFIG), each
// key checked against a declared schema so a bad value is reported by name, all at once.
import { readFileSync } from 'node:fs';
import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DecnetError } from './errors.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './logger.js';

/** Bus implementations a host can choose. */
export const BUS_KINDS = ['kafka', 'memory', 'none'] as const;
/** One of {@link BUS_KINDS}. */
export type BusKind = (typeof BUS_KINDS)[number];

/** Validated process configuration shared by every worker. */
export interface DecnetConfig {
  /** State directory (embedded Postgres data, checkpoints). @default `~/.decnet`, `/var/lib/decnet` for root (DECNET_HOME) */
  readonly home: string;
  /** @default 'info' (DECNET_LOG_LEVEL) */
  readonly logLevel: LogLevel;
  /** Diagnostics layout: `auto` is short lines on a terminal, JSON otherwise. @default 'auto' (DECNET_LOG_FORMAT) */
  readonly logFormat: LogFormat;
  /** @default 'kafka' (DECNET_BUS) */
  readonly bus: BusKind;
  /** Kafka bootstrap servers. @default ['127.0.0.1:9092'] (KAFKA_BROKERS) */
  readonly kafkaBrokers: readonly string[];
  /** Prefix of every Kafka topic and consumer group. @default 'decnet' (DECNET_KAFKA_PREFIX) */
  readonly kafkaPrefix: string;
  /** Postgres URL; unset means the embedded Postgres under `home`. (DATABASE_URL) */
  readonly databaseUrl: string | undefined;
  /** Heartbeat period. @default 10000 (DECNET_HEALTH_INTERVAL_MS) */
  readonly healthIntervalMs: number;
  /** Distinguishes replicas of one worker. @default `<hostname>-<pid>` (DECNET_INSTANCE_ID) */
  readonly instanceId: string;
}

/** Thrown with every invalid key found; `errors` holds one {@link ConfigError} per key. */
export class ConfigValidationError extends DecnetError {
  constructor(readonly errors: readonly ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
  }
}

type Raw = Record<string, string | undefined>;

interface KeySpec<T> {
  readonly expected: string;
  readonly fallback: () => T;
  readonly parse: (value: string) => T | undefined;
}

const TOKEN_LIKE = /^[A-Za-z0-9_-]{1,64}$/;
const HOST_PORT = /^[A-Za-z0-9.\-_]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/;

function oneOf<T extends string>(values: readonly T[]): (v: string) => T | undefined {
  return (v) => (values as readonly string[]).includes(v) ? (v as T) : undefined;
}

/** Accepts a decimal integer from `min` to `max`. */
export function intIn(min: number, max: number): (v: string) => number | undefined {
  return (v) => {
    if (!/^\d+$/.test(v)) return undefined;
    const n = Number(v);
    return n >= min && n <= max ? n : undefined;
  };
}

/** The schema: one entry per environment key. */
const SCHEMA = {
  DECNET_HOME: {
    expected: 'an absolute path',
    // Root's home is 0700, out of reach of the unprivileged user the embedded Postgres runs as.
    fallback: () => (process.getuid?.() === 0 ? '/var/lib/decnet' : join(homedir(), '.decnet')),
    parse: (v: string) => (v.startsWith('/') ? v : undefined),
  } satisfies KeySpec<string>,
  DECNET_LOG_LEVEL: {
    expected: `one of ${LOG_LEVELS.join('|')}`,
    fallback: (): LogLevel => 'info',
    parse: oneOf(LOG_LEVELS),
  } satisfies KeySpec<LogLevel>,
  DECNET_LOG_FORMAT: {
    expected: `one of ${LOG_FORMATS.join('|')}`,
    fallback: (): LogFormat => 'auto',
    parse: oneOf(LOG_FORMATS),
  } satisfies KeySpec<LogFormat>,
  DECNET_BUS: {
    expected: `one of ${BUS_KINDS.join('|')}`,
    fallback: (): BusKind => 'kafka',
    parse: oneOf(BUS_KINDS),
  } satisfies KeySpec<BusKind>,
  KAFKA_BROKERS: {
    expected: 'a comma-separated list of host:port',
    fallback: () => ['127.0.0.1:9092'],
    parse: (v: string) => {
      const list = v.split(',').map((s) => s.trim()).filter(Boolean);
      return list.length > 0 && list.every((b) => HOST_PORT.test(b)) ? list : undefined;
    },
  } satisfies KeySpec<string[]>,
  DECNET_KAFKA_PREFIX: {
    expected: 'letters, digits, _ or - (1-64 chars)',
    fallback: () => 'decnet',
    parse: (v: string) => (TOKEN_LIKE.test(v) ? v : undefined),
  } satisfies KeySpec<string>,
  DATABASE_URL: {
    expected: 'a postgres:// or postgresql:// URL',
    fallback: (): string | undefined => undefined,
    parse: (v: string) => {
      if (!/^postgres(ql)?:\/\//.test(v)) return undefined;
      try {
        new URL(v);
        return v;
      } catch {
        return undefined;
      }
    },
  } satisfies KeySpec<string | undefined>,
  DECNET_HEALTH_INTERVAL_MS: {
    expected: 'an integer number of milliseconds between 100 and 600000',
    fallback: () => 10_000,
    parse: intIn(100, 600_000),
  } satisfies KeySpec<number>,
  DECNET_INSTANCE_ID: {
    expected: 'letters, digits, _ or - (1-64 chars)',
    fallback: () => `${hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40)}-${process.pid}`,
    parse: (v: string) => (TOKEN_LIKE.test(v) ? v : undefined),
  } satisfies KeySpec<string>,
} as const;

/** Every configuration key this package reads. */
export const CONFIG_KEYS = Object.keys(SCHEMA) as (keyof typeof SCHEMA)[];

/**
 * Reads a config file: a JSON object of `KEY: value`, or `KEY=value` lines (`#` comments).
 * @throws ConfigValidationError naming DECNET_CONFIG when the file cannot be read or parsed.
 */
export function readConfigFile(path: string): Raw {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigValidationError([
      new ConfigError('DECNET_CONFIG', 'a readable file', `${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`),
    ]);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new ConfigValidationError([new ConfigError('DECNET_CONFIG', 'valid JSON', path)]);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigValidationError([new ConfigError('DECNET_CONFIG', 'a JSON object of KEY: value', path)]);
    }
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v === null ? undefined : String(v)]));
  }
  const out: Raw = {};
  trimmed.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (l === '' || l.startsWith('#')) return;
    const eq = l.indexOf('=');
    if (eq <= 0) throw new ConfigValidationError([new ConfigError('DECNET_CONFIG', 'KEY=value lines', `${path}:${i + 1}`)]);
    out[l.slice(0, eq).trim()] = l.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  });
  return out;
}

/**
 * Builds the configuration from `env` (default `process.env`) over the file named by
 * `DECNET_CONFIG`, if any. Empty values count as unset.
 * @throws ConfigValidationError listing every invalid key.
 */
export function loadConfig(env: Raw = process.env, overrides: Raw = {}): DecnetConfig {
  const file = env.DECNET_CONFIG ? readConfigFile(env.DECNET_CONFIG) : {};
  const merged: Raw = { ...file, ...env, ...overrides };
  const errors: ConfigError[] = [];
  const value = <K extends keyof typeof SCHEMA>(key: K): ReturnType<(typeof SCHEMA)[K]['fallback']> => {
    const spec = SCHEMA[key] as KeySpec<ReturnType<(typeof SCHEMA)[K]['fallback']>>;
    const raw = merged[key];
    if (raw === undefined || raw === '') return spec.fallback();
    const parsed = spec.parse(raw);
    if (parsed === undefined) {
      errors.push(new ConfigError(key, spec.expected, raw));
      return spec.fallback();
    }
    return parsed;
  };
  const config: DecnetConfig = {
    home: value('DECNET_HOME'),
    logLevel: value('DECNET_LOG_LEVEL'),
    logFormat: value('DECNET_LOG_FORMAT'),
    bus: value('DECNET_BUS'),
    kafkaBrokers: value('KAFKA_BROKERS'),
    kafkaPrefix: value('DECNET_KAFKA_PREFIX'),
    databaseUrl: value('DATABASE_URL'),
    healthIntervalMs: value('DECNET_HEALTH_INTERVAL_MS'),
    instanceId: value('DECNET_INSTANCE_ID'),
  };
  if (errors.length > 0) throw new ConfigValidationError(errors);
  return config;
}

/** Redacts the password of a URL for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}
