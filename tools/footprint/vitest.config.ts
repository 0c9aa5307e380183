import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('tool-footprint', { testTimeout: 120_000 });
