// The lint constraint that keeps tools out of the product: a planted import of a tool (test
// tooling, the local Kafka, a measurement tool) in shipped code of every kind fails
// `@nx/enforce-module-boundaries`; the same import in a tool, or test tooling in a test, passes.
import { join, resolve } from 'node:path';
import { createProjectGraphAsync, type ProjectGraph } from '@nx/devkit';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const RULE = '@nx/enforce-module-boundaries';
let eslint: ESLint;
let graph: ProjectGraph;

interface DepConstraint {
  sourceTag: string;
  onlyDependOnLibsWithTags?: string[];
}

beforeAll(async () => {
  // The rule reads the cached project graph: make sure it reflects the tags on disk.
  graph = await createProjectGraphAsync({ exitOnError: false });
  // Only the boundary rule runs, so the planted files need no TypeScript program of their own.
  eslint = new ESLint({
    cwd: ROOT,
    ruleFilter: ({ ruleId }) => ruleId === RULE,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parserOptions: { projectService: false, project: null } } }],
  });
});

/** The boundary messages for `code` linted as if it were the file at `path` (relative to the root). */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === RULE || m.fatal).map((m) => m.message);
}

describe('tools are tagged apart from the product', () => {
  it('tags every project under tools/ type:tool and no other project', () => {
    const projects = Object.values(graph.nodes).map((n) => ({ name: n.name, root: n.data.root, tags: n.data.tags ?? [] }));
    expect(projects.filter((p) => p.root.startsWith('tools/') && !p.tags.includes('type:tool')).map((p) => p.name)).toEqual([]);
    expect(projects.filter((p) => !p.root.startsWith('tools/') && p.tags.includes('type:tool')).map((p) => p.name)).toEqual([]);
    expect(projects.filter((p) => p.root.startsWith('tools/')).length).toBeGreaterThanOrEqual(5);
  });

  it('lets no product tag depend on type:tool', async () => {
    const config = (await eslint.calculateConfigForFile(join(ROOT, 'packages/core/src/index.ts'))) as {
      rules: Record<string, [unknown, { depConstraints: DepConstraint[] }]>;
    };
    const constraints = config.rules[RULE]?.[1].depConstraints ?? [];
    expect(constraints.length).toBeGreaterThan(5);
    const opened = constraints.filter((c) => c.sourceTag !== 'type:tool' && c.onlyDependOnLibsWithTags?.includes('type:tool'));
    expect(opened.map((c) => c.sourceTag)).toEqual([]);
  });
});

describe('a product package that imports a tool fails lint', () => {
  it.each([
    ['type:core', 'packages/core/src/planted.ts', "import { startKafka } from '@decnet/tool-kafka';"],
    ['type:pure', 'packages/topology/src/planted.ts', "import { createScratchDatabase } from '@decnet/testing/postgres';"],
    ['type:service', 'packages/services-ssh/src/planted.ts', "import { startKafka } from '@decnet/tool-kafka';"],
    ['type:service-kit', 'packages/decky-kit/src/planted.ts', "import { startKafka } from '@decnet/tool-kafka';"],
    ['type:db', 'packages/db/src/planted.ts', "import { createScratchDatabase } from '@decnet/testing/postgres';"],
    ['type:bus', 'packages/bus-kafka/src/planted.ts', "import { startKafka } from '@decnet/tool-kafka';"],
    ['type:host', 'packages/host/src/planted.ts', "import * as footprint from '@decnet/tool-footprint';"],
    ['type:driver', 'packages/deploy/src/planted.ts', "import { startKafka } from '../../../tools/kafka/kafka.mjs';"],
    ['type:worker', 'packages/workers-webhook/src/planted.ts', "import { createScratchDatabase } from '@decnet/testing/postgres';"],
    ['type:app', 'apps/cli/src/planted.ts', "import * as footprint from '@decnet/tool-footprint';"],
    ['type:app', 'apps/supervise/src/planted.ts', "import { startKafka } from '@decnet/tool-kafka';"],
  ])('%s: %s', async (_tag, path, importLine) => {
    const errors = await boundaryErrors(path, `${importLine}\nexport const planted = 1;\n`);
    expect(errors.length, `expected a ${RULE} error in ${path}`).toBeGreaterThan(0);
  });

  it('names the violated constraint', async () => {
    const errors = await boundaryErrors('packages/core/src/planted.ts', "import { startKafka } from '@decnet/tool-kafka';\nexport const s = startKafka;\n");
    expect(errors.join('\n')).toMatch(/tagged with "type:core" cannot depend on any libs/);
    const kit = await boundaryErrors('packages/db/src/planted.ts', "import { createScratchDatabase } from '@decnet/testing/postgres';\nexport const c = createScratchDatabase;\n");
    expect(kit.join('\n')).toMatch(/tagged with "type:db" can only depend on libs tagged with/);
  });
});

describe('tools and tests may use the tools', () => {
  it('passes a tool importing another tool and the product', async () => {
    const code = "import { startKafka } from '@decnet/tool-kafka';\nimport { CATALOG } from '@decnet/supervise';\nexport const x = [startKafka, CATALOG];\n";
    expect(await boundaryErrors('tools/footprint/src/planted.ts', code)).toEqual([]);
  });

  it('passes test tooling imported by a test kit and a vitest config', async () => {
    expect(await boundaryErrors('packages/db/src/testing.ts', "import { createScratchDatabase } from '@decnet/testing/postgres';\nexport const c = createScratchDatabase;\n")).toEqual([]);
    expect(await boundaryErrors('packages/core/vitest.config.ts', "import { defineDecnetProject } from '@decnet/testing/vitest-preset';\nexport default defineDecnetProject('core');\n")).toEqual([]);
  });

  it('passes test tooling imported by a product package test', async () => {
    const code = "import { createScratchDatabase } from '@decnet/testing/postgres';\nimport { startKafka } from '@decnet/tool-kafka';\nexport const x = [createScratchDatabase, startKafka];\n";
    expect(await boundaryErrors('packages/workers-webhook/src/planted.test.ts', code)).toEqual([]);
  });
});
