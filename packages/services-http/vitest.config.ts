import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('service-http', { testTimeout: 120_000 });
