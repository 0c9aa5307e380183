// Types of no-subject-literal.mjs.
import type { Rule } from 'eslint';

/** Whether `text` names a bus subject of the catalogue described by `catalogue`. */
export declare function looksLikeSubject(
  text: string,
  catalogue: { roots: ReadonlySet<string>; patterns: readonly string[][] },
): boolean;

/** Builds the rule for a catalogue's roots and patterns. */
export declare function createNoSubjectLiteral(
  source: { roots: Iterable<string>; patterns: Iterable<string> },
  allowed?: readonly string[],
): Rule.RuleModule;
