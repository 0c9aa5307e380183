// One rule pattern ready to run: Python syntax translated to V8 (an ASCII-fast and a Unicode-exact
// form), checked for exponential shapes at compile time, and run through the linear-time matcher
// for long inputs or once V8 proved slow on it — so no input can stall the worker.
import { LinearMatcher } from './linear-matcher.js';
import { emitJsRegex, parsePythonRegex, type ParsedPattern } from './python-regex.js';
import { assertSafePattern, backtrackDegree } from './regex-safety.js';

/** Longest input any pattern may run on V8's backtracking engine; beyond it the linear matcher runs. */
export const FAST_PATH_MAX_CHARS = 4096;
/**
 * Backtracking steps a V8 run may take in the worst case (tens of milliseconds): a pattern of
 * estimated degree d runs on V8 only for inputs up to BUDGET^(1/d) characters.
 */
export const FAST_PATH_STEP_BUDGET = 4_000_000;
/** Inputs are cut to this many UTF-16 units before matching: the linear matcher's cost is proportional. */
export const MAX_MATCH_INPUT_CHARS = 16_384;
/** A V8 run slower than this moves the pattern to the linear matcher for good (it never loses a match). */
export const SLOW_EXEC_MS = 25;

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007f]/;

/** Cuts `text` to `max` UTF-16 units without splitting a surrogate pair. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * A compiled Python pattern with `re.search` semantics.
 *
 * ```ts
 * const p = CompiledPattern.compile('(?i)\\bnmap\\b');
 * p.test('sudo NMAP -sS 10.0.0.0/24'); // true
 * ```
 */
export class CompiledPattern {
  /** True once V8 was slow on this pattern: every input then goes to the linear matcher. */
  private linearOnly = false;
  /** V8 runs that exceeded {@link SLOW_EXEC_MS}. */
  slowRuns = 0;
  /** Inputs matched on V8. */
  fastRuns = 0;
  /** Inputs matched by the linear matcher. */
  linearRuns = 0;
  /** Longest input this pattern runs on V8 (from its backtracking degree); longer inputs use the linear matcher. */
  readonly fastPathMaxChars: number;

  private constructor(
    /** The Python source, verbatim. */
    readonly source: string,
    readonly parsed: ParsedPattern,
    /** Exact for ASCII-only input, on V8's fast paths. */
    readonly ascii: RegExp,
    /** Exact for any input. */
    readonly unicode: RegExp,
    /** Linear-time matcher; undefined for patterns with back-references (those are cut to the fast-path length). */
    readonly linear: LinearMatcher | undefined,
    /** Estimated polynomial degree of V8's worst case. */
    readonly degree: number,
  ) {
    this.fastPathMaxChars = Math.min(FAST_PATH_MAX_CHARS, Math.max(8, Math.floor(FAST_PATH_STEP_BUDGET ** (1 / Math.max(1, degree)))));
  }

  /**
   * Translates and checks `source`.
   * @throws PatternSyntaxError when Python would reject it or it uses an unsupported construct.
   * @throws UnsafePatternError when it could backtrack exponentially.
   */
  static compile(source: string): CompiledPattern {
    const parsed = parsePythonRegex(source);
    assertSafePattern(parsed);
    const a = emitJsRegex(parsed, 'ascii');
    const u = emitJsRegex(parsed, 'unicode');
    const linear = LinearMatcher.tryCreate(parsed);
    return new CompiledPattern(source, parsed, new RegExp(a.source, a.flags), new RegExp(u.source, u.flags), linear, backtrackDegree(parsed));
  }

  /** True when the pattern matches somewhere in `text` (Python `re.search`), after cutting it to {@link MAX_MATCH_INPUT_CHARS}. */
  test(text: string): boolean {
    const input = cut(text, MAX_MATCH_INPUT_CHARS);
    if (this.linear && (this.linearOnly || input.length > this.fastPathMaxChars)) {
      this.linearRuns++;
      return this.linear.test(input);
    }
    this.fastRuns++;
    const short = this.linear ? input : cut(input, this.fastPathMaxChars);
    const re = NON_ASCII.test(short) ? this.unicode : this.ascii;
    const started = performance.now();
    const result = re.test(short);
    if (performance.now() - started > SLOW_EXEC_MS) {
      this.slowRuns++;
      if (this.linear) this.linearOnly = true;
    }
    return result;
  }

  /** True when the pattern now always runs on the linear matcher. */
  get isLinearOnly(): boolean {
    return this.linearOnly;
  }
}
