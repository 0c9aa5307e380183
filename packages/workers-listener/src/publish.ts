// Durable publishing for the listener, on core's publishUntilAcknowledged (the collector's policy
// too): a publish the bus cannot take yet is retried with the same envelope id until it is
// acknowledged or the worker stops; a publish the bus refuses for good is reported as such, so
// the line is counted and skipped instead of wedging the sender.
import { everyNth, publishUntilAcknowledged, type Bus, type Logger } from '@decnet/core';
import type { PublishItem } from './record.js';
import type { PublishResult } from './session.js';

/** A publish function for {@link ListenerServer} on `bus`, stopping its retries when `signal` aborts. */
export function durablePublisher(bus: Bus, signal: AbortSignal, log: Logger): (item: PublishItem) => Promise<PublishResult> {
  const warnRetry = everyNth(log, 'warn', 'bus refused a publish; retrying');
  const warnRejected = everyNth(log, 'error', 'bus rejected an event for good; skipped');
  return async (item) => {
    const result = await publishUntilAcknowledged(
      bus,
      item.subject,
      item.payload,
      { id: item.id, key: item.key, type: item.type },
      signal,
      (err, retryInMs) => warnRetry({ subject: item.subject, reason: err.message, retryInMs }),
    );
    if (result.outcome === 'rejected') warnRejected({ subject: item.subject, id: item.id, reason: result.error.message });
    return result.outcome;
  };
}
