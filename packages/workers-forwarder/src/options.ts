// The forwarder's options: DECNET_FORWARDER_* environment keys, their defaults (written once,
// here), and compileForwarderOptions(), which validates every key and reports all errors at once.
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { absolutePath, envReader, intIn } from '@decnet/core';
import { CA_CERT_FILE, LINE_FRAME_OVERHEAD, defaultPkiDir } from '@decnet/pki';
import { DEFAULT_MAX_FRAME_BYTES } from '@decnet/syslog';

/** Where the forwarder ships to. */
export interface ForwarderTarget {
  readonly host: string;
  readonly port: number;
}

/** Everything the forwarder can be told; each field documents its environment key and default. */
export interface ForwarderOptions {
  /** The log file to tail; unset leaves the forwarder idle. @default undefined (DECNET_FORWARDER_FILE) */
  file: string | undefined;
  /** The listener, `host:port` or `[v6]:port`; unset leaves the forwarder idle. @default undefined (DECNET_FORWARDER_TARGET) */
  target: ForwarderTarget | undefined;
  /**
   * Name or address the listener's certificate must carry (a SAN), when it differs from the
   * target host (e.g. connecting by IP to a certificate issued for a name). @default the target host (DECNET_FORWARDER_SERVER_NAME)
   */
  serverName: string | undefined;
  /** Client certificate (PEM); its CN is this host's identity at the listener. @default `$DECNET_HOME/pki/forwarder.crt` (DECNET_FORWARDER_CERT) */
  certFile: string;
  /** Client private key (PEM). @default `$DECNET_HOME/pki/forwarder.key` (DECNET_FORWARDER_KEY) */
  keyFile: string;
  /** CA the listener's certificate must chain to. @default `$DECNET_HOME/pki/ca.crt` (DECNET_FORWARDER_CA) */
  caFile: string;
  /** Where the acknowledged position is kept. @default `$DECNET_HOME/forwarder/<hash of file>.json` (DECNET_FORWARDER_STATE_FILE) */
  stateFile: string;
  /** How often the file is checked for growth, rotation and truncation. @default 250 (DECNET_FORWARDER_POLL_MS) */
  pollMs: number;
  /** Longest line shipped; longer ones are skipped and counted. @default 65452 (the listener's default frame cap minus framing) (DECNET_FORWARDER_MAX_LINE_BYTES) */
  maxLineBytes: number;
  /** Lines sent but not yet acknowledged before reading pauses. @default 5000 (DECNET_FORWARDER_WINDOW_LINES) */
  windowLines: number;
  /** Bytes sent but not yet acknowledged before reading pauses (they are kept in memory for resending). @default 4194304 (DECNET_FORWARDER_WINDOW_BYTES) */
  windowBytes: number;
  /** With data outstanding, no acknowledgement for this long means a dead link: reconnect. @default 30 (DECNET_FORWARDER_ACK_TIMEOUT_SEC) */
  ackTimeoutSec: number;
  /** First reconnect delay; doubles on each failure. @default 1000 (DECNET_FORWARDER_RECONNECT_MIN_MS) */
  reconnectMinMs: number;
  /** Longest reconnect delay. @default 30000 (DECNET_FORWARDER_RECONNECT_MAX_MS) */
  reconnectMaxMs: number;
}

/** {@link ForwarderOptions} after validation. */
export type CompiledForwarderOptions = Readonly<ForwarderOptions>;

/** Certificate name `decnet pki issue` uses for a forwarder by default. */
export const FORWARDER_CERT_NAME = 'forwarder';

/** Defaults that do not depend on DECNET_HOME or the file. */
export const FORWARDER_DEFAULTS = {
  pollMs: 250,
  maxLineBytes: DEFAULT_MAX_FRAME_BYTES - LINE_FRAME_OVERHEAD,
  windowLines: 5_000,
  windowBytes: 4 * 1024 * 1024,
  ackTimeoutSec: 30,
  reconnectMinMs: 1_000,
  reconnectMaxMs: 30_000,
} as const;

/** The default state file for `file` under `home`: one per tailed file. */
export function defaultStateFile(home: string, file: string | undefined): string {
  const tag = createHash('sha256').update(file ?? '').digest('hex').slice(0, 16);
  return join(home, 'forwarder', `${tag}.json`);
}

/** Parses `host:port` or `[v6]:port`; undefined when malformed. */
export function parseTarget(text: string): ForwarderTarget | undefined {
  const match = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text) ?? /^([A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  if (text.startsWith('[') && isIP(match[1]) !== 6) return undefined;
  return { host: match[1], port };
}

type Env = Record<string, string | undefined>;

/**
 * Reads DECNET_FORWARDER_* from `env`, applies defaults, then `overrides` (tests, embedding).
 * @throws ConfigValidationError listing every invalid key.
 */
export function compileForwarderOptions(env: Env, home: string, overrides: Partial<ForwarderOptions> = {}): CompiledForwarderOptions {
  const reader = envReader(env);
  const { read } = reader;
  const d = FORWARDER_DEFAULTS;
  const pki = defaultPkiDir(home);
  const file = read<string | undefined>('DECNET_FORWARDER_FILE', 'an absolute path', undefined, absolutePath);
  const options: ForwarderOptions = {
    file,
    target: read<ForwarderTarget | undefined>('DECNET_FORWARDER_TARGET', 'host:port or [ipv6]:port', undefined, parseTarget),
    serverName: read<string | undefined>('DECNET_FORWARDER_SERVER_NAME', 'a host name or IP address', undefined, (v) =>
      /^[A-Za-z0-9.:-]{1,253}$/.test(v) ? v : undefined,
    ),
    certFile: read('DECNET_FORWARDER_CERT', 'an absolute path', join(pki, `${FORWARDER_CERT_NAME}.crt`), absolutePath),
    keyFile: read('DECNET_FORWARDER_KEY', 'an absolute path', join(pki, `${FORWARDER_CERT_NAME}.key`), absolutePath),
    caFile: read('DECNET_FORWARDER_CA', 'an absolute path', join(pki, CA_CERT_FILE), absolutePath),
    stateFile: read('DECNET_FORWARDER_STATE_FILE', 'an absolute path', defaultStateFile(home, file), absolutePath),
    pollMs: read('DECNET_FORWARDER_POLL_MS', 'milliseconds from 10 to 60000', d.pollMs, intIn(10, 60_000)),
    maxLineBytes: read('DECNET_FORWARDER_MAX_LINE_BYTES', 'bytes from 256 to 1048476', d.maxLineBytes, intIn(256, 1_048_476)),
    windowLines: read('DECNET_FORWARDER_WINDOW_LINES', 'an integer from 1 to 1000000', d.windowLines, intIn(1, 1_000_000)),
    windowBytes: read('DECNET_FORWARDER_WINDOW_BYTES', 'bytes from 65536 to 268435456', d.windowBytes, intIn(65_536, 268_435_456)),
    ackTimeoutSec: read('DECNET_FORWARDER_ACK_TIMEOUT_SEC', 'seconds from 1 to 3600', d.ackTimeoutSec, intIn(1, 3600)),
    reconnectMinMs: read('DECNET_FORWARDER_RECONNECT_MIN_MS', 'milliseconds from 10 to 600000', d.reconnectMinMs, intIn(10, 600_000)),
    reconnectMaxMs: read('DECNET_FORWARDER_RECONNECT_MAX_MS', 'milliseconds from 10 to 600000', d.reconnectMaxMs, intIn(10, 600_000)),
  };
  reader.assertValid();
  return Object.freeze({ ...options, ...overrides });
}
