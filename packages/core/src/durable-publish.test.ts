import { describe, expect, it } from 'vitest';
import type { Bus } from './bus.js';
import { emptyBusStats } from './bus.js';
import { PUBLISH_RETRY_INITIAL_MS, publishUntilAcknowledged } from './durable-publish.js';
import { BusUnavailableError, MessageTooLargeError } from './errors.js';
import { EVENTS } from './events/catalogue.js';

/** A bus whose publishes fail with `failures`, in order, then succeed. */
function flakyBus(failures: Error[]): Bus & { attempts: { subject: string; id: string | undefined }[] } {
  const attempts: { subject: string; id: string | undefined }[] = [];
  return {
    clientName: 'flaky',
    attempts,
    publish: async (subject, _payload, options) => {
      attempts.push({ subject, id: options?.id });
      const failure = failures.shift();
      if (failure) throw failure;
    },
    subscribe: () => {
      throw new Error('not used');
    },
    close: async () => undefined,
    stats: emptyBusStats,
  };
}

const unavailable = (): BusUnavailableError => new BusUnavailableError('127.0.0.1:1');

describe('publishUntilAcknowledged', () => {
  it('publishes the same id again while the bus is unavailable, then succeeds', async () => {
    const bus = flakyBus([unavailable()]);
    const retries: number[] = [];
    const result = await publishUntilAcknowledged(bus, EVENTS.logEvent.subject('ssh'), {}, { id: 'e-1' }, new AbortController().signal, (_err, ms) =>
      retries.push(ms),
    );
    expect(result).toEqual({ outcome: 'ok' });
    expect(retries).toEqual([PUBLISH_RETRY_INITIAL_MS]);
    expect(bus.attempts).toEqual([
      { subject: EVENTS.logEvent.subject('ssh'), id: 'e-1' },
      { subject: EVENTS.logEvent.subject('ssh'), id: 'e-1' },
    ]);
  });

  it('gives up at once on a refusal that retrying cannot fix', async () => {
    const refusal = new MessageTooLargeError(EVENTS.logEvent.subject('ssh'), 2_000_000, 1_048_576);
    const bus = flakyBus([refusal]);
    const result = await publishUntilAcknowledged(bus, EVENTS.logEvent.subject('ssh'), {}, {}, new AbortController().signal, () => {
      throw new Error('no retry expected');
    });
    expect(result).toEqual({ outcome: 'rejected', error: refusal });
    expect(bus.attempts).toHaveLength(1);
  });

  it('stops when the signal has aborted, naming the failure it stopped at', async () => {
    const stop = new AbortController();
    stop.abort();
    const failure = unavailable();
    const result = await publishUntilAcknowledged(flakyBus([failure]), EVENTS.logEvent.subject('ssh'), {}, {}, stop.signal);
    expect(result).toEqual({ outcome: 'aborted', error: failure });
  });

  it('stops during the wait when the signal aborts, without a failure to name', async () => {
    const stop = new AbortController();
    const pending = publishUntilAcknowledged(flakyBus([unavailable(), unavailable()]), EVENTS.logEvent.subject('ssh'), {}, {}, stop.signal, () =>
      setTimeout(() => stop.abort(), 10),
    );
    const result = await pending;
    expect(result).toEqual({ outcome: 'aborted' });
  });
});
