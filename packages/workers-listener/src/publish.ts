// Durable publishing for the listener: a publish the bus cannot take yet is retried with the
// same envelope id until it is acknowledged or the worker stops; a publish the bus refuses for
// good is reported as such, so the line is counted and skipped instead of wedging the sender.
import { BusUnavailableError, everyNth, sleep, type Bus, type Logger } from '@decnet/core';
import type { PublishItem } from './record.js';
import type { PublishResult } from './session.js';

/** First wait before re-publishing after the bus refused; doubles up to the max. */
const RETRY_INITIAL_MS = 500;
/** Longest wait between two attempts at one publish. */
const RETRY_MAX_MS = 15_000;

/** A publish function for {@link ListenerServer} on `bus`, stopping its retries when `signal` aborts. */
export function durablePublisher(bus: Bus, signal: AbortSignal, log: Logger): (item: PublishItem) => Promise<PublishResult> {
  const warnRetry = everyNth(log, 'warn', 'bus refused a publish; retrying');
  const warnRejected = everyNth(log, 'error', 'bus rejected an event for good; skipped');
  return async (item) => {
    let delay = RETRY_INITIAL_MS;
    for (;;) {
      try {
        await bus.publish(item.subject, item.payload, { id: item.id, key: item.key, type: item.type });
        return 'ok';
      } catch (err) {
        if (!(err instanceof BusUnavailableError)) {
          warnRejected({ subject: item.subject, id: item.id, reason: (err as Error).message });
          return 'rejected';
        }
        if (signal.aborted) return 'aborted';
        warnRetry({ subject: item.subject, reason: err.message, retryInMs: delay });
        if (!(await sleep(delay, signal))) return 'aborted';
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  };
}
