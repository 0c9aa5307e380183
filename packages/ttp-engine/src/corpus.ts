// Corpus evaluation in upstream's format (one JSON object per line: source_kind, payload,
// expected_rule_ids, label): per-rule and overall precision and recall, upstream's precision
// targets (0.95 for high-confidence and lifter families, 0.80 for the listed broad rules) and
// decnet's recall target (0.95: a rule must find what its corpus rows expect).
import * as z from 'zod/mini';
import type { TtpEngine } from './engine.js';
import { LIFTERS } from './lifters/index.js';
import type { Rule } from './rule.js';

/** One labelled example. */
export interface CorpusRow {
  /** 1-based line in the file. */
  readonly line: number;
  readonly sourceKind: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly expected: readonly string[];
  readonly label: string;
}

/** A line that is not a valid row. */
export interface CorpusLineError {
  readonly line: number;
  readonly reason: string;
}

const rowSchema = z.object({
  source_kind: z.string().check(z.minLength(1)),
  payload: z.record(z.string(), z.unknown()),
  expected_rule_ids: z.array(z.string()),
  label: z.optional(z.string()),
});

/** Parses JSONL text; bad lines are reported, never thrown. Blank lines and `#` comments are skipped. */
export function parseCorpus(text: string): { rows: CorpusRow[]; errors: CorpusLineError[] } {
  const rows: CorpusRow[] = [];
  const errors: CorpusLineError[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      errors.push({ line, reason: `not JSON: ${(err as Error).message}` });
      return;
    }
    const parsed = rowSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      errors.push({ line, reason: `${issue?.path.map(String).join('.') || 'row'} is missing or has the wrong type` });
      return;
    }
    rows.push({
      line,
      sourceKind: parsed.data.source_kind,
      payload: parsed.data.payload,
      expected: parsed.data.expected_rule_ids,
      label: parsed.data.label ?? `line ${line}`,
    });
  });
  return { rows, errors };
}

/** Recall every rule that a corpus row expects must reach. */
export const RECALL_TARGET = 0.95;

/** Rules upstream holds to 0.80 precision (broad discovery and interpreter rules, R0052). */
export const BROAD_RULES: ReadonlySet<string> = new Set(['R0011', 'R0016', 'R0018', 'R0019', 'R0020', 'R0021', 'R0029', 'R0052']);
/** Lifter families held to 0.95 regardless of confidence. */
const STRICT_FAMILIES: ReadonlySet<string> = new Set(['email', 'behavioral', 'canary', 'intel']);

/**
 * Upstream's precision target for a rule: 0.80 for {@link BROAD_RULES}; 0.95 when its base
 * confidence is at least 0.85 or it belongs to the email, behavioural, canary or intel lifters;
 * 0.80 otherwise.
 */
export function precisionTarget(rule: Rule): number {
  if (BROAD_RULES.has(rule.ruleId)) return 0.8;
  const base = Math.max(...rule.emits.map((e) => e.confidence));
  if (base >= 0.85) return 0.95;
  const family = rule.match.type === 'lifter' ? LIFTERS.get(rule.match.lifter)?.family : undefined;
  return family !== undefined && STRICT_FAMILIES.has(family) ? 0.95 : 0.8;
}

/** Counts and scores of one rule. */
export interface RuleScore {
  readonly ruleId: string;
  /** The techniques the rule emits (the sub-technique when it has one); empty for ids no loaded rule has. */
  readonly techniques: readonly string[];
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  /** TP / (TP + FP); null when the rule never fired (upstream skips it). */
  readonly precision: number | null;
  /** TP / (TP + FN); null when no row expects the rule. */
  readonly recall: number | null;
  /** Precision target; null for ids no loaded rule has. */
  readonly target: number | null;
  /** False when precision is below target; null when there is nothing to judge. */
  readonly meetsTarget: boolean | null;
  /** False when recall is below {@link RECALL_TARGET}; null when no row expects the rule. */
  readonly meetsRecall: boolean | null;
}

/** One row's outcome. */
export interface RowOutcome {
  readonly line: number;
  readonly label: string;
  readonly expected: readonly string[];
  readonly fired: readonly string[];
}

/** The whole evaluation. */
export interface CorpusReport {
  readonly rows: number;
  readonly malformed: readonly CorpusLineError[];
  readonly rules: readonly RuleScore[];
  readonly overall: { readonly tp: number; readonly fp: number; readonly fn: number; readonly precision: number | null; readonly recall: number | null };
  /** Rows where fired ≠ expected. */
  readonly mismatches: readonly RowOutcome[];
  /** True when every judged rule meets its precision target and {@link RECALL_TARGET}. */
  readonly meetsTargets: boolean;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/**
 * Scores `rows` with `engine`: a rule "fired" on a row when it produced at least one tag at or
 * above the confidence floor (what would be written).
 */
export function evaluateCorpus(engine: TtpEngine, rows: readonly CorpusRow[], malformed: readonly CorpusLineError[] = []): CorpusReport {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (id: string, key: 'tp' | 'fp' | 'fn'): void => {
    const c = counts.get(id) ?? { tp: 0, fp: 0, fn: 0 };
    c[key]++;
    counts.set(id, c);
  };
  const mismatches: RowOutcome[] = [];
  rows.forEach((row, i) => {
    const tags = engine.tag({ sourceKind: row.sourceKind, sourceId: `corpus#${i}`, payload: row.payload });
    const fired = [...new Set(tags.map((t) => t.ruleId))].sort();
    const expected = [...new Set(row.expected)].sort();
    for (const id of fired) bump(id, expected.includes(id) ? 'tp' : 'fp');
    for (const id of expected) if (!fired.includes(id)) bump(id, 'fn');
    if (fired.join() !== expected.join()) mismatches.push({ line: row.line, label: row.label, expected, fired });
  });
  const rules: RuleScore[] = [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([ruleId, c]) => {
      const rule = engine.rule(ruleId);
      const precision = ratio(c.tp, c.tp + c.fp);
      const recall = ratio(c.tp, c.tp + c.fn);
      const target = rule ? precisionTarget(rule) : null;
      return {
        ruleId,
        techniques: rule ? [...new Set(rule.emits.map((e) => e.subTechniqueId ?? e.techniqueId))] : [],
        ...c,
        precision,
        recall,
        target,
        meetsTarget: precision === null || target === null ? null : precision >= target,
        meetsRecall: recall === null ? null : recall >= RECALL_TARGET,
      };
    });
  const total = rules.reduce((s, r) => ({ tp: s.tp + r.tp, fp: s.fp + r.fp, fn: s.fn + r.fn }), { tp: 0, fp: 0, fn: 0 });
  return {
    rows: rows.length,
    malformed,
    rules,
    overall: { ...total, precision: ratio(total.tp, total.tp + total.fp), recall: ratio(total.tp, total.tp + total.fn) },
    mismatches,
    meetsTargets: rules.every((r) => r.meetsTarget !== false && r.meetsRecall !== false),
  };
}
