// Opening a transport against a dead address: plain log lines, backoff, abort.
import { createServer } from 'node:net';
import { BusUnavailableError } from '@decnet/core';
import { eventually } from '@decnet/core/testing';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from './kafka-test-kit.fixture.js';
import { openKafkaTransport } from './transport.js';

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('an unreachable broker at open is reported plainly and retried until aborted', () => {
  it('logs one line per attempt naming the address, backs off, and stops when the signal aborts', async () => {
    const port = await deadPort();
    const address = `127.0.0.1:${port}`;
    const log = recordingLogger();
    const controller = new AbortController();
    const began = Date.now();
    const opening = openKafkaTransport({ brokers: [address], prefix: 'never', instanceId: 'i', log, signal: controller.signal });
    opening.catch(() => undefined);

    const unreachable = (): typeof log.lines => log.lines.filter((l) => l.level === 'warn' && l.message.startsWith('Kafka unreachable'));
    await eventually(() => unreachable().length >= 2, 10_000, 20);
    controller.abort();
    await expect(opening).rejects.toBeInstanceOf(BusUnavailableError);

    const [first, second] = unreachable();
    expect(first?.message).toBe(`Kafka unreachable at ${address}; retrying in 1s`);
    expect(second?.message).toBe(`Kafka unreachable at ${address}; retrying in 2s`);
    expect(first?.meta).toMatchObject({ brokers: address, retryInMs: 1000, attempt: 1 });
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_000);
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      openKafkaTransport({ brokers: ['127.0.0.1:1'], prefix: 'never', instanceId: 'i', log: recordingLogger(), signal: controller.signal }),
    ).rejects.toBeInstanceOf(BusUnavailableError);
  });
});
