import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('service-ssh', { testTimeout: 120_000 });
