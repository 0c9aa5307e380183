import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('worker-ttp', {
  globalSetup: ['../../tools/testing/kafka-setup.ts', '../../tools/testing/postgres-setup.ts'],
  serial: true,
  testTimeout: 60_000,
});
