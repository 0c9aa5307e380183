// Error classes of the decky kit: each names one failure an operator or a caller can act on,
// with the context in readonly fields.
import { DecnetError } from '@decnet/core';

/** One invalid environment variable: its name and what was wrong, never the secret value itself. */
export interface ConfigIssue {
  /** The environment variable (`SSH_PORT`, `NODE_NAME`, ...). */
  readonly key: string;
  /** A constant description of the problem. */
  readonly message: string;
}

/**
 * Thrown when a service's environment does not validate. Every problem is collected before this
 * is thrown, so one run of the service reports all of them; `issues` lists them one per variable.
 */
export class ServiceConfigError extends DecnetError {
  constructor(
    readonly service: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`invalid configuration for service ${service}:\n${issues.map((i) => `  ${i.key}: ${i.message}`).join('\n')}`);
  }
}

/** Thrown when a service cannot bind its listening socket (port in use, permission denied...). */
export class ServiceListenError extends DecnetError {
  constructor(
    readonly service: string,
    readonly host: string,
    readonly port: number,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(
      `service ${service} cannot listen on ${host}:${port} (${code})` +
        (code === 'EACCES' ? '; ports below 1024 need root or CAP_NET_BIND_SERVICE' : '') +
        (code === 'EADDRINUSE' ? '; another process holds that port' : ''),
      options,
    );
  }
}

/** Thrown when a service slug is not known to the caller's registry. */
export class UnknownServiceError extends DecnetError {
  constructor(
    readonly slug: string,
    readonly known: readonly string[],
  ) {
    super(`unknown service ${JSON.stringify(slug)}; known: ${known.join(', ')}`);
  }
}

/** Thrown when a LOG_TARGET value is not `host:port`, `tcp://host:port` or `udp://host:port`. */
export class LogTargetError extends DecnetError {
  constructor(readonly value: string) {
    super(`LOG_TARGET must be host:port, tcp://host:port or udp://host:port, got ${JSON.stringify(value.slice(0, 100))}`);
  }
}
