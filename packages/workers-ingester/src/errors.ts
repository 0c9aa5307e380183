// The ingester's error classes.
import { DecnetError } from '@decnet/core';

/** Thrown when the database schema is missing or outdated (run `decnet db migrate`); the host restarts the worker with backoff. */
export class SchemaNotReadyError extends DecnetError {
  constructor(
    readonly sqlState: string,
    options?: { cause?: unknown },
  ) {
    super(`database schema is not ready (SQLSTATE ${sqlState}); run "decnet db migrate"`, options);
  }
}

/** Thrown inside a flush that was given up because the worker is stopping; its events stay unacknowledged. */
export class FlushAbandonedError extends DecnetError {
  constructor(readonly events: number) {
    super(`batch of ${events} events abandoned at stop`);
  }
}
