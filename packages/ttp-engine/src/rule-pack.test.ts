// The shipped rule pack: it loads whole and clean, covers upstream's ids with the same techniques
// and kinds of match but in its own words and patterns (plus decnet's own R0060-R0064), cannot
// stall the matcher, scores the shared corpora at 0.95 precision and recall; and rule sets add
// to it or replace it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { AttackCatalog } from './attack-catalog.js';
import { FAST_PATH_MAX_CHARS, MAX_MATCH_INPUT_CHARS } from './compiled-pattern.js';
import { RECALL_TARGET, evaluateCorpus, parseCorpus } from './corpus.js';
import { TtpEngine } from './engine.js';
import {
  describeRuleSet,
  isShippedPackEmbedded,
  loadRuleSet,
  loadShippedRules,
  SHIPPED_PACK_ORIGIN,
  shippedPackLocation,
  shippedRuleTexts,
} from './rule-pack.js';
import type { Rule } from './rule.js';
import { UPSTREAM_CORPUS_DIR, UPSTREAM_RULES_DIR, upstreamEngine, upstreamRuleFiles } from './test-kit.fixture.js';

const attack = AttackCatalog.curated();
const pack = loadShippedRules(attack);
const engine = new TtpEngine(pack.rules, attack);
const byId = (rules: readonly Rule[]): Map<string, Rule> => new Map(rules.map((r) => [r.ruleId, r]));
const ids = (from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `R${String(from + i).padStart(4, '0')}`);
/** Rules decnet adds to upstream's ids. */
const ADDITIONS = ids(60, 64);

describe('the shipped pack loads whole and clean', () => {
  it('holds R0001-R0064, with no error and no warning, read from the source tree here', () => {
    expect(pack.errors.map((e) => e.message)).toEqual([]);
    expect(pack.warnings).toEqual([]);
    expect(pack.rules.map((r) => r.ruleId)).toEqual(ids(1, 64));
    expect(pack.dormant.map((r) => r.ruleId)).toEqual(['R0030']);
    expect(isShippedPackEmbedded()).toBe(false);
    expect(shippedPackLocation()).toMatch(/packages\/ttp-engine\/rules$/);
    expect(pack.rules[0]?.file).toBe(`${SHIPPED_PACK_ORIGIN}:R0001.yaml`);
  });

  it("marks every file as MIT, the project licence, and decnet's additions as such", () => {
    for (const { file, text } of shippedRuleTexts()) {
      expect(text.split('\n')[0], file).toContain('SPDX-License-Identifier: MIT');
      expect(text.includes("decnet's own addition"), file).toBe(ADDITIONS.some((id) => file.endsWith(`${id}.yaml`)));
    }
  });
});

describe("the pack covers upstream's rules in its own words", () => {
  const upstream = byId(upstreamEngine().report.rules);
  const upstreamText = new Map(
    upstreamRuleFiles().map((f) => [
      f,
      parse(readFileSync(join(UPSTREAM_RULES_DIR, f), 'utf8')) as Record<string, unknown>,
    ]),
  );

  it("has the same ids, source kinds, kind of match and techniques (R0031's T1029 moved to Exfiltration)", () => {
    expect([...upstream.keys()].sort()).toEqual(ids(1, 59));
    for (const rule of pack.rules.filter((r) => upstream.has(r.ruleId))) {
      const theirs = upstream.get(rule.ruleId) as Rule;
      expect(rule.appliesTo, rule.ruleId).toEqual(theirs.appliesTo);
      expect(rule.match.type, rule.ruleId).toBe(theirs.match.type);
      if (rule.match.type === 'lifter' && theirs.match.type === 'lifter')
        expect(rule.match.lifter, rule.ruleId).toBe(theirs.match.lifter);
      if (rule.match.type === 'pattern' && theirs.match.type === 'pattern')
        expect(rule.match.field, rule.ruleId).toBe(theirs.match.field);
      const emits = (r: Rule) =>
        r.emits.map((e) => [
          r.ruleId === 'R0031' && e.techniqueId === 'T1029' ? '-' : e.tactic,
          e.techniqueId,
          e.subTechniqueId ?? null,
          e.confidence,
        ]);
      expect(emits(rule), rule.ruleId).toEqual(emits(theirs));
      expect(rule.evidenceFields, rule.ruleId).toEqual(theirs.evidenceFields);
    }
    expect(engine.rule('R0031')?.emits.find((e) => e.techniqueId === 'T1029')?.tactic).toBe('TA0010');
  });

  it("shares no description and no pattern with upstream's files", () => {
    for (const { file, text } of shippedRuleTexts().filter(
      (t) => !ADDITIONS.some((id) => t.file.endsWith(`${id}.yaml`)),
    )) {
      const mine = parse(text) as {
        description: string;
        match: { pattern?: string; patterns?: string[]; paths?: string[]; filename_patterns?: string[] };
      };
      const theirs = upstreamText.get(file.slice(SHIPPED_PACK_ORIGIN.length + 1)) as {
        description: string;
        match: Record<string, unknown>;
      };
      const words = (s: string) => s.replace(/\s+/g, ' ').trim();
      expect(words(mine.description), file).not.toBe(words(theirs.description));
      for (const key of ['pattern', 'patterns', 'paths', 'filename_patterns'] as const) {
        const own = [mine.match[key] ?? []].flat();
        const upstreamPatterns = new Set([theirs.match[key] ?? []].flat() as string[]);
        for (const p of own) expect(upstreamPatterns.has(p), `${file} ${key}: ${p}`).toBe(false);
      }
    }
  });
});

