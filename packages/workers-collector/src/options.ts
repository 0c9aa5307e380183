// The collector's options: DECNET_COLLECTOR_* environment keys, their defaults (written once,
// here), and compileCollectorOptions(), which validates every key and reports all errors at once.
import { join } from 'node:path';
import { absolutePath, envReader, intIn } from '@decnet/core';
import { DEFAULT_MAX_FRAME_BYTES } from '@decnet/syslog';

/** Network transports the collector can listen on. */
export const COLLECTOR_TRANSPORTS = ['udp', 'tcp'] as const;
/** One of {@link COLLECTOR_TRANSPORTS}. */
export type CollectorTransport = (typeof COLLECTOR_TRANSPORTS)[number];

/** Upstream's drop list by APP-NAME: host daemons inside a decky, never attacker activity. */
export const DEFAULT_DROP_APPS = [
  'sshd',
  'pam_unix',
  'sudo',
  'su',
  'CRON',
  'cron',
  'systemd',
  'kernel',
  'rsyslogd',
  'dbus-daemon',
] as const;

/** Upstream's connection-lifecycle event types, rate limited per (ip, decky, service, event). */
export const DEFAULT_RL_EVENT_TYPES = ['connect', 'disconnect', 'connection', 'accept', 'close'] as const;

/** Everything the collector can be told; each field documents its environment key and default. */
export interface CollectorOptions {
  /** Address the UDP and TCP listeners bind. @default '127.0.0.1' (DECNET_COLLECTOR_BIND) */
  bind: string;
  /** Port of both listeners; 0 picks a free one. @default 5514 (DECNET_COLLECTOR_PORT) */
  port: number;
  /** Listeners to open; empty disables the network side. @default ['udp','tcp'] (DECNET_COLLECTOR_LISTEN, `none` for empty) */
  listen: readonly CollectorTransport[];
  /** Absolute paths of log files to tail. @default [] (DECNET_COLLECTOR_FILES, comma-separated) */
  files: readonly string[];
  /** Where file offsets are checkpointed. @default `$DECNET_HOME/collector/checkpoints.json` (DECNET_COLLECTOR_STATE_FILE) */
  stateFile: string;
  /** Rate-limit window in seconds; 0 disables the limiter. @default 1 (DECNET_COLLECTOR_RL_WINDOW_SEC) */
  rlWindowSec: number;
  /** Event types the limiter applies to. @default connect,disconnect,connection,accept,close (DECNET_COLLECTOR_RL_EVENT_TYPES) */
  rlEventTypes: readonly string[];
  /** APP-NAMEs dropped as noise. @default {@link DEFAULT_DROP_APPS} (DECNET_COLLECTOR_DROP_APPS) */
  dropApps: readonly string[];
  /** Largest line or frame accepted, in bytes. @default 65536 (DECNET_COLLECTOR_MAX_LINE_BYTES) */
  maxLineBytes: number;
  /** Concurrent TCP connections; more are refused. @default 256 (DECNET_COLLECTOR_MAX_CONNECTIONS) */
  maxConnections: number;
  /** A TCP client silent this long is disconnected. @default 300 (DECNET_COLLECTOR_IDLE_TIMEOUT_SEC) */
  idleTimeoutSec: number;
  /** How often tailed files are checked for growth, rotation and truncation. @default 250 (DECNET_COLLECTOR_POLL_MS) */
  pollMs: number;
  /** Lifetime of per-IP command history for `attacker.session.ended`; 0 disables sessions. @default 3600 (DECNET_COLLECTOR_SESSION_AGG_TTL_SEC) */
  sessionAggTtlSec: number;
  /** Also publish upstream's per-line `system.log` notification. @default false (DECNET_COLLECTOR_SYSTEM_LOG) */
  systemLog: boolean;
  /** Publishes awaiting the bus before input is paused (TCP, files) or dropped (UDP). @default 5000 (DECNET_COLLECTOR_MAX_INFLIGHT) */
  maxInflight: number;
}

/** {@link CollectorOptions} after validation; identical shape, every value checked. */
export type CompiledCollectorOptions = Readonly<CollectorOptions>;

