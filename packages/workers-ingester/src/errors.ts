// The ingester's error classes.
import { DecnetError } from '@decnet/core';

/** Thrown inside a flush that was given up because the worker is stopping; its events stay unacknowledged. */
export class FlushAbandonedError extends DecnetError {
  constructor(readonly events: number) {
    super(`batch of ${events} events abandoned at stop`);
  }
}
