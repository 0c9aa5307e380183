import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('service-smtp', { testTimeout: 120_000 });