describe('no pattern can stall the matcher', () => {
  const patternRules = pack.rules.filter((r) => r.match.type === 'pattern');

  it('has every pattern past the backtracking guard, of degree 2 at most (V8 runs inputs up to 2000 chars)', () => {
    expect(patternRules).toHaveLength(28);
    for (const rule of patternRules) {
      if (rule.match.type !== 'pattern') continue;
      expect(rule.match.pattern.degree, rule.ruleId).toBeLessThanOrEqual(2);
      expect(rule.match.pattern.fastPathMaxChars, rule.ruleId).toBeGreaterThanOrEqual(2000);
      expect(rule.match.pattern.linear, rule.ruleId).toBeDefined();
    }
    expect(FAST_PATH_MAX_CHARS).toBeGreaterThanOrEqual(2000);
  });

  // A stall is exponential or high-degree polynomial: minutes or hours at 16 KiB. Linear work on
  // this input takes 50-250 ms on a quiet machine; the bound leaves room for a loaded one.
  it('answers hostile input of the largest size quickly, on both matchers', () => {
    const hostile = [
      ' '.repeat(MAX_MATCH_INPUT_CHARS),
      'a'.repeat(MAX_MATCH_INPUT_CHARS),
      '-a '.repeat(MAX_MATCH_INPUT_CHARS / 3),
      'wget '.repeat(MAX_MATCH_INPUT_CHARS / 5),
      ';sudo /'.repeat(MAX_MATCH_INPUT_CHARS / 7),
      '${'.repeat(MAX_MATCH_INPUT_CHARS / 2),
      '../'.repeat(MAX_MATCH_INPUT_CHARS / 3),
      `find ${'/a'.repeat(MAX_MATCH_INPUT_CHARS / 2)}`,
      `echo <?php ${'> x/'.repeat(MAX_MATCH_INPUT_CHARS / 4)}`,
    ];
    for (const rule of patternRules) {
      if (rule.match.type !== 'pattern') continue;
      for (const text of [...hostile, ...hostile.map((h) => h.slice(0, 1999))]) {
        const started = performance.now();
        rule.match.pattern.test(text);
        expect(
          performance.now() - started,
          `${rule.ruleId} on ${JSON.stringify(text.slice(0, 12))}… (${text.length})`,
        ).toBeLessThan(5000);
      }
    }
  });
});

describe('the shipped pack scores the shared corpora at 0.95 precision and recall', () => {
  it.each(['seed_behavioral.jsonl', 'seed_email.jsonl', 'seed_intel.jsonl'])('%s', (file) => {
    const { rows, errors } = parseCorpus(readFileSync(join(UPSTREAM_CORPUS_DIR, file), 'utf8'));
    const report = evaluateCorpus(engine, rows, errors);
    expect(report.mismatches).toEqual([]);
    expect(report.meetsTargets).toBe(true);
    expect(report.overall.precision).toBeGreaterThanOrEqual(0.95);
    expect(report.overall.recall).toBeGreaterThanOrEqual(RECALL_TARGET);
    for (const r of report.rules) {
      expect(r.precision as number, r.ruleId).toBeGreaterThanOrEqual(0.95);
      expect(r.recall as number, r.ruleId).toBeGreaterThanOrEqual(RECALL_TARGET);
    }
  });
});

