// Rule files → rules: YAML parsed with positions, validated with zod/mini, patterns translated
// and stall-checked, lifter thresholds compiled, techniques resolved against ATT&CK. A bad file
// becomes an error naming the file and line; the other files load regardless.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import * as z from 'zod/mini';
import type { AttackCatalog } from './attack-catalog.js';
import { CompiledPattern } from './compiled-pattern.js';
import { RuleLoadError } from './errors.js';
import { LIFTERS } from './lifters/index.js';
import { LifterParamsError } from './lifters/lifter.js';
import { SOURCE_KINDS, type LifterMatch, type PatternMatch, type Rule, type RuleEmit } from './rule.js';

/** Rule file names the loaders pick up (upstream's filter). */
export const RULE_FILE_PATTERN = /^[A-Za-z0-9_]+\.ya?ml$/;
/** Largest rule file read: a rule is a few hundred bytes. */
export const MAX_RULE_FILE_BYTES = 256 * 1024;
/** `match.kind` prefix of lifter rules. */
export const LIFTER_PREFIX = 'lifter:';

const emitSchema = z.object({
  tactic: z.string().check(z.regex(/^TA\d{4}$/)),
  technique_id: z.string().check(z.regex(/^T\d{4}$/)),
  sub_technique_id: z.optional(z.nullable(z.string().check(z.regex(/^T\d{4}\.\d{3}$/)))),
  confidence: z.number().check(z.gte(0), z.lte(1)),
});

const ruleSchema = z.object({
  rule_id: z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/)),
  rule_version: z.int().check(z.gte(1)),
  name: z.string().check(z.minLength(1)),
  description: z.optional(z.nullable(z.string())),
  applies_to: z.array(z.enum(SOURCE_KINDS)).check(z.minLength(1)),
  match: z.record(z.string(), z.unknown()),
  emits: z.array(emitSchema).check(z.minLength(1)),
  evidence_fields: z.optional(z.nullable(z.array(z.string()))),
});

/** What loading a directory produced. */
export interface RuleLoadReport {
  /** Rules that loaded, sorted by id. */
  readonly rules: Rule[];
  /** One error per rejected file. */
  readonly errors: RuleLoadError[];
  /** Loaded lifter rules no lifter owns (they never fire), e.g. upstream's dead `lifter:c2_fingerprint`. */
  readonly dormant: Rule[];
  /** Accepted oddities, `file:line: message`. */
  readonly warnings: string[];
  /** Rule files seen. */
  readonly files: number;
}

type Path = readonly (string | number)[];

