// The lint rule, driven through ESLint's Node API with the repository's own rule block: a
// subject literal planted in a worker fails, the same code through the catalogue passes, and the
// rule's roots and patterns are the catalogue's.
import { join, resolve } from 'node:path';
import { EVENT_LIST, EVENT_ROOTS } from '@decnet/core';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogueShape } from './eslint-plugin.mjs';

const ROOT = resolve(import.meta.dirname, '../../..');
const RULE = 'decnet-events/no-subject-literal';
let eslint: ESLint;

beforeAll(async () => {
  // The block exactly as eslint.config.mjs wires it (a computed specifier: the config is plain JS).
  const configUrl = new URL('../../../eslint.config.mjs', import.meta.url).href;
  const { subjectLiteralConfig } = (await import(configUrl)) as { subjectLiteralConfig: Linter.Config[] };
  eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...subjectLiteralConfig],
  });
});

async function lint(code: string, file: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result?.messages ?? [];
}

describe('no-subject-literal refuses bus subjects spelled outside the catalogue', () => {
  it('flags a planted literal, a template head and an uncatalogued subject in a worker', async () => {
    const messages = await lint(
      [
        "import type { Bus } from '@decnet/core';",
        'export async function announce(bus: Bus, service: string): Promise<void> {',
        "  await bus.publish('attacker.observed', { attacker_ip: '198.51.100.7' });",
        '  await bus.publish(`log.event.${service}`, {});',
        "  bus.subscribe('attacker.pwned', () => undefined);",
        "  bus.subscribe('system.*.health', () => undefined);",
        '}',
      ].join('\n'),
      'packages/workers-x/src/x.ts',
    );
    expect(messages.map((m) => [m.ruleId, m.line])).toEqual([
      [RULE, 3],
      [RULE, 4],
      [RULE, 5],
      [RULE, 6],
    ]);
    expect(messages[0]?.message).toContain('EVENTS');
    expect(messages.every((m) => m.severity === 2)).toBe(true);
  });

  it('passes the same code written through the catalogue, and strings that only look alike', async () => {
    const messages = await lint(
      [
        "import { EVENTS, rootPattern, type Bus } from '@decnet/core';",
        "import { readFileSync } from 'node:fs';",
        'export async function announce(bus: Bus, service: string): Promise<void> {',
        "  await bus.publish(EVENTS.attackerObserved.subject, { attacker_ip: '198.51.100.7' });",
        '  await bus.publish(EVENTS.logEvent.subject(service), {});',
        "  bus.subscribe(rootPattern('attacker'), () => undefined);",
        "  readFileSync('decky.log');",
        "  const relay = 'smtp.example.com';",
        "  const broken = 'attacker..x';",
        "  const sentence = 'attacker.observed is published by the profiler';",
        '  void relay; void broken; void sentence;',
        '}',
      ].join('\n'),
      'packages/workers-x/src/x.ts',
    );
    expect(messages).toEqual([]);
  });

  it('lets the catalogue itself spell subjects', async () => {
    const messages = await lint("export const subject = 'attacker.observed';\n", 'packages/core/src/events/x.ts');
    expect(messages).toEqual([]);
  });
});

describe('the rule knows the catalogue', () => {
  it('uses exactly the catalogue roots and patterns', () => {
    expect(catalogueShape.roots).toEqual([...EVENT_ROOTS]);
    expect(catalogueShape.patterns).toEqual(EVENT_LIST.map((e) => e.pattern));
  });
});
