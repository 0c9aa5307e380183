import { defineDecnetProject } from '@decnet/testing/vitest-preset';

export default defineDecnetProject('deploy');
