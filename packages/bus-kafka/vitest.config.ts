import { defineDecnetProject } from '@decnet/testing/vitest-preset';

// Integration suite against a real broker: tools/testing/kafka-setup.ts starts one unless
// KAFKA_BROKERS names it; files run one after another because they share that broker.
export default defineDecnetProject('bus-kafka', {
  globalSetup: ['../../tools/testing/kafka-setup.ts'],
  serial: true,
  testTimeout: 60_000,
});
