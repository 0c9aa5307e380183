// Shared vitest project settings: resolve workspace packages from source through the
// '@decnet/source' export condition, so tests never need a build first. Plain JS because
// vitest loads config dependencies from node_modules with Node itself, which cannot run .ts.
import { defaultServerConditions } from 'vite';
import { defineProject } from 'vitest/config';

/**
 * Builds a vitest project config named after the Nx project.
 * @param {string} name
 * @param {import('./vitest-preset.d.mts').DecnetProjectOptions} [options]
 */
export function defineDecnetProject(name, options = {}) {
  const conditions = ['@decnet/source', ...defaultServerConditions];
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      name,
      include: ['src/**/*.test.ts'],
      environment: 'node',
      testTimeout: options.testTimeout ?? 15_000,
      hookTimeout: 120_000,
      globalSetup: options.globalSetup ?? [],
      ...(options.serial ? { fileParallelism: false } : {}),
    },
  });
}