describe('a rule set adds an operator directory to the pack, or replaces the pack with it', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const rule = (id: string, pattern: string): string =>
    `rule_id: ${id}\nrule_version: 7\nname: local\napplies_to: [command]\nmatch:\n  pattern: '${pattern}'\n` +
    'emits:\n  - {tactic: TA0007, technique_id: T1083, confidence: 0.5}\n';
  const operatorDir = (): string => {
    dir = mkdtempSync(join(tmpdir(), 'ttp-rule-set-'));
    writeFileSync(join(dir, 'R0013.yaml'), rule('R0013', '^lookup-passwd$'));
    writeFileSync(join(dir, 'L0001.yaml'), rule('L0001', '^local-only$'));
    writeFileSync(join(dir, 'R0014.yaml'), 'rule_id: R0014\nrule_version: 1\nname: broken\n');
    return dir;
  };
  const fires = (set: { rules: readonly Rule[] }, command: string): string[] =>
    new TtpEngine(set.rules, attack)
      .tag({ sourceKind: 'command', sourceId: 'x#1', payload: { command_text: command } })
      .map((t) => t.ruleId);

  it('is the pack alone by default', () => {
    const set = loadRuleSet(attack);
    expect(set.rules).toHaveLength(64);
    expect(set.sources).toEqual([{ kind: 'pack', location: SHIPPED_PACK_ORIGIN, rules: 64 }]);
    expect(describeRuleSet(set)).toBe('64 rules: 64 from the decnet pack');
    expect(loadRuleSet(attack, { dir: '' }).rules).toHaveLength(64);
  });

  it('adds: a directory rule overrides the pack rule of its id, new ids join, a broken file keeps it', () => {
    const set = loadRuleSet(attack, { dir: operatorDir() });
    expect(set.rules).toHaveLength(65);
    expect(set.overridden).toEqual(['R0013']);
    expect(set.originOf.get('R0013')).toBe('directory');
    expect(set.originOf.get('R0014')).toBe('pack');
    expect(set.errors.map((e) => e.file)).toEqual([join(dir as string, 'R0014.yaml')]);
    expect(set.rules.find((r) => r.ruleId === 'R0013')?.ruleVersion).toBe(7);
    expect(fires(set, 'cat /etc/passwd')).toEqual([]);
    expect(fires(set, 'lookup-passwd')).toEqual(['R0013']);
    expect(fires(set, 'local-only')).toEqual(['L0001']);
    expect(fires(set, 'cat /etc/shadow')).toEqual(['R0014']);
    expect(describeRuleSet(set)).toBe(`65 rules: 63 from the decnet pack, 2 from ${dir} (overriding R0013)`);
  });

  it("replaces: only the directory's rules", () => {
    const set = loadRuleSet(attack, { dir: operatorDir(), mode: 'replace' });
    expect(set.rules.map((r) => r.ruleId)).toEqual(['L0001', 'R0013']);
    expect(set.overridden).toEqual([]);
    expect(describeRuleSet(set)).toBe(`2 rules: 2 from ${dir}`);
  });

  it('keeps the pack when the directory cannot be read, and says so; replacing with it leaves nothing', () => {
    const added = loadRuleSet(attack, { dir: '/nonexistent/ttp-rules' });
    expect(added.rules).toHaveLength(64);
    expect(added.dirError?.message).toMatch(/cannot read the rule directory/);
    expect(describeRuleSet(added)).toBe(
      '64 rules: 64 from the decnet pack, 0 from /nonexistent/ttp-rules (unreadable)',
    );
    const replaced = loadRuleSet(attack, { dir: '/nonexistent/ttp-rules', mode: 'replace' });
    expect(replaced.rules).toEqual([]);
    expect(replaced.dirError).toBeDefined();
    expect(describeRuleSet(loadRuleSet(attack, { mode: 'replace' }))).toBe('0 rules: no rule source');
  });
});
