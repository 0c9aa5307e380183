import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('service-telnet', { testTimeout: 120_000 });
