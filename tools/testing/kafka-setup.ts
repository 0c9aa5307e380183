// vitest globalSetup for suites that need Kafka: unless KAFKA_BROKERS is already set (CI, `npm
// test`), starts a single-node broker from tools/kafka on a free loopback port, exports its address
// to the test workers (env and `inject('kafkaBrokers')`), and stops it after the run.
import type { ProvidedContext } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap servers of the test broker, comma-separated. */
    kafkaBrokers: string;
  }
}

/** The slice of vitest's TestProject this setup uses. */
interface ProvidingProject {
  provide<K extends keyof ProvidedContext & string>(key: K, value: ProvidedContext[K]): void;
}

export default async function setup(project?: ProvidingProject): Promise<(() => Promise<void>) | undefined> {
  const existing = process.env.KAFKA_BROKERS;
  if (existing) {
    project?.provide('kafkaBrokers', existing);
    return undefined;
  }
  // Loaded only when needed: a run against an existing broker never touches tools/kafka.
  const { startKafka } = await import('@decnet/tool-kafka');
  const began = Date.now();
  const broker = await startKafka({
    log: { warn: (message, meta) => process.stderr.write(`kafka-setup: ${message} ${JSON.stringify(meta ?? {})}\n`) },
  });
  const brokers = broker.brokers.join(',');
  process.env.KAFKA_BROKERS = brokers;
  project?.provide('kafkaBrokers', brokers);
  process.stderr.write(`kafka-setup: Kafka ready at ${brokers} in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
  return async () => {
    await broker.stop();
    if (process.env.KAFKA_BROKERS === brokers) delete process.env.KAFKA_BROKERS;
  };
}
