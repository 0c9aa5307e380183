// The forwarder's error classes.
import { DecnetError } from '@decnet/core';

/** Thrown when the peer completed TLS but did not negotiate the acknowledged link (not a decnet listener, or too old). */
export class LinkProtocolError extends DecnetError {
  constructor(
    readonly target: string,
    readonly reason: string,
  ) {
    super(`${target}: ${reason}`);
  }
}

/** Thrown when the TLS material exists but cannot be used (not PEM, key and certificate mismatch). */
export class ForwarderTlsError extends DecnetError {
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`forwarder TLS material unusable (${path}): ${reason}`, options);
  }
}
