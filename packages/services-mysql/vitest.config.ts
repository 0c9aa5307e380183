import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('service-mysql', { testTimeout: 120_000 });
