import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('tool-events', { testTimeout: 60_000 });
