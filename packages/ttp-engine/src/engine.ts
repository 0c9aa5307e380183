// The tagging engine: rules indexed by source kind, pattern rules and lifters run side by side
// (upstream's composite tagger), confidence computed as upstream (intel multipliers, operator
// clipping, the 0.3 floor), evidence bounded, tag ids derived from the locked tuple.
import type { AttackCatalog } from './attack-catalog.js';
import { mitreUrl } from './attack-catalog.js';
import { LIFTERS } from './lifters/index.js';
import type { LifterEmit, LifterHit } from './lifters/lifter.js';
import { COMMAND_CONTEXT_FIELDS, DEFAULT_MATCH_FIELDS, type Rule, type RuleState, type SourceKind, type TagCandidate, type TagSource } from './rule.js';
import { tagUuid } from './uuid.js';

/** Tags under this confidence are dropped before they are written (upstream's floor). */
export const MIN_CONFIDENCE = 0.3;
/** Longest evidence string kept; attacker text beyond it is cut. */
export const MAX_EVIDENCE_STRING = 1024;
/** Most items kept from an evidence list. */
export const MAX_EVIDENCE_LIST = 64;
/** Largest JSON size of one evidence object value; larger ones are dropped. */
const MAX_EVIDENCE_OBJECT_JSON = 4096;

/** Per-call options. */
export interface TagOptions {
  /** Operator overrides by rule id (`ttp_rule_state`). */
  readonly states?: ReadonlyMap<string, RuleState>;
  /** The time overrides expire against. @default now */
  readonly now?: Date;
}

/** What one evaluation produced. */
export interface Evaluation {
  /** Tags at or above {@link MIN_CONFIDENCE}: what would be written. */
  readonly kept: TagCandidate[];
  /** Tags below the floor (dropped). */
  readonly dropped: TagCandidate[];
  /** Rules whose evaluation threw (counted, never fatal). */
  readonly errors: { readonly ruleId: string; readonly error: unknown }[];
}

/** Thresholds the credential window tracker needs, read from the rules that own them. */
export interface CredentialWindowSettings {
  readonly failThreshold: number;
  readonly pwThreshold: number;
  readonly windowMs: number;
}

function bound(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_EVIDENCE_STRING ? value.slice(0, MAX_EVIDENCE_STRING) : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.slice(0, MAX_EVIDENCE_LIST).map(bound).filter((v) => v !== undefined);
  if (value !== null && typeof value === 'object') {
    const json = JSON.stringify(value);
    return json !== undefined && json.length <= MAX_EVIDENCE_OBJECT_JSON ? (JSON.parse(json) as unknown) : undefined;
  }
  return undefined;
}

function activeState(state: RuleState | undefined, now: Date): RuleState | undefined {
  if (!state) return undefined;
  if (state.expiresAt && state.expiresAt.getTime() <= now.getTime()) return undefined;
  return state;
}

/**
 * The engine over one rule set. Immutable: a reload builds a new engine and swaps it in.
 *
 * ```ts
 * const engine = new TtpEngine(loadRuleDirectory(dir, attack).rules, attack);
 * engine.tag({ sourceKind: 'command', sourceId: 's1#0', payload: { command_text: 'cat /etc/shadow' } });
 * ```
 */
export class TtpEngine {
  private readonly byKind = new Map<string, Rule[]>();
  private readonly byId = new Map<string, Rule>();

  constructor(
    readonly rules: readonly Rule[],
    readonly attack: AttackCatalog,
  ) {
    for (const rule of rules) {
      this.byId.set(rule.ruleId, rule);
      for (const kind of rule.appliesTo) {
        if (rule.match.type === 'lifter') {
          const lifter = LIFTERS.get(rule.match.lifter);
          if (!lifter || !lifter.kinds.includes(kind)) continue;
        }
        const list = this.byKind.get(kind) ?? [];
        list.push(rule);
        this.byKind.set(kind, list);
      }
    }
  }

  /** The rule with this id. */
  rule(ruleId: string): Rule | undefined {
    return this.byId.get(ruleId);
  }

  /** Rules that run for `kind`. */
  rulesFor(kind: string): readonly Rule[] {
    return this.byKind.get(kind) ?? [];
  }

  /** Source kinds at least one rule runs for. */
  get kinds(): string[] {
    return [...this.byKind.keys()].sort();
  }

  /** Tags for one source, floor applied (what would be written). Never throws. */
  tag(source: TagSource, options: TagOptions = {}): TagCandidate[] {
    return this.evaluate(source, options).kept;
  }

