// The shipped pack against what attackers actually type (fixtures/rule-pack-cases.yaml): every
// rule fires on its variants and stays quiet on ordinary admin work and benign text using the
// same words; ordinary commands fire nothing; whole attack lines get exactly their techniques.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { AttackCatalog } from './attack-catalog.js';
import { TtpEngine } from './engine.js';
import { loadShippedRules } from './rule-pack.js';
import { DEFAULT_MATCH_FIELDS, type Rule, type SourceKind } from './rule.js';

type Input = string | Record<string, unknown>;

interface RuleCases {
  readonly kind?: SourceKind;
  readonly field?: string;
  readonly fires: readonly Input[];
  readonly quiet: readonly Input[];
}

interface CaseFile {
  readonly rules: Readonly<Record<string, RuleCases>>;
  readonly benign: readonly string[];
  readonly lines: readonly { readonly input: string; readonly techniques: readonly string[] }[];
}

const CASES = parse(readFileSync(new URL('./fixtures/rule-pack-cases.yaml', import.meta.url), 'utf8')) as CaseFile;
const attack = AttackCatalog.curated();
const pack = loadShippedRules(attack);
const engine = new TtpEngine(pack.rules, attack);

function payloadFor(rule: Rule, cases: RuleCases, input: Input): Record<string, unknown> {
  if (typeof input !== 'string') return input;
  const kind = cases.kind ?? 'command';
  const field =
    cases.field ?? (rule.match.type === 'pattern' ? rule.match.field : undefined) ?? DEFAULT_MATCH_FIELDS[kind];
  if (field === undefined) throw new Error(`${rule.ruleId}: a string case needs a field`);
  return { [field]: input };
}

function firedBy(kind: string, payload: Record<string, unknown>): string[] {
  return [...new Set(engine.tag({ sourceKind: kind, sourceId: 'case#1', payload }).map((t) => t.ruleId))].sort();
}

const label = (input: Input): string => (typeof input === 'string' ? input : JSON.stringify(input)).slice(0, 140);

const table = Object.entries(CASES.rules).flatMap(([ruleId, cases]) => [
  ...cases.fires.map((input) => ({ ruleId, cases, input, fires: true })),
  ...cases.quiet.map((input) => ({ ruleId, cases, input, fires: false })),
]);

describe('the case table covers the whole pack', () => {
  it('has fires and quiet cases for every rule (none fire for the dormant R0030 and the bump-only R0058)', () => {
    expect(pack.rules).toHaveLength(64);
    expect(Object.keys(CASES.rules).sort()).toEqual(pack.rules.map((r) => r.ruleId));
    for (const [ruleId, cases] of Object.entries(CASES.rules)) {
      expect(cases.quiet.length, ruleId).toBeGreaterThan(0);
      expect(cases.fires.length, ruleId).toBeGreaterThanOrEqual(['R0030', 'R0058'].includes(ruleId) ? 0 : 1);
    }
    const patternRules = pack.rules.filter((r) => r.match.type === 'pattern').map((r) => r.ruleId);
    for (const id of patternRules) {
      expect(CASES.rules[id]?.fires.length, id).toBeGreaterThanOrEqual(9);
      expect(CASES.rules[id]?.quiet.length, id).toBeGreaterThanOrEqual(5);
    }
  });
});

describe('each rule fires on the variants attackers use and stays quiet otherwise', () => {
  it.each(table.map((c) => [c.ruleId, c.fires ? 'fires on' : 'stays quiet on', label(c.input), c] as const))(
    '%s %s %s',
    (ruleId, _verb, _label, c) => {
      const rule = engine.rule(ruleId);
      expect(rule, ruleId).toBeDefined();
      const kind = c.cases.kind ?? 'command';
      const fired = firedBy(kind, payloadFor(rule as Rule, c.cases, c.input));
      if (c.fires) expect(fired).toContain(ruleId);
      else expect(fired).not.toContain(ruleId);
    },
  );
});

describe('ordinary commands fire no rule', () => {
  it.each(CASES.benign)('%s', (command) => {
    expect(firedBy('command', { command_text: command })).toEqual([]);
  });
});

describe('whole attack lines get exactly their techniques', () => {
  it.each(CASES.lines.map((l) => [l.input, l.techniques] as const))('%s', (input, techniques) => {
    const tags = engine.tag({ sourceKind: 'command', sourceId: 'line#1', payload: { command_text: input } });
    expect([...new Set(tags.map((t) => t.subTechniqueId ?? t.techniqueId))].sort()).toEqual([...techniques].sort());
  });
});
