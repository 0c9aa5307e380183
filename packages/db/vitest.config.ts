import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('db', {
  globalSetup: ['../../tools/testing/postgres-setup.ts'],
  testTimeout: 60_000,
});
