import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('service-ftp', { testTimeout: 120_000 });
