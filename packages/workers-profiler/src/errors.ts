// The profiler's error classes.
import { DecnetError } from '@decnet/core';

/**
 * Thrown when the stored cursor (`state` key `attacker_worker_cursor`) is not a cursor. The
 * profiler refuses to guess: starting over would count every event twice. Fix or delete the key
 * (deleting it rebuilds profiles from the first log row; truncate `attackers` first).
 */
export class CursorCorruptError extends DecnetError {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`state key ${key} does not hold a profiler cursor (${reason}); fix or delete it`);
  }
}
