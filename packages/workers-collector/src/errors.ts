// The collector's error classes.
import { DecnetError } from '@decnet/core';

/** Thrown when a listener cannot bind its address (in use, not permitted); the host retries with backoff. */
export class ListenError extends DecnetError {
  constructor(
    readonly transport: 'udp' | 'tcp',
    readonly address: string,
    readonly port: number,
    options?: { cause?: unknown },
  ) {
    super(`cannot listen on ${transport} ${address}:${port}`, options);
  }
}
