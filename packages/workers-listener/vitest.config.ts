import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('worker-listener', { testTimeout: 30_000 });
