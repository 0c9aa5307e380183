// Chooses the bus backend from configuration. Kafka is loaded on demand so a process on the
// in-memory bus (tests, `decnet up`) never evaluates kafkajs.
import { MemoryBroker, NullBus, type BusTransport, type DecnetConfig, type Logger } from '@decnet/core';

/**
 * Opens the bus named by `config.bus`. For Kafka this retries until connected (logging the
 * broker address on each failure) or until `signal` aborts.
 */
export async function openBusTransport(config: DecnetConfig, log: Logger, signal?: AbortSignal): Promise<BusTransport> {
  switch (config.bus) {
    case 'memory':
      return new MemoryBroker();
    case 'none':
      return { connect: (name) => new NullBus(name), close: () => Promise.resolve() };
    case 'kafka': {
      const { openKafkaTransport } = await import('@decnet/bus-kafka');
      return openKafkaTransport({
        brokers: config.kafkaBrokers,
        prefix: config.kafkaPrefix,
        instanceId: config.instanceId,
        log,
        ...(signal ? { signal } : {}),
      });
    }
  }
}
