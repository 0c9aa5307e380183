// The whole suite: every project's vitest config. `npm test` runs this through
// tools/testing/run-tests.mjs, which brings up Kafka and a fresh Postgres database first.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'tools/*/vitest.config.ts'],
    reporters: ['default'],
  },
});
