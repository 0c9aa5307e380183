import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('testing', { testTimeout: 120_000 });
