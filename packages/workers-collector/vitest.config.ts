import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('worker-collector', { testTimeout: 30_000 });
