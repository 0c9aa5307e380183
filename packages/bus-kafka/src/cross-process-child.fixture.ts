// Child process of cross-process.test.ts: opens its own Kafka transport, subscribes to the
// patterns in TEST_PATTERNS and reports each delivered event as one JSON line on stdout.
// Exits cleanly when its stdin closes.
import { silentLogger } from '@decnet/core';
import { openKafkaTransport } from './transport.js';

const write = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

const transport = await openKafkaTransport({
  brokers: (process.env['KAFKA_BROKERS'] ?? '').split(','),
  prefix: process.env['TEST_PREFIX'] ?? '',
  instanceId: `child-${process.pid}`,
  log: silentLogger,
});
const bus = transport.connect('child-subscriber');
const patterns = JSON.parse(process.env['TEST_PATTERNS'] ?? '[]') as string[];
const subs = patterns.map((pattern) =>
  bus.subscribe(pattern, (event) => write({ pattern, subject: event.topic, id: event.id, origin: event.origin, payload: event.payload })),
);
await Promise.all(subs.map((s) => s.ready));
write({ ready: true, pid: process.pid });

process.stdin.resume();
process.stdin.on('end', () => {
  void transport.close().then(() => write({ closed: true, stats: bus.stats() }));
});
