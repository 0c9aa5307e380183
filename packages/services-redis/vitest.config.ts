import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('service-redis', { testTimeout: 120_000 });
