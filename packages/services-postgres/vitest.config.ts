import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('service-postgres', { testTimeout: 120_000 });
