/**
 * KafkaBus: core's {@link Bus} on Apache Kafka through kafkajs, for multi-process and multi-host
 * fleets. One topic per subject root (`<prefix>.attacker`, `<prefix>.system.health`, …, and
 * `<prefix>.misc` for unknown roots), created at open; the full subject travels in a header and
 * wildcards are matched by the consumer. Same semantics as MemoryBus: every subscriber group
 * gets every matching event, instances of one worker share a group, `broadcast` reaches every
 * instance; delivery is at-least-once. Survives broker restarts.
 *
 * ```ts
 * import { openKafkaTransport } from '@decnet/bus-kafka';
 * const transport = await openKafkaTransport({ brokers: ['127.0.0.1:9092'], prefix: 'decnet', instanceId: 'h1-42', log });
 * const bus = transport.connect('webhook');
 * const sub = bus.subscribe('attacker.>', (event) => console.log(event.topic));
 * await sub.ready;
 * await bus.publish('attacker.observed', { attacker_ip: '198.51.100.7' }); // resolves when acknowledged
 * await transport.close();
 * ```
 * @module
 */

// errors.ts
export { KafkaPublishRejectedError } from './errors.js';
// kafka-bus.ts
export { KafkaBus } from './kafka-bus.js';
// options.ts
export type { CompiledKafkaTransportOptions, KafkaTransportOptions } from './options.js';
export {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_PARTITIONS,
  DEFAULT_PUBLISH_TIMEOUT_MS,
  INITIAL_CONNECT_BACKOFF_MS,
  MAX_CONNECT_BACKOFF_MS,
  compileOptions,
} from './options.js';
// topics.ts
export type { TopicSpec } from './topics.js';
export {
  MISC_TOPIC,
  SUBJECT_ROOTS,
  SYSTEM_TOPICS,
  TOPIC_MAX_MESSAGE_BYTES,
  allTopics,
  groupIdFor,
  topicForSubject,
  topicSpecs,
  topicsForPattern,
} from './topics.js';
// transport.ts
export type { KafkaTransportState } from './transport.js';
export { KafkaTransport, openKafkaTransport } from './transport.js';
