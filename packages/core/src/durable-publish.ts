// Publishing that outlasts a bus outage: the same envelope (same id) is published again, with
// backoff, until the bus acknowledges it, refuses it for good, or the caller stops. The workers
// that turn input lines into events (collector, listener) share it, so they share one policy.
import type { Bus } from './bus.js';
import type { Payload, PublishOptions } from './envelope.js';
import { BusUnavailableError } from './errors.js';
import { sleep } from './worker.js';

/** First wait before publishing again after the bus was unavailable; doubles up to the max. */
export const PUBLISH_RETRY_INITIAL_MS = 500;
/** Longest wait between two attempts at one publish. */
export const PUBLISH_RETRY_MAX_MS = 15_000;

/** What became of one {@link publishUntilAcknowledged}. */
export type DurablePublishResult =
  | { readonly outcome: 'ok' }
  /** The bus refused the event for good (e.g. too large): publishing again cannot help. */
  | { readonly outcome: 'rejected'; readonly error: Error }
  /** `signal` aborted first; `error` is the failure that found it aborted, absent when it aborted a wait. */
  | { readonly outcome: 'aborted'; readonly error?: Error };

/**
 * Publishes until the bus acknowledges the event. Retries (same id, so consumers deduplicate)
 * only while the bus is unavailable (BusUnavailableError); never rejects.
 * @param onRetry told before each wait, with the failure and the wait
 */
export async function publishUntilAcknowledged(
  bus: Bus,
  subject: string,
  payload: Payload,
  options: PublishOptions,
  signal: AbortSignal,
  onRetry: (error: BusUnavailableError, retryInMs: number) => void = () => undefined,
): Promise<DurablePublishResult> {
  let delay = PUBLISH_RETRY_INITIAL_MS;
  for (;;) {
    try {
      await bus.publish(subject, payload, options);
      return { outcome: 'ok' };
    } catch (err) {
      if (!(err instanceof BusUnavailableError)) return { outcome: 'rejected', error: err as Error };
      if (signal.aborted) return { outcome: 'aborted', error: err };
      onRetry(err, delay);
      if (!(await sleep(delay, signal))) return { outcome: 'aborted' };
      delay = Math.min(delay * 2, PUBLISH_RETRY_MAX_MS);
    }
  }
}
