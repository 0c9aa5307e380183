// Types of vitest-preset.mjs.
import type { defineProject } from 'vitest/config';

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
export declare function defineDecnetProject(name: string, options?: DecnetProjectOptions): ReturnType<typeof defineProject>;