/** Defaults that do not depend on DECNET_HOME. */
export const COLLECTOR_DEFAULTS = {
  bind: '127.0.0.1',
  port: 5514,
  listen: ['udp', 'tcp'],
  files: [],
  rlWindowSec: 1,
  rlEventTypes: DEFAULT_RL_EVENT_TYPES,
  dropApps: DEFAULT_DROP_APPS,
  maxLineBytes: DEFAULT_MAX_FRAME_BYTES,
  maxConnections: 256,
  idleTimeoutSec: 300,
  pollMs: 250,
  sessionAggTtlSec: 3600,
  systemLog: false,
  maxInflight: 5_000,
} as const satisfies Omit<CollectorOptions, 'stateFile'>;

/** The default checkpoint file under `home`. */
export function defaultStateFile(home: string): string {
  return join(home, 'collector', 'checkpoints.json');
}

type Env = Record<string, string | undefined>;

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Reads DECNET_COLLECTOR_* from `env`, applies defaults, then `overrides` (tests, embedding).
 * @throws ConfigValidationError listing every invalid key.
 */
export function compileCollectorOptions(
  env: Env,
  home: string,
  overrides: Partial<CollectorOptions> = {},
): CompiledCollectorOptions {
  const reader = envReader(env);
  const { read } = reader;
  const d = COLLECTOR_DEFAULTS;
  const options: CollectorOptions = {
    bind: read('DECNET_COLLECTOR_BIND', 'an IP address', d.bind, (v) => (/^[0-9a-fA-F.:]+$/.test(v) ? v : undefined)),
    port: read('DECNET_COLLECTOR_PORT', 'a port from 0 to 65535', d.port, intIn(0, 65_535)),
    listen: read<readonly CollectorTransport[]>('DECNET_COLLECTOR_LISTEN', 'udp, tcp, udp,tcp or none', d.listen, (v) => {
      if (v === 'none') return [];
      const items = list(v);
      return items.every((i) => (COLLECTOR_TRANSPORTS as readonly string[]).includes(i))
        ? [...new Set(items as CollectorTransport[])]
        : undefined;
    }),
    files: read<readonly string[]>('DECNET_COLLECTOR_FILES', 'comma-separated absolute paths', d.files, (v) => {
      const items = list(v);
      return items.every((p) => p.startsWith('/')) ? [...new Set(items)] : undefined;
    }),
    stateFile: read('DECNET_COLLECTOR_STATE_FILE', 'an absolute path', defaultStateFile(home), absolutePath),
    rlWindowSec: read('DECNET_COLLECTOR_RL_WINDOW_SEC', 'seconds from 0 to 3600', d.rlWindowSec, (v) => {
      const n = Number(v);
      return /^\d+(\.\d+)?$/.test(v) && n <= 3600 ? n : undefined;
    }),
    rlEventTypes: read<readonly string[]>('DECNET_COLLECTOR_RL_EVENT_TYPES', 'comma-separated event types', d.rlEventTypes, list),
    dropApps: read<readonly string[]>('DECNET_COLLECTOR_DROP_APPS', 'comma-separated APP-NAMEs', d.dropApps, list),
    maxLineBytes: read('DECNET_COLLECTOR_MAX_LINE_BYTES', 'bytes from 1024 to 1048576', d.maxLineBytes, intIn(1024, 1_048_576)),
    maxConnections: read('DECNET_COLLECTOR_MAX_CONNECTIONS', 'an integer from 1 to 65535', d.maxConnections, intIn(1, 65_535)),
    idleTimeoutSec: read('DECNET_COLLECTOR_IDLE_TIMEOUT_SEC', 'seconds from 1 to 86400', d.idleTimeoutSec, intIn(1, 86_400)),
    pollMs: read('DECNET_COLLECTOR_POLL_MS', 'milliseconds from 10 to 60000', d.pollMs, intIn(10, 60_000)),
    sessionAggTtlSec: read('DECNET_COLLECTOR_SESSION_AGG_TTL_SEC', 'seconds from 0 to 604800', d.sessionAggTtlSec, intIn(0, 604_800)),
    systemLog: read('DECNET_COLLECTOR_SYSTEM_LOG', 'true or false', d.systemLog, (v) =>
      v === 'true' ? true : v === 'false' ? false : undefined,
    ),
    maxInflight: read('DECNET_COLLECTOR_MAX_INFLIGHT', 'an integer from 100 to 1000000', d.maxInflight, intIn(100, 1_000_000)),
  };
  reader.assertValid();
  return Object.freeze({ ...options, ...overrides });
}
