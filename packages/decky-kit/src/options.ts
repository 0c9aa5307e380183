// Start-up from environment variables: a small field DSL over zod/mini that reads every variable
// a service declares, collects every problem before failing (ServiceConfigError), and documents
// defaults once. Also the options every service shares (decky name, LOG_TARGET, bind, limits).
import * as z from 'zod/mini';
import { type ConfigIssue, ServiceConfigError } from './errors.js';
import { parseLogTarget, type LogTarget } from './sink.js';

/** One environment variable a service reads. */
export interface EnvField<T> {
  /** The variable's name (`SSH_PORT`). */
  readonly env: string;
  /** One line for `--help` and the README. */
  readonly description: string;
  /** The default as a person would write it in the environment (documentation only). */
  readonly defaultText?: string;
  /** True when a value is secret: it is never echoed in errors or listings. */
  readonly secret?: boolean;
  /** Reads the raw value (`undefined` when unset or empty). Never throws. */
  parse(raw: string | undefined): { ok: true; value: T } | { ok: false; message: string };
}

/** A record of named fields. */
export type EnvFields = Record<string, EnvField<unknown>>;

/** The typed options a field record reads into. */
export type OptionsOf<F extends EnvFields> = { -readonly [K in keyof F]: F[K] extends EnvField<infer T> ? T : never };

type ZIssue = { code: string; minimum?: unknown; maximum?: unknown; values?: readonly unknown[]; expected?: string; format?: string };

