// The ttp engine's error classes: one per failure a caller can act on (a pattern that cannot be
// translated, one that could stall, a rule file that is malformed, an ATT&CK bundle that is not one).
import { DecnetError } from '@decnet/core';

/**
 * Thrown when a Python regular expression is invalid, or uses a construct JavaScript cannot
 * express faithfully (scoped flags, atomic groups, possessive quantifiers, `\N{...}`, ...).
 * `offset` is the code-point index in the pattern where the problem was found.
 */
export class PatternSyntaxError extends DecnetError {
  constructor(
    readonly pattern: string,
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`${reason} at position ${offset}`);
  }
}

/**
 * Thrown when a pattern could backtrack catastrophically (a repetition whose body can split the
 * same input in more than one way, such as `(a+)+`), so matching it could stall the worker.
 */
export class UnsafePatternError extends DecnetError {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(`pattern could stall: ${reason}`);
  }
}

/**
 * Thrown (or returned inside a load report) when a rule file cannot become a rule: bad YAML,
 * a missing or invalid key, a pattern that does not translate, an unknown technique. `file` and
 * `line` (1-based, 0 when unknown) say where.
 */
export class RuleLoadError extends DecnetError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${line > 0 ? `:${line}${column > 0 ? `:${column}` : ''}` : ''}: ${reason}`, options);
  }
}

/** Thrown when a file given as an ATT&CK STIX bundle is not readable JSON or holds no ATT&CK objects. */
export class AttackBundleError extends DecnetError {
  constructor(
    readonly source: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}: ${reason}`, options);
  }
}

/** Thrown when a technique or tactic id is not in the ATT&CK data the engine runs with. */
export class UnknownTechniqueError extends DecnetError {
  constructor(readonly id: string) {
    super(`${id} is not in the ATT&CK data`);
  }
}
