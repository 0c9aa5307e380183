// Shared vitest project settings: resolve workspace packages from source through the
// '@decnet/source' export condition, so tests never need a build first.
import { defaultServerConditions } from 'vite';
import { defineProject } from 'vitest/config';

/** Options a project may add to the shared preset. */
export interface DecnetProjectOptions {
  /** Files run once per project before its tests (e.g. a Kafka or Postgres fixture). */
  globalSetup?: string[];
  /** Per-test timeout in ms. @default 15000 */
  testTimeout?: number;
  /** Run test files one after another (integration suites sharing a broker). @default false */
  serial?: boolean;
}

/** Builds a vitest project config named after the Nx project. */
export function defineDecnetProject(
  name: string,
  options: DecnetProjectOptions = {},
): ReturnType<typeof defineProject> {
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
