import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('worker-forwarder', {
  globalSetup: ['../../tools/testing/kafka-setup.ts'],
  serial: true,
  testTimeout: 90_000,
});
