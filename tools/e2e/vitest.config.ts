import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('tool-e2e', {
  globalSetup: ['../../tools/testing/kafka-setup.ts', '../../tools/testing/postgres-setup.ts'],
  serial: true,
  testTimeout: 240_000,
});
