// Subscription patterns: validation, upstream's presets, and the reduction of many
// subscriptions' patterns to the fewest bus subscriptions (a pattern covered by another is
// dropped), so overlapping patterns never deliver one event twice (an upstream bug). Pure.
import { EVENTS, assertPattern, matchSubject, rootPattern } from '@decnet/core';

/** Upstream's simple-mode presets. */
export const PATTERN_PRESETS: Readonly<Record<string, readonly string[]>> = {
  AttackerDetail: [rootPattern('attacker')],
  DeckyStatus: [EVENTS.deckyState.pattern, EVENTS.deckyTraffic.pattern],
  SystemStatus: [rootPattern('system')],
};

/** Patterns per subscription at most. */
export const MAX_PATTERNS = 64;
/** Longest pattern. */
export const MAX_PATTERN_LENGTH = 256;

/** Result of {@link validatePatterns}. */
export type PatternsResult = { readonly ok: true; readonly patterns: string[] } | { readonly ok: false; readonly error: string };

/**
 * Expands presets and validates patterns: presets first, order kept, duplicates, empty strings
 * and non-strings dropped (upstream's merge), then each must be a valid pattern; at least one.
 */
export function validatePatterns(patterns: readonly unknown[], presets: readonly string[] = []): PatternsResult {
  const merged: string[] = [];
  for (const name of presets) {
    const expansion = PATTERN_PRESETS[name];
    if (!expansion) return { ok: false, error: `unknown preset ${JSON.stringify(name)}; known: ${Object.keys(PATTERN_PRESETS).join(', ')}` };
    merged.push(...expansion);
  }
  for (const p of patterns) if (typeof p === 'string' && p.trim() !== '') merged.push(p.trim());
  const unique = [...new Set(merged)];
  if (unique.length === 0) return { ok: false, error: 'at least one pattern (or preset) is required' };
  if (unique.length > MAX_PATTERNS) return { ok: false, error: `at most ${MAX_PATTERNS} patterns` };
  for (const p of unique) {
    if (p.length > MAX_PATTERN_LENGTH) return { ok: false, error: `pattern longer than ${MAX_PATTERN_LENGTH} characters` };
    try {
      assertPattern(p);
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }
  return { ok: true, patterns: unique };
}

/** True when every subject `narrow` matches is also matched by `wide`. */
export function covers(wide: string, narrow: string): boolean {
  const w = wide.split('.');
  const n = narrow.split('.');
  for (let i = 0; i < w.length; i++) {
    const wt = w[i] as string;
    const nt = n[i];
    if (wt === '>') return nt !== undefined;
    if (nt === undefined || nt === '>') return false;
    if (wt === '*') continue;
    if (nt !== wt) return false;
  }
  return w.length === n.length;
}

/** The patterns to subscribe to: sorted, without any pattern another one covers. */
export function reducePatterns(patterns: Iterable<string>): string[] {
  const unique = [...new Set(patterns)].sort();
  return unique.filter((p) => !unique.some((q) => q !== p && covers(q, p)));
}

/**
 * Which of the reduced bus patterns is responsible for routing `subject`: the first that matches.
 * Two bus subscriptions may both receive an event (e.g. `attacker.*` and `*.observed`); only the
 * responsible one routes it.
 */
export function responsiblePattern(reduced: readonly string[], subject: string): string | undefined {
  return reduced.find((p) => matchSubject(p, subject));
}

/** True when any of `patterns` matches `subject`. */
export function matchesAny(patterns: readonly string[], subject: string): boolean {
  return patterns.some((p) => matchSubject(p, subject));
}