  /** Tags for one source, split at the floor, with per-rule failures. Never throws. */
  evaluate(source: TagSource, options: TagOptions = {}): Evaluation {
    const now = options.now ?? new Date();
    const kept: TagCandidate[] = [];
    const dropped: TagCandidate[] = [];
    const errors: Evaluation['errors'] = [];
    for (const rule of this.rulesFor(source.sourceKind)) {
      const state = activeState(options.states?.get(rule.ruleId), now);
      if (state?.state === 'disabled') continue;
      let hit: LifterHit | undefined;
      try {
        hit = this.fire(rule, source);
      } catch (error) {
        errors.push({ ruleId: rule.ruleId, error });
        continue;
      }
      if (!hit) continue;
      for (const tag of this.tagsOf(rule, source, hit, state)) (tag.confidence >= MIN_CONFIDENCE ? kept : dropped).push(tag);
    }
    return { kept, dropped, errors };
  }

  private fire(rule: Rule, source: TagSource): LifterHit | undefined {
    const match = rule.match;
    if (match.type === 'pattern') {
      const field = match.field ?? DEFAULT_MATCH_FIELDS[source.sourceKind as SourceKind];
      if (field === undefined) return undefined;
      const value = source.payload[field];
      const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
      if (text === undefined || !match.pattern.test(text)) return undefined;
      return { evidence: {} };
    }
    const lifter = LIFTERS.get(match.lifter);
    if (!lifter || match.params === undefined) return undefined;
    return lifter.evaluate(
      match.params,
      source.payload,
      rule.emits.map((e) => e.techniqueId),
    );
  }

  private tagsOf(rule: Rule, source: TagSource, hit: LifterHit, state: RuleState | undefined): TagCandidate[] {
    const evidence: Record<string, unknown> = {};
    for (const key of rule.evidenceFields) {
      const value = bound(hit.evidence[key] !== undefined ? hit.evidence[key] : source.payload[key]);
      if (value !== undefined) evidence[key] = value;
    }
    if (source.sourceKind === 'command') {
      for (const key of COMMAND_CONTEXT_FIELDS) {
        const value = bound(source.payload[key]);
        if (value !== undefined) evidence[key] = value;
      }
    }
    const selected: readonly LifterEmit[] = hit.emits ?? rule.emits.map((_, index) => ({ index }));
    const out: TagCandidate[] = [];
    for (const { index, multiplier } of selected) {
      const emit = rule.emits[index];
      if (!emit) continue;
      let confidence = Math.min(1, Math.max(0, emit.confidence * (multiplier ?? 1)));
      if (state?.state === 'clipped' && typeof state.confidenceMax === 'number') confidence = Math.min(confidence, state.confidenceMax);
      const sub = emit.subTechniqueId ?? null;
      out.push({
        uuid: tagUuid({
          sourceKind: source.sourceKind,
          sourceId: source.sourceId,
          ruleId: rule.ruleId,
          ruleVersion: rule.ruleVersion,
          techniqueId: emit.techniqueId,
          subTechniqueId: sub,
        }),
        sourceKind: source.sourceKind,
        sourceId: source.sourceId,
        ruleId: rule.ruleId,
        ruleVersion: rule.ruleVersion,
        ruleName: rule.name,
        tactic: emit.tactic,
        techniqueId: emit.techniqueId,
        subTechniqueId: sub,
        confidence,
        evidence,
        mitreUrl: this.attack.technique(sub ?? emit.techniqueId)?.url ?? mitreUrl(sub ?? emit.techniqueId),
        attackRelease: this.attack.release,
        identityOnly: hit.identityOnly === true,
      });
    }
    return out;
  }

  /** Thresholds for the credential window, from R0001/R0002's lifters (their YAML), else upstream's defaults. */
  credentialWindow(): CredentialWindowSettings {
    let failThreshold = 5;
    let pwThreshold = 5;
    let windowMinutes = 5;
    for (const rule of this.rules) {
      if (rule.match.type !== 'lifter' || rule.match.params === undefined) continue;
      const p = rule.match.params as { failThreshold?: number; pwThreshold?: number; windowMinutes?: number };
      if (rule.match.lifter === 'credential_auth_brute_generic') {
        failThreshold = p.failThreshold ?? failThreshold;
        windowMinutes = p.windowMinutes ?? windowMinutes;
      } else if (rule.match.lifter === 'credential_password_guessing') {
        pwThreshold = p.pwThreshold ?? pwThreshold;
      }
    }
    return { failThreshold, pwThreshold, windowMs: windowMinutes * 60_000 };
  }
}