function describeIssue(issue: z.core.$ZodIssue): string {
  const i = issue as z.core.$ZodIssue & { expected?: string; values?: unknown[]; minimum?: unknown; maximum?: unknown; pattern?: string; origin?: string };
  switch (issue.code) {
    case 'invalid_type':
      return i.input === undefined ? 'is required' : `expected ${i.expected ?? 'another type'}`;
    case 'invalid_value':
      return `must be one of ${(i.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `does not match ${i.pattern ?? 'the expected format'}`;
    case 'too_small':
      return i.origin === 'array' || i.origin === 'string' ? `must have at least ${String(i.minimum)} item(s)` : `must be >= ${String(i.minimum)}`;
    case 'too_big':
      return `must be <= ${String(i.maximum)}`;
    default:
      return 'is invalid';
  }
}

/** 1-based line and column of the deepest node along `path` (the parent when the key is missing). */
function positionOf(doc: Document, path: Path, lines: LineCounter): { line: number; column: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) {
      const { line, col } = lines.linePos(range[0]);
      return { line, column: col };
    }
  }
  return { line: 0, column: 0 };
}

function pathText(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * Parses one rule file's text. `onWarning` hears about accepted oddities (a tactic the
 * technique does not belong to).
 * @throws RuleLoadError with the file and line of the first problem.
 */
export function parseRule(text: string, file: string, attack: AttackCatalog, onWarning?: (message: string) => void): Rule {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  function fail(path: Path, reason: string, cause?: unknown): never {
    const { line, column } = positionOf(doc, path, lines);
    throw new RuleLoadError(file, line, column, reason, cause === undefined ? undefined : { cause });
  }
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = yamlError.linePos?.[0];
    throw new RuleLoadError(file, pos?.line ?? 0, pos?.col ?? 0, `invalid YAML: ${yamlError.message.split('\n')[0] ?? ''}`, { cause: yamlError });
  }
  if (!isMap(doc.contents)) fail([], 'a rule file must be a mapping (rule_id, rule_version, name, applies_to, match, emits)');
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    fail([], `cannot read YAML: ${(err as Error).message}`, err);
  }
  const parsed = ruleSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    fail(path, `${pathText(path)} ${describeIssue(issue)}`);
  }
  const raw = (parsed as { data: z.infer<typeof ruleSchema> }).data;

  const emits: RuleEmit[] = raw.emits.map((e, i) => {
    const technique = attack.technique(e.technique_id);
    if (!technique) fail(['emits', i, 'technique_id'], `technique ${e.technique_id} is not in ATT&CK ${attack.release}`);
    const tactic = attack.tactic(e.tactic);
    if (!tactic) fail(['emits', i, 'tactic'], `tactic ${e.tactic} is not in ATT&CK ${attack.release}`);
    if (!technique.tactics.includes(tactic.shortName)) {
      // Upstream's R0031 files T1029 (an exfiltration technique) under command-and-control: kept as written, reported.
      const { line } = positionOf(doc, ['emits', i, 'tactic'], lines);
      onWarning?.(`${file}:${line}: ${e.technique_id} (${technique.name}) is not a technique of ${e.tactic} (${tactic.name}) in ATT&CK ${attack.release}`);
    }
    const sub = e.sub_technique_id ?? undefined;
    if (sub !== undefined) {
      if (!sub.startsWith(`${e.technique_id}.`)) fail(['emits', i, 'sub_technique_id'], `${sub} is not a sub-technique of ${e.technique_id}`);
      if (!attack.technique(sub)) fail(['emits', i, 'sub_technique_id'], `sub-technique ${sub} is not in ATT&CK ${attack.release}`);
    }
    return { tactic: e.tactic, techniqueId: e.technique_id, ...(sub === undefined ? {} : { subTechniqueId: sub }), confidence: e.confidence };
  });

  let match: PatternMatch | LifterMatch;
  const kind = raw.match.kind;
  if (kind !== undefined) {
    if (typeof kind !== 'string' || !kind.startsWith(LIFTER_PREFIX) || kind.length === LIFTER_PREFIX.length) {
      fail(['match', 'kind'], `match.kind must be "lifter:<name>", got ${JSON.stringify(kind)}`);
    }
    const name = kind.slice(LIFTER_PREFIX.length);
    const lifter = LIFTERS.get(name);
    let params: unknown;
    if (lifter) {
      try {
        params = lifter.compile(raw.match);
      } catch (err) {
        if (err instanceof LifterParamsError) fail(['match', err.key.replace(/\[.*$/, '')], err.message, err);
        throw err;
      }
    }
    match = { type: 'lifter', lifter: name, params };
  } else {
    const pattern = raw.match.pattern;
    const field = raw.match.field;
    if (typeof pattern !== 'string' || pattern.length === 0) fail(['match', 'pattern'], 'match.pattern is required (a Python regular expression) unless match.kind is a lifter');
    if (field !== undefined && (typeof field !== 'string' || field.length === 0)) fail(['match', 'field'], 'match.field must be a payload key');
    let compiled: CompiledPattern;
    try {
      compiled = CompiledPattern.compile(pattern);
    } catch (err) {
      fail(['match', 'pattern'], `match.pattern: ${(err as Error).message}`, err);
    }
    match = { type: 'pattern', pattern: compiled, ...(typeof field === 'string' ? { field } : {}) };
  }

  return {
    ruleId: raw.rule_id,
    ruleVersion: raw.rule_version,
    name: raw.name,
    description: raw.description ?? '',
    appliesTo: [...new Set(raw.applies_to)],
    match,
    emits,
    evidenceFields: raw.evidence_fields ?? [],
    file,
  };
}

/** True for a rule no lifter owns. */
export function isDormant(rule: Rule): boolean {
  return rule.match.type === 'lifter' && !LIFTERS.has(rule.match.lifter);
}

/** One rule file's text, and the name errors and tags report it under. */
export interface RuleText {
  readonly file: string;
  readonly text: string;
}

/**
 * Loads rules from texts already in memory (the shipped pack). Same checks as
 * {@link loadRuleDirectory}: a bad text becomes an entry of `errors`, a repeated `rule_id` is
 * rejected, the others load. Never throws.
 */
export function loadRuleTexts(texts: readonly RuleText[], attack: AttackCatalog): RuleLoadReport {
  const collector = new RuleCollector(attack);
  for (const { file, text } of texts) collector.add(file, () => text);
  return collector.report(texts.length);
}

/**
 * Loads every rule file (`[A-Za-z0-9_]+.ya?ml`) of `dir`. A file that fails becomes an entry of
 * `errors` and the others load; a second file with an already-loaded `rule_id` is rejected.
 * @throws RuleLoadError only when `dir` itself cannot be read.
 */
export function loadRuleDirectory(dir: string, attack: AttackCatalog): RuleLoadReport {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => RULE_FILE_PATTERN.test(n)).sort();
  } catch (err) {
    throw new RuleLoadError(dir, 0, 0, `cannot read the rule directory: ${(err as Error).message}`, { cause: err });
  }
  const collector = new RuleCollector(attack);
  for (const name of names) {
    const path = join(dir, name);
    collector.add(path, () => {
      const size = statSync(path).size;
      if (size > MAX_RULE_FILE_BYTES) throw new RuleLoadError(path, 0, 0, `file is ${size} bytes, over the ${MAX_RULE_FILE_BYTES}-byte limit`);
      return readFileSync(path, 'utf8');
    });
  }
  return collector.report(names.length);
}

/** Gathers rules file by file: parse errors and repeated ids become errors, never exceptions. */
class RuleCollector {
  private readonly rules: Rule[] = [];
  private readonly errors: RuleLoadError[] = [];
  private readonly warnings: string[] = [];
  private readonly seen = new Map<string, string>();

  constructor(private readonly attack: AttackCatalog) {}

  add(file: string, read: () => string): void {
    try {
      const rule = parseRule(read(), file, this.attack, (w) => this.warnings.push(w));
      const previous = this.seen.get(rule.ruleId);
      if (previous !== undefined) {
        throw new RuleLoadError(file, 1, 1, `duplicate rule_id ${rule.ruleId} (already loaded from ${previous})`);
      }
      this.seen.set(rule.ruleId, file);
      this.rules.push(rule);
    } catch (err) {
      const error = err instanceof RuleLoadError ? err : new RuleLoadError(file, 0, 0, (err as Error).message, { cause: err });
      this.errors.push(error);
    }
  }

  report(files: number): RuleLoadReport {
    const rules = [...this.rules].sort((a, b) => a.ruleId.localeCompare(b.ruleId));
    return { rules, errors: [...this.errors], warnings: [...this.warnings], dormant: rules.filter(isDormant), files };
  }
}
