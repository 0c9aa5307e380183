import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('decky-kit', { testTimeout: 60_000 });
