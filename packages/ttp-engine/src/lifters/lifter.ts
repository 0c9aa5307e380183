// The lifter contract (a rule evaluated by code, thresholds from its YAML) and the small,
// forgiving readers lifters use on payloads that arrive from the bus as loosely typed JSON.
import { CompiledPattern } from '../compiled-pattern.js';
import type { SourceKind } from '../rule.js';

/** Which `emits` entries fire, each with an optional confidence multiplier (intel lifters). */
export interface LifterEmit {
  readonly index: number;
  /** conf = clip(base × multiplier); 1 when absent. */
  readonly multiplier?: number;
}

/** What a lifter found. */
export interface LifterHit {
  /** Evidence values by key; the rule's `evidence_fields` select which are kept. */
  readonly evidence: Readonly<Record<string, unknown>>;
  /** Emits to fire; every emit of the rule when absent. */
  readonly emits?: readonly LifterEmit[];
  /** Anchor the tags on the identity only (the attacker is not meaningful). */
  readonly identityOnly?: boolean;
}

/** The thresholds of one rule, after validation. */
export type LifterParams = Readonly<Record<string, unknown>>;

/** A lifter: owns every rule whose `match.kind` is `lifter:<name>`. */
export interface Lifter<P = LifterParams> {
  /** `credential_auth_brute_generic` */
  readonly name: string;
  /** Family, for precision targets and reports. */
  readonly family: 'credential' | 'identity' | 'behavioral' | 'email' | 'canary' | 'intel' | 'ipv6';
  /** Source kinds it handles (upstream's HANDLES); a rule fires only for kinds in both lists. */
  readonly kinds: readonly SourceKind[];
  /**
   * Validates and prepares the `match` mapping of a rule.
   * @throws LifterParamsError naming the bad key.
   */
  compile(match: Readonly<Record<string, unknown>>): P;
  /** Evaluates one event; undefined when the rule does not fire. Never throws on odd payloads. */
  evaluate(params: P, payload: Readonly<Record<string, unknown>>, emitTechniques: readonly string[]): LifterHit | undefined;
}

/** Thrown by `compile` when a lifter parameter is missing or invalid; `key` names it. */
export class LifterParamsError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`match.${key}: ${reason}`);
    this.name = 'LifterParamsError';
  }
}

// ----- parameter readers (compile time) ----------------------------------------------------------

/** A number param ≥ `min`, `fallback` when absent. */
export function numberParam(match: Readonly<Record<string, unknown>>, key: string, fallback: number, min = 0): number {
  const v = match[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new LifterParamsError(key, `expected a number >= ${min}`);
  return v;
}

/** A boolean param, `fallback` when absent. */
export function booleanParam(match: Readonly<Record<string, unknown>>, key: string, fallback: boolean): boolean {
  const v = match[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new LifterParamsError(key, 'expected true or false');
  return v;
}

/** A list of strings param, `fallback` when absent. */
export function stringListParam(match: Readonly<Record<string, unknown>>, key: string, fallback: readonly string[]): readonly string[] {
  const v = match[key];
  if (v === undefined || v === null) return fallback;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new LifterParamsError(key, 'expected a list of strings');
  return v as string[];
}

/** A list of Python patterns, compiled (same translation and stall guard as pattern rules). */
export function patternListParam(match: Readonly<Record<string, unknown>>, key: string, flags = ''): readonly CompiledPattern[] {
  return stringListParam(match, key, []).map((p, i) => {
    try {
      return CompiledPattern.compile(`${flags}${p}`);
    } catch (err) {
      throw new LifterParamsError(`${key}[${i}]`, (err as Error).message);
    }
  });
}

// ----- payload readers (run time; never throw) -------------------------------------------------

/** A finite number from a number or a numeric string; undefined otherwise. */
export function num(payload: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const v = payload[key];
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A non-empty string (numbers are stringified); undefined otherwise. */
export function str(payload: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const v = payload[key];
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** The first non-empty string among `keys`. */
export function firstStr(payload: Readonly<Record<string, unknown>>, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = str(payload, k);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** True for `true`, `"true"`/`"True"`/`"1"`/`"yes"` and 1. */
export function truthy(payload: Readonly<Record<string, unknown>>, key: string): boolean {
  const v = payload[key];
  if (v === true || v === 1) return true;
  return typeof v === 'string' && ['true', '1', 'yes'].includes(v.toLowerCase());
}

/** True only for an explicit false (`false`, `"false"`, 0). */
export function explicitlyFalse(payload: Readonly<Record<string, unknown>>, key: string): boolean {
  const v = payload[key];
  if (v === false || v === 0) return true;
  return typeof v === 'string' && ['false', '0', 'no'].includes(v.toLowerCase());
}

/** A list (a JSON-encoded list string is decoded; a scalar becomes a one-item list); [] otherwise. */
export function list(payload: Readonly<Record<string, unknown>>, key: string): unknown[] {
  const v = payload[key];
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(t);
        if (Array.isArray(parsed)) return parsed;
      } catch {
        return [v];
      }
    }
    return t === '' ? [] : [v];
  }
  if (typeof v === 'number') return [v];
  return [];
}

/** The strings of {@link list}. */
export function stringList(payload: Readonly<Record<string, unknown>>, key: string): string[] {
  return list(payload, key).filter((x): x is string => typeof x === 'string' && x.length > 0);
}

/** The domain of an address or bare domain: `CEO@Victim.example` → `victim.example`. */
export function domainOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const at = value.lastIndexOf('@');
  const domain = (at >= 0 ? value.slice(at + 1) : value).replace(/[>\s].*$/, '').replace(/^</, '').toLowerCase().replace(/\.$/, '');
  return domain === '' ? undefined : domain;
}

/** Case-insensitive whole-word (or whole-phrase) search; keywords are plain text, not patterns. */
export function findKeywords(text: string, keywords: readonly string[]): string[] {
  const lower = text.toLowerCase();
  const found: string[] = [];
  for (const kw of keywords) {
    const k = kw.toLowerCase();
    let from = 0;
    for (;;) {
      const at = lower.indexOf(k, from);
      if (at < 0) break;
      const before = at === 0 ? '' : (lower[at - 1] as string);
      const after = lower[at + k.length] ?? '';
      if (!/[\p{L}\p{N}_]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) {
        found.push(kw);
        break;
      }
      from = at + 1;
    }
  }
  return found;
}