function describeIssue(issue: ZIssue | undefined): string {
  switch (issue?.code) {
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`;
    case 'invalid_value':
      return `must be one of ${(issue.values ?? []).map(String).join('|')}`;
    case 'invalid_type':
      return `expected ${issue.expected ?? 'another type'}`;
    case 'invalid_format':
      return `has an invalid format (${issue.format ?? 'pattern'})`;
    default:
      return 'is invalid';
  }
}

function fromZod<T>(schema: z.ZodMiniType<T>, value: unknown): { ok: true; value: T } | { ok: false; message: string } {
  const r = schema.safeParse(value);
  return r.success ? { ok: true, value: r.data } : { ok: false, message: describeIssue(r.error.issues[0] as ZIssue | undefined) };
}

function field<T>(
  env: string,
  description: string,
  defaultValue: T | undefined,
  read: (raw: string) => { ok: true; value: T } | { ok: false; message: string },
  extra: { defaultText?: string; secret?: boolean } = {},
): EnvField<T> {
  return {
    env,
    description,
    ...(extra.defaultText !== undefined ? { defaultText: extra.defaultText } : {}),
    ...(extra.secret ? { secret: true } : {}),
    parse(raw) {
      if (raw === undefined || raw === '') {
        if (defaultValue === undefined) return { ok: false, message: 'is required' };
        return { ok: true, value: defaultValue };
      }
      return read(raw);
    },
  };
}

/** Field builders. Each returns an {@link EnvField}; an unset or empty variable takes the default. */
export const envField = {
  /** A string of at most `maxLength` characters (default 4096). */
  string(env: string, description: string, defaultValue: string | undefined, opts: { maxLength?: number; pattern?: RegExp; secret?: boolean } = {}): EnvField<string> {
    const schema = z.string().check(z.maxLength(opts.maxLength ?? 4096), ...(opts.pattern ? [z.regex(opts.pattern)] : []));
    return field(env, description, defaultValue, (raw) => fromZod(schema, raw), {
      ...(defaultValue !== undefined ? { defaultText: opts.secret ? '(secret)' : defaultValue } : {}),
      ...(opts.secret ? { secret: true } : {}),
    });
  },
  /** An optional string: `undefined` when unset. */
  optionalString(env: string, description: string, opts: { maxLength?: number; pattern?: RegExp; secret?: boolean } = {}): EnvField<string | undefined> {
    const inner = envField.string(env, description, undefined, opts);
    return { ...inner, parse: (raw) => (raw === undefined || raw === '' ? { ok: true, value: undefined } : inner.parse(raw)) };
  },
  /** A decimal integer in [min, max]. */
  int(env: string, description: string, defaultValue: number, min: number, max: number): EnvField<number> {
    const schema = z.int().check(z.minimum(min), z.maximum(max));
    return field(
      env,
      description,
      defaultValue,
      (raw) => (/^\s*-?\d+\s*$/.test(raw) ? fromZod(schema, Number(raw)) : { ok: false, message: `expected an integer between ${min} and ${max}` }),
      { defaultText: String(defaultValue) },
    );
  },
  /** A TCP/UDP port, 0 (any free port) to 65535. */
  port(env: string, description: string, defaultValue: number): EnvField<number> {
    return envField.int(env, description, defaultValue, 0, 65535);
  },
  /** true/false, yes/no, on/off, 1/0. */
  bool(env: string, description: string, defaultValue: boolean): EnvField<boolean> {
    const schema = z.stringbool();
    return field(env, description, defaultValue, (raw) => fromZod(schema, raw.trim().toLowerCase()), { defaultText: String(defaultValue) });
  },
  /** One of `values`. */
  enum<const V extends readonly [string, ...string[]]>(env: string, description: string, values: V, defaultValue: V[number]): EnvField<V[number]> {
    const schema = z.enum(values);
    return field(env, description, defaultValue, (raw) => fromZod(schema, raw.trim()) as { ok: true; value: V[number] } | { ok: false; message: string }, {
      defaultText: defaultValue,
    });
  },
  /**
   * Credential pairs `user:password,user2:password2` (a password may contain `:`, not `,`;
   * `*` as password accepts any). Empty entries are ignored.
   */
  credentials(env: string, description: string): EnvField<CredentialPair[]> {
    return field(
      env,
      description,
      [],
      (raw) => {
        const pairs: CredentialPair[] = [];
        for (const item of raw.split(',')) {
          if (item.trim() === '') continue;
          const colon = item.indexOf(':');
          if (colon <= 0) return { ok: false, message: 'expected user:password pairs separated by commas' };
          pairs.push({ username: item.slice(0, colon).trim(), password: item.slice(colon + 1) });
        }
        return { ok: true, value: pairs };
      },
      { defaultText: '', secret: true },
    );
  },
  /** A syslog target (see {@link parseLogTarget}); `undefined` when unset. */
  logTarget(env: string, description: string): EnvField<LogTarget | undefined> {
    return {
      env,
      description,
      parse(raw) {
        if (raw === undefined || raw.trim() === '') return { ok: true, value: undefined };
        const t = parseLogTarget(raw);
        return t ? { ok: true, value: t } : { ok: false, message: 'expected host:port, tcp://host:port or udp://host:port' };
      },
    };
  },
};

/** An accepted login: `password` `*` accepts any password for that user. */
export interface CredentialPair {
  readonly username: string;
  readonly password: string;
}

/** True when `username`/`password` matches one of `pairs`. */
export function matchesCredential(pairs: readonly CredentialPair[], username: string, password: string): boolean {
  return pairs.some((p) => p.username === username && (p.password === '*' || p.password === password));
}

/**
 * Reads every field from `env`, collecting all problems.
 * @throws ServiceConfigError listing every invalid variable, when any is invalid.
 */
export function readOptions<F extends EnvFields>(service: string, fields: F, env: Readonly<Record<string, string | undefined>>): OptionsOf<F> {
  const issues: ConfigIssue[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(fields)) {
    const f = fields[key] as EnvField<unknown>;
    const r = f.parse(env[f.env]);
    if (r.ok) out[key] = r.value;
    else issues.push({ key: f.env, message: r.message });
  }
  if (issues.length > 0) throw new ServiceConfigError(service, issues);
  return out as OptionsOf<F>;
}

/** Decky and host names: printable ASCII without spaces, as RFC 5424 HOSTNAME requires. */
const NAME_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Default concurrent connections per service: enough for scanners, bounded for floods. */
export const DEFAULT_MAX_CONNECTIONS = 512;
/** Default concurrent connections from one source IP: a brute-forcer gets parallelism, not the whole decky. */
export const DEFAULT_MAX_PER_IP = 32;
/** Default seconds a connection may stay silent before it is closed. */
export const DEFAULT_IDLE_TIMEOUT_S = 120;
/** Default longest protocol line accepted (FTP/SMTP commands, telnet input). */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024;
/** Default concurrent connections from one /24 (IPv4) or /64 (IPv6): four busy addresses' worth. */
export const DEFAULT_MAX_PER_PREFIX = 128;
/** Default bytes one connection may hold (socket buffers plus the protocol reader's): several frames of every protocol. */
export const DEFAULT_MAX_CONNECTION_BYTES = 4 * 1024 * 1024;
/** Default bytes all connections of one service may hold together. */
export const DEFAULT_MAX_SERVICE_BYTES = 64 * 1024 * 1024;
/** Default RSS ceiling of the process, in MiB: an idle service uses about 50, shedding starts at 60 %. */
export const DEFAULT_MEMORY_CEILING_MB = 256;

/** The environment every service reads (besides its own fields). */
export const COMMON_FIELDS = {
  decky: envField.string('NODE_NAME', 'decky name: the HOSTNAME of every event line', undefined, { maxLength: 255, pattern: NAME_PATTERN }),
  hostname: envField.optionalString('HOSTNAME', 'host name the decky shows (shell prompt, banners); defaults to NODE_NAME', {
    maxLength: 255,
    pattern: NAME_PATTERN,
  }),
  logTarget: envField.logTarget('LOG_TARGET', 'also send every event line to this syslog target (TCP octet-counted or udp://)'),
  bind: envField.string('DECNET_SERVICE_BIND', 'address the listeners bind', '0.0.0.0', { maxLength: 64 }),
  maxConnections: envField.int('DECNET_SERVICE_MAX_CONNECTIONS', 'concurrent connections per service', DEFAULT_MAX_CONNECTIONS, 1, 100_000),
  maxPerIp: envField.int('DECNET_SERVICE_MAX_PER_IP', 'concurrent connections per source IP per service', DEFAULT_MAX_PER_IP, 1, 100_000),
  idleTimeoutS: envField.int('DECNET_SERVICE_IDLE_TIMEOUT_S', 'seconds of silence before a connection is closed', DEFAULT_IDLE_TIMEOUT_S, 1, 86_400),
  maxPerPrefix: envField.int('DECNET_SERVICE_MAX_PER_PREFIX', 'concurrent connections per /24 (IPv4) or /64 (IPv6) per service', DEFAULT_MAX_PER_PREFIX, 1, 100_000),
  maxLineBytes: envField.int('DECNET_SERVICE_MAX_LINE_BYTES', 'longest protocol line accepted', DEFAULT_MAX_LINE_BYTES, 64, 1024 * 1024),
  maxConnectionBytes: envField.int(
    'DECNET_SERVICE_MAX_CONNECTION_BYTES',
    'bytes one connection may hold (socket buffers and unfinished frames) before it is shed',
    DEFAULT_MAX_CONNECTION_BYTES,
    64 * 1024,
    1024 * 1024 * 1024,
  ),
  maxServiceBytes: envField.int(
    'DECNET_SERVICE_MAX_SERVICE_BYTES',
    'bytes all connections of one service may hold before the largest holders are shed',
    DEFAULT_MAX_SERVICE_BYTES,
    1024 * 1024,
    16 * 1024 * 1024 * 1024,
  ),
  memoryCeilingMb: envField.int(
    'DECNET_SERVICE_MEMORY_CEILING_MB',
    'resident memory the process must never reach: from 60 % of it the newest connections are shed',
    DEFAULT_MEMORY_CEILING_MB,
    64,
    1024 * 1024,
  ),
  logLevel: envField.enum('DECNET_LOG_LEVEL', 'diagnostics level on stderr', ['trace', 'debug', 'info', 'warn', 'error', 'silent'], 'info'),
};

/** The common options, read. */
export type CommonOptions = OptionsOf<typeof COMMON_FIELDS>;
