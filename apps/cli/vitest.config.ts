import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('cli', {
  globalSetup: ['../../tools/testing/postgres-setup.ts'],
  testTimeout: 120_000,
});
