import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('worker-profiler', {
  globalSetup: ['../../tools/testing/postgres-setup.ts'],
  serial: true,
  testTimeout: 60_000,
});
