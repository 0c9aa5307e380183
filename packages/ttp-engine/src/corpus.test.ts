// Corpus scoring on upstream's three shared corpora (read from ../shared as they are): every
// rule meets upstream's precision target and every expected rule fires; and garbage lines are
// reported, never thrown.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateCorpus, parseCorpus, precisionTarget } from './corpus.js';
import { UPSTREAM_CORPUS_DIR, upstreamEngine } from './test-kit.fixture.js';

const { engine } = upstreamEngine();
const corpora = readdirSync(UPSTREAM_CORPUS_DIR).filter((f) => f.endsWith('.jsonl')).sort();

describe('the shared corpora meet upstream\'s precision targets', () => {
  it('finds the three shared corpora', () => {
    expect(corpora).toEqual(['seed_behavioral.jsonl', 'seed_email.jsonl', 'seed_intel.jsonl']);
  });

  it.each(corpora)('%s: every judged rule meets its target, and every expected rule fires', (file) => {
    const { rows, errors } = parseCorpus(readFileSync(join(UPSTREAM_CORPUS_DIR, file), 'utf8'));
    expect(errors).toEqual([]);
    const report = evaluateCorpus(engine, rows, errors);
    expect(report.rows).toBeGreaterThan(5);
    expect(report.mismatches).toEqual([]);
    expect(report.meetsTargets).toBe(true);
    for (const r of report.rules) {
      expect(r.precision, r.ruleId).not.toBeNull();
      expect(r.precision as number, r.ruleId).toBeGreaterThanOrEqual(r.target ?? 0.8);
      expect(r.recall as number, r.ruleId).toBeGreaterThanOrEqual(0.8);
    }
    expect(report.overall.precision).toBe(1);
    expect(report.overall.recall).toBe(1);
  });
});

describe('scoring counts true and false positives per rule', () => {
  it('computes precision and recall, skipping rules that never fired', () => {
    const text = [
      JSON.stringify({ source_kind: 'command', payload: { command_text: 'cat /etc/passwd' }, expected_rule_ids: ['R0013'], label: 'tp' }),
      JSON.stringify({ source_kind: 'command', payload: { command_text: 'cat /etc/passwd' }, expected_rule_ids: [], label: 'fp' }),
      JSON.stringify({ source_kind: 'command', payload: { command_text: 'ls' }, expected_rule_ids: ['R0019'], label: 'fn' }),
    ].join('\n');
    const { rows } = parseCorpus(text);
    const report = evaluateCorpus(engine, rows);
    expect(report.rules.map((r) => [r.ruleId, r.tp, r.fp, r.fn, r.precision, r.recall])).toEqual([
      ['R0013', 1, 1, 0, 0.5, 1],
      ['R0019', 0, 0, 1, null, 0],
    ]);
    expect(report.meetsTargets).toBe(false);
    expect(report.rules[0]?.meetsTarget).toBe(false);
    expect(report.rules[1]?.meetsTarget).toBeNull();
    expect(report.overall).toEqual({ tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5 });
  });

  it('reports malformed lines with their numbers and keeps the rest', () => {
    const { rows, errors } = parseCorpus('{"source_kind":"intel","payload":{},"expected_rule_ids":[]}\nnot json\n\n{"payload":{}}\n# comment\n[1,2]\n');
    expect(rows).toHaveLength(1);
    expect(errors.map((e) => e.line)).toEqual([2, 4, 6]);
  });

  it("assigns upstream's targets: 0.80 for the broad rules, 0.95 for confident rules and strict families", () => {
    const target = (id: string): number => precisionTarget(engine.rule(id) as NonNullable<ReturnType<typeof engine.rule>>);
    expect(['R0011', 'R0016', 'R0018', 'R0019', 'R0020', 'R0021', 'R0029', 'R0052'].map(target)).toEqual(Array(8).fill(0.8));
    expect(['R0014', 'R0031', 'R0041', 'R0049', 'R0054', 'R0057', 'R0001'].map(target)).toEqual(Array(7).fill(0.95));
    expect(target('R0005')).toBe(0.8);
  });
});
