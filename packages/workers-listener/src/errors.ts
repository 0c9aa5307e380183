// The listener's error classes.
import { DecnetError } from '@decnet/core';

/** Thrown when the listener cannot bind its address (in use, not permitted); the host retries with backoff. */
export class ListenError extends DecnetError {
  constructor(
    readonly address: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(`cannot listen on ${address}:${port}`, options);
  }
}

/** Thrown when the TLS material exists but cannot be used (not PEM, key and certificate mismatch). */
export class ListenerTlsError extends DecnetError {
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`listener TLS material unusable (${path}): ${reason}`, options);
  }
}
