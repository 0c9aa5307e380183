// The listener's options: DECNET_LISTENER_* environment keys, their defaults (written once,
// here), and compileListenerOptions(), which validates every key and reports all errors at once.
import { isIP } from 'node:net';
import { join } from 'node:path';
import { absolutePath, envReader, intIn } from '@decnet/core';
import { CA_CERT_FILE, SYSLOG_TLS_PORT, defaultPkiDir } from '@decnet/pki';
import { DEFAULT_MAX_FRAME_BYTES } from '@decnet/syslog';

/** Everything the listener can be told; each field documents its environment key and default. */
export interface ListenerOptions {
  /**
   * Address to bind. Loopback by default so `decnet up` opens nothing to the network unasked;
   * set `0.0.0.0` (or `::`) for remote forwarders. @default '127.0.0.1' (DECNET_LISTENER_BIND)
   */
  bind: string;
  /** TCP port; 0 picks a free one. @default 6514 (DECNET_LISTENER_PORT) */
  port: number;
  /** Server certificate (PEM). @default `$DECNET_HOME/pki/listener.crt` (DECNET_LISTENER_CERT) */
  certFile: string;
  /** Server private key (PEM). @default `$DECNET_HOME/pki/listener.key` (DECNET_LISTENER_KEY) */
  keyFile: string;
  /** CA that client certificates must chain to. @default `$DECNET_HOME/pki/ca.crt` (DECNET_LISTENER_CA) */
  caFile: string;
  /** Largest frame accepted, in bytes; a larger one closes the connection. @default 65536 (DECNET_LISTENER_MAX_FRAME_BYTES) */
  maxFrameBytes: number;
  /** Concurrent connections; more are refused. @default 256 (DECNET_LISTENER_MAX_CONNECTIONS) */
  maxConnections: number;
  /** A connection silent this long is closed (stalled clients). @default 300 (DECNET_LISTENER_IDLE_TIMEOUT_SEC) */
  idleTimeoutSec: number;
  /** A TLS handshake not done in this time is aborted. @default 10000 (DECNET_LISTENER_HANDSHAKE_TIMEOUT_MS) */
  handshakeTimeoutMs: number;
  /** Publishes outstanding on one connection before it stops being read. @default 5000 (DECNET_LISTENER_MAX_INFLIGHT) */
  maxInflight: number;
  /** How often a listener without its TLS files looks for them again. @default 15000 (DECNET_LISTENER_PKI_RETRY_MS) */
  pkiRetryMs: number;
}

/** {@link ListenerOptions} after validation. */
export type CompiledListenerOptions = Readonly<ListenerOptions>;

/** Defaults that do not depend on DECNET_HOME. */
export const LISTENER_DEFAULTS = {
  bind: '127.0.0.1',
  port: SYSLOG_TLS_PORT,
  maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
  maxConnections: 256,
  idleTimeoutSec: 300,
  handshakeTimeoutMs: 10_000,
  maxInflight: 5_000,
  pkiRetryMs: 15_000,
} as const satisfies Omit<ListenerOptions, 'certFile' | 'keyFile' | 'caFile'>;

/** Certificate name `decnet pki issue` uses for the listener by default. */
export const LISTENER_CERT_NAME = 'listener';

/** Default TLS material paths under `home`. */
export function defaultListenerPaths(home: string): Pick<ListenerOptions, 'certFile' | 'keyFile' | 'caFile'> {
  const dir = defaultPkiDir(home);
  return {
    certFile: join(dir, `${LISTENER_CERT_NAME}.crt`),
    keyFile: join(dir, `${LISTENER_CERT_NAME}.key`),
    caFile: join(dir, CA_CERT_FILE),
  };
}

type Env = Record<string, string | undefined>;

/**
 * Reads DECNET_LISTENER_* from `env`, applies defaults, then `overrides` (tests, embedding).
 * @throws ConfigValidationError listing every invalid key.
 */
export function compileListenerOptions(env: Env, home: string, overrides: Partial<ListenerOptions> = {}): CompiledListenerOptions {
  const reader = envReader(env);
  const { read } = reader;
  const d = LISTENER_DEFAULTS;
  const paths = defaultListenerPaths(home);
  const options: ListenerOptions = {
    bind: read('DECNET_LISTENER_BIND', 'an IP address', d.bind, (v) => (isIP(v) !== 0 ? v : undefined)),
    port: read('DECNET_LISTENER_PORT', 'a port from 0 to 65535', d.port, intIn(0, 65_535)),
    certFile: read('DECNET_LISTENER_CERT', 'an absolute path', paths.certFile, absolutePath),
    keyFile: read('DECNET_LISTENER_KEY', 'an absolute path', paths.keyFile, absolutePath),
    caFile: read('DECNET_LISTENER_CA', 'an absolute path', paths.caFile, absolutePath),
    maxFrameBytes: read('DECNET_LISTENER_MAX_FRAME_BYTES', 'bytes from 1024 to 1048576', d.maxFrameBytes, intIn(1024, 1_048_576)),
    maxConnections: read('DECNET_LISTENER_MAX_CONNECTIONS', 'an integer from 1 to 65535', d.maxConnections, intIn(1, 65_535)),
    idleTimeoutSec: read('DECNET_LISTENER_IDLE_TIMEOUT_SEC', 'seconds from 1 to 86400', d.idleTimeoutSec, intIn(1, 86_400)),
    handshakeTimeoutMs: read('DECNET_LISTENER_HANDSHAKE_TIMEOUT_MS', 'milliseconds from 100 to 120000', d.handshakeTimeoutMs, intIn(100, 120_000)),
    maxInflight: read('DECNET_LISTENER_MAX_INFLIGHT', 'an integer from 10 to 1000000', d.maxInflight, intIn(10, 1_000_000)),
    pkiRetryMs: read('DECNET_LISTENER_PKI_RETRY_MS', 'milliseconds from 100 to 3600000', d.pkiRetryMs, intIn(100, 3_600_000)),
  };
  reader.assertValid();
  return Object.freeze({ ...options, ...overrides });
}
