// The load-time half of the backtracking guard: a static check that rejects patterns whose
// repetitions can split one input in many ways (`(a+)+`, `(a|a)*`, `(a*)*`), the shapes that
// backtrack exponentially. Polynomial cases are bounded at run time by the input cap.
import { UnsafePatternError } from './errors.js';
import { PY_SPACE_RANGES, type ClassItem, type ParsedPattern, type RegexNode, type Shorthand } from './python-regex.js';

/** A non-ASCII building block: a Python shorthand category or a code-point range (all >= 128). */
type Atom = { readonly k: 'space' | 'digit' | 'word' } | { readonly k: 'range'; readonly lo: number; readonly hi: number };

/**
 * A character set, approximated for overlap tests: exact over ASCII, and over the non-ASCII
 * code points a union of atoms, or the complement of one (`neg`). Every approximation errs
 * towards "may overlap", so the guard rejects rather than misses.
 */
interface CharSet {
  readonly ascii: bigint;
  readonly neg: boolean;
  readonly atoms: readonly Atom[];
}

const ALL_ASCII = (1n << 128n) - 1n;
const EMPTY: CharSet = { ascii: 0n, neg: false, atoms: [] };
const ANY: CharSet = { ascii: ALL_ASCII, neg: true, atoms: [] };
/** Python whitespace beyond ASCII. */
const WIDE_SPACE = PY_SPACE_RANGES.filter(([, hi]) => hi > 127);

function rangeMask(lo: number, hi: number): bigint {
  const a = Math.max(lo, 0);
  const b = Math.min(hi, 127);
  if (a > b) return 0n;
  return ((1n << BigInt(b - a + 1)) - 1n) << BigInt(a);
}

function rangeAtoms(lo: number, hi: number): Atom[] {
  return hi > 127 ? [{ k: 'range', lo: Math.max(lo, 128), hi }] : [];
}

function insideSpace(lo: number, hi: number): boolean {
  return WIDE_SPACE.some(([a, b]) => lo >= a && hi <= b);
}

function atomsOverlap(a: Atom, b: Atom): boolean {
  if (a.k === 'range' && b.k === 'range') return a.lo <= b.hi && b.lo <= a.hi;
  if (a.k === 'range' || b.k === 'range') {
    const r = (a.k === 'range' ? a : b) as { lo: number; hi: number };
    const other = a.k === 'range' ? b : a;
    if (other.k === 'space') return WIDE_SPACE.some(([lo, hi]) => r.lo <= hi && lo <= r.hi);
    return true;
  }
  if (a.k === b.k) return true;
  const pair = new Set([a.k, b.k]);
  return pair.has('digit') && pair.has('word');
}

function atomWithin(a: Atom, b: Atom): boolean {
  if (a.k === 'range') {
    if (b.k === 'range') return a.lo >= b.lo && a.hi <= b.hi;
    return b.k === 'space' && insideSpace(a.lo, a.hi);
  }
  return a.k === b.k || (a.k === 'digit' && b.k === 'word');
}

function union(a: CharSet, b: CharSet): CharSet {
  const ascii = a.ascii | b.ascii;
  if (!a.neg && !b.neg) return { ascii, neg: false, atoms: [...a.atoms, ...b.atoms] };
  if (a.neg && b.neg) return { ascii, neg: true, atoms: a.atoms.filter((x) => b.atoms.some((y) => atomWithin(x, y) && atomWithin(y, x))) };
  const [pos, neg] = a.neg ? [b, a] : [a, b];
  // complement(N) ∪ P = complement(N \ P); keep only the atoms of N that P cannot touch.
  return { ascii, neg: true, atoms: neg.atoms.filter((x) => !pos.atoms.some((y) => atomsOverlap(x, y))) };
}

function negate(a: CharSet): CharSet {
  return { ascii: ALL_ASCII & ~a.ascii, neg: !a.neg, atoms: a.atoms };
}

function overlaps(a: CharSet, b: CharSet): boolean {
  if ((a.ascii & b.ascii) !== 0n) return true;
  if (a.neg && b.neg) return true;
  if (!a.neg && !b.neg) return a.atoms.some((x) => b.atoms.some((y) => atomsOverlap(x, y)));
  const [pos, neg] = a.neg ? [b, a] : [a, b];
  return pos.atoms.some((x) => !neg.atoms.some((y) => atomWithin(x, y)));
}

/** Adds the other case of every ASCII letter, and the non-ASCII letters that fold onto k and s (IGNORECASE). */
function foldCase(a: CharSet): CharSet {
  const upper = a.ascii & rangeMask(0x41, 0x5a);
  const lower = a.ascii & rangeMask(0x61, 0x7a);
  const ascii = a.ascii | (upper << 32n) | (lower >> 32n);
  let folded: CharSet = { ascii, neg: a.neg, atoms: a.atoms };
  if ((ascii & rangeMask(0x6b, 0x6b)) !== 0n) folded = union(folded, { ascii: 0n, neg: false, atoms: rangeAtoms(0x212a, 0x212a) });
  if ((ascii & rangeMask(0x73, 0x73)) !== 0n) folded = union(folded, { ascii: 0n, neg: false, atoms: rangeAtoms(0x17f, 0x17f) });
  return folded;
}

function shorthandSet(which: Shorthand): CharSet {
  switch (which) {
    case 'd':
      return { ascii: rangeMask(0x30, 0x39), neg: false, atoms: [{ k: 'digit' }] };
    case 'w':
      return {
        ascii: rangeMask(0x30, 0x39) | rangeMask(0x41, 0x5a) | rangeMask(0x5f, 0x5f) | rangeMask(0x61, 0x7a),
        neg: false,
        atoms: [{ k: 'word' }],
      };
    case 's': {
      let mask = 0n;
      for (const [lo, hi] of PY_SPACE_RANGES) mask |= rangeMask(lo, hi);
      return { ascii: mask, neg: false, atoms: [{ k: 'space' }] };
    }
    case 'D':
      return negate(shorthandSet('d'));
    case 'W':
      return negate(shorthandSet('w'));
    case 'S':
      return negate(shorthandSet('s'));
  }
}

function classSet(negated: boolean, items: readonly ClassItem[]): CharSet {
  let set = EMPTY;
  for (const item of items) {
    set =
      item.t === 'range'
        ? union(set, { ascii: rangeMask(item.lo, item.hi), neg: false, atoms: rangeAtoms(item.lo, item.hi) })
        : union(set, shorthandSet(item.which));
  }
  return negated ? negate(set) : set;
}

/** One element of a flattened body: a character set repeated `min`..`max` times. */
interface Element {
  readonly set: CharSet;
  readonly min: number;
  readonly max: number;
}

class Analyzer {
  constructor(
    private readonly pattern: string,
    private readonly ignoreCase: boolean,
  ) {}

  private fail(reason: string): never {
    throw new UnsafePatternError(this.pattern, reason);
  }

  /** The set a single-character node matches, else undefined. */
  private single(node: RegexNode): CharSet | undefined {
    let set: CharSet | undefined;
    if (node.t === 'char') set = { ascii: rangeMask(node.cp, node.cp), neg: false, atoms: rangeAtoms(node.cp, node.cp) };
    else if (node.t === 'any') set = ANY;
    else if (node.t === 'class') set = classSet(node.negated, node.items);
    else if (node.t === 'shorthand') set = shorthandSet(node.which);
    else if (node.t === 'group' && (node.kind === 'capture' || node.kind === 'noncapture')) return this.single(node.body);
    if (set === undefined) return undefined;
    return this.ignoreCase ? foldCase(set) : set;
  }

  /**
   * The body as a sequence of repeated character sets, skipping zero-width nodes; undefined
   * when it contains alternation, nested multi-element repetition or a back-reference.
   */
  private flatten(node: RegexNode): Element[] | undefined {
    if (node.t === 'assert') return [];
    if (node.t === 'group' && node.kind !== 'capture' && node.kind !== 'noncapture') return [];
    if (node.t === 'seq') {
      const out: Element[] = [];
      for (const item of node.items) {
        const part = this.flatten(item);
        if (part === undefined) return undefined;
        out.push(...part);
      }
      return out;
    }
    if (node.t === 'group') return this.flatten(node.body);
    if (node.t === 'repeat') {
      const set = this.single(node.body);
      if (set !== undefined) return [{ set, min: node.min, max: node.max }];
      const inner = this.flatten(node.body);
      // A fixed repeat of a fixed body (`(?:ab){2}`) unrolls; anything else does not flatten.
      if (inner === undefined || node.min !== node.max || inner.some((e) => e.min !== e.max)) return undefined;
      return Array.from({ length: node.min }, () => inner).flat();
    }
    const set = this.single(node);
    return set === undefined ? undefined : [{ set, min: 1, max: 1 }];
  }

  private nullable(node: RegexNode): boolean {
    switch (node.t) {
      case 'assert':
      case 'backref':
        return true;
      case 'group':
        return node.kind === 'capture' || node.kind === 'noncapture' ? this.nullable(node.body) : true;
      case 'repeat':
        return node.min === 0 || this.nullable(node.body);
      case 'seq':
        return node.items.every((n) => this.nullable(n));
      case 'alt':
        return node.branches.some((n) => this.nullable(n));
      default:
        return false;
    }
  }

  /** True when `node` contains a repetition of variable count or an alternation (outside look-arounds). */
  private hasChoice(node: RegexNode): boolean {
    switch (node.t) {
      case 'repeat':
        return node.min !== node.max || this.hasChoice(node.body);
      case 'alt':
        return true;
      case 'seq':
        return node.items.some((n) => this.hasChoice(n));
      case 'group':
        return (node.kind === 'capture' || node.kind === 'noncapture') && this.hasChoice(node.body);
      default:
        return false;
    }
  }

  /**
   * Two consecutive iterations of `elements` can split the same text two ways when a variable
   * element can hand characters to the next element it can reach (skipping nullable ones), the
   * last element wrapping to the first (the next iteration).
   */
  private ambiguousCycle(elements: readonly Element[]): string | undefined {
    const n = elements.length;
    for (let i = 0; i < n; i++) {
      const a = elements[i] as Element;
      if (a.min === a.max) continue;
      for (let step = 1; step <= n; step++) {
        const b = elements[(i + step) % n] as Element;
        if (overlaps(a.set, b.set)) return 'a repeated element can hand characters to a neighbour inside a repetition';
        if (b.min > 0) break;
      }
    }
    return undefined;
  }

  /** Alternation branches that are fixed strings of sets must form a prefix code. */
  private ambiguousBranches(branches: readonly RegexNode[]): string | undefined {
    const flat = branches.map((b) => this.flatten(b));
    if (flat.some((f) => f === undefined || f.length === 0 || f.some((e) => e.min !== e.max || e.min !== 1))) {
      return 'an alternation inside a repetition has branches that are not fixed strings';
    }
    const fixed = flat as Element[][];
    for (let i = 0; i < fixed.length; i++) {
      for (let j = 0; j < fixed.length; j++) {
        if (i === j) continue;
        const a = fixed[i] as Element[];
        const b = fixed[j] as Element[];
        if (a.length > b.length) continue;
        if (a.every((e, k) => overlaps(e.set, (b[k] as Element).set))) {
          return 'two branches of an alternation inside a repetition can match the same text';
        }
      }
    }
    return undefined;
  }

  private unwrap(node: RegexNode): RegexNode {
    return node.t === 'group' && (node.kind === 'capture' || node.kind === 'noncapture') ? this.unwrap(node.body) : node;
  }

  private checkLoop(node: Extract<RegexNode, { t: 'repeat' }>): void {
    const body = node.body;
    if (!this.hasChoice(body)) return;
    if (this.nullable(body)) this.fail('a repetition whose body can match the empty string contains another choice point');
    const elements = this.flatten(body);
    if (elements !== undefined) {
      const reason = this.ambiguousCycle(elements);
      if (reason) this.fail(reason);
      return;
    }
    const inner = this.unwrap(body);
    if (inner.t === 'alt') {
      const reason = this.ambiguousBranches(inner.branches);
      if (reason) this.fail(reason);
      return;
    }
    this.fail('a repetition contains nested repetitions or alternations the guard cannot prove unambiguous');
  }

  walk(node: RegexNode): void {
    switch (node.t) {
      case 'repeat':
        if (node.max > 1) this.checkLoop(node);
        this.walk(node.body);
        return;
      case 'seq':
        node.items.forEach((n) => this.walk(n));
        return;
      case 'alt':
        node.branches.forEach((n) => this.walk(n));
        return;
      case 'group':
        this.walk(node.body);
        return;
      default:
        return;
    }
  }
}

/**
 * Rejects a pattern that could backtrack exponentially: a repetition (max > 1) whose body holds
 * a choice (a variable repetition or an alternation) that can split the same input two ways.
 * Accepted shapes include `(?:-\S+\s+)*` (neighbouring sets are disjoint) and
 * `(?:\.\./|%2e%2e/){2,}` (branches form a prefix code).
 * @throws UnsafePatternError naming the reason.
 */
export function assertSafePattern(parsed: ParsedPattern): void {
  new Analyzer(parsed.source, parsed.flags.ignoreCase).walk(parsed.tree);
}

// ----- polynomial degree ---------------------------------------------------------------------

/** A sequence element as the degree estimate sees it. */
interface Item {
  /** Every character it can consume. */
  readonly set: CharSet;
  /** Characters it can start with. */
  readonly first: CharSet;
  /** Its length varies without bound (an unbounded repetition, or contains one). */
  readonly variable: boolean;
  readonly nullable: boolean;
  /** Degree inside it (nested sequences, look-arounds). */
  readonly inner: number;
}

class DegreeEstimator {
  constructor(private readonly ignoreCase: boolean) {}

  private charSetOf(node: RegexNode): CharSet | undefined {
    let set: CharSet | undefined;
    if (node.t === 'char') set = { ascii: rangeMask(node.cp, node.cp), neg: false, atoms: rangeAtoms(node.cp, node.cp) };
    else if (node.t === 'any') set = ANY;
    else if (node.t === 'class') set = classSet(node.negated, node.items);
    else if (node.t === 'shorthand') set = shorthandSet(node.which);
    if (set === undefined) return undefined;
    return this.ignoreCase ? foldCase(set) : set;
  }

  /** The items of `node` read as a sequence (unrepeated groups are spliced in). */
  private items(node: RegexNode): Item[] {
    if (node.t === 'seq') return node.items.flatMap((n) => this.items(n));
    if (node.t === 'group' && (node.kind === 'capture' || node.kind === 'noncapture')) return this.items(node.body);
    return [this.item(node)];
  }

  private item(node: RegexNode): Item {
    const single = this.charSetOf(node);
    if (single) return { set: single, first: single, variable: false, nullable: false, inner: 0 };
    switch (node.t) {
      case 'assert':
        return { set: EMPTY, first: EMPTY, variable: false, nullable: true, inner: 0 };
      case 'backref':
        return { set: ANY, first: ANY, variable: true, nullable: true, inner: 1 };
      case 'group': {
        // A look-around runs its body at each position: its own degree plus one.
        return { set: EMPTY, first: EMPTY, variable: false, nullable: true, inner: this.degree(node.body) + 1 };
      }
      case 'alt': {
        const branches = node.branches.map((b) => this.summarise(this.items(b)));
        return {
          set: branches.reduce((s, b) => union(s, b.set), EMPTY),
          first: branches.reduce((s, b) => union(s, b.first), EMPTY),
          variable: branches.some((b) => b.variable),
          nullable: branches.some((b) => b.nullable),
          inner: Math.max(0, ...node.branches.map((b) => this.degree(b))),
        };
      }
      case 'repeat': {
        const body = this.summarise(this.items(node.body));
        return {
          set: body.set,
          first: body.first,
          variable: node.max === Number.POSITIVE_INFINITY || (node.max > node.min && body.variable) || node.max - node.min > 16,
          nullable: node.min === 0 || body.nullable,
          inner: this.degree(node.body),
        };
      }
      default:
        return { set: ANY, first: ANY, variable: true, nullable: true, inner: 1 };
    }
  }

  /** One item standing for a whole sequence. */
  private summarise(items: readonly Item[]): Item {
    let first = EMPTY;
    for (const it of items) {
      first = union(first, it.first);
      if (!it.nullable) break;
    }
    return {
      set: items.reduce((s, it) => union(s, it.set), EMPTY),
      first,
      variable: items.some((it) => it.variable),
      nullable: items.every((it) => it.nullable),
      inner: Math.max(0, ...items.map((it) => it.inner)),
    };
  }

  /**
   * Longest chain of variable items where each can hand characters to the next: it can consume
   * every separator between them and the next one's first character.
   */
  degree(node: RegexNode): number {
    if (node.t === 'alt') return Math.max(0, ...node.branches.map((b) => this.degree(b)));
    const items = this.items(node);
    const chain: number[] = items.map(() => 0);
    let best = 0;
    items.forEach((b, j) => {
      best = Math.max(best, b.inner);
      if (!b.variable) return;
      chain[j] = 1;
      for (let i = j - 1; i >= 0; i--) {
        const a = items[i] as Item;
        if (a.variable && overlaps(a.set, b.first)) {
          const between = items.slice(i + 1, j);
          if (between.every((x) => x.nullable || overlaps(a.set, x.set))) chain[j] = Math.max(chain[j] as number, (chain[i] as number) + 1);
        }
      }
      best = Math.max(best, chain[j] as number);
    });
    return best;
  }

  /** True when the pattern can only match at the start of the input. */
  anchored(node: RegexNode): boolean {
    const items = this.itemsRaw(node);
    const head = items[0];
    return head !== undefined && head.t === 'assert' && (head.which === 'A' || head.which === 'start');
  }

  private itemsRaw(node: RegexNode): RegexNode[] {
    if (node.t === 'seq') return node.items.flatMap((n) => this.itemsRaw(n));
    if (node.t === 'group' && (node.kind === 'capture' || node.kind === 'noncapture')) return this.itemsRaw(node.body);
    return [node];
  }
}

/**
 * Estimates the polynomial degree of V8's worst-case backtracking on `parsed` (exponential shapes
 * are already refused by {@link assertSafePattern}): the longest chain of unbounded repetitions
 * that can trade characters, plus one for an unanchored search (every start position). It errs
 * high; callers use it to bound the input V8 may see before the linear matcher takes over.
 */
export function backtrackDegree(parsed: ParsedPattern): number {
  const estimator = new DegreeEstimator(parsed.flags.ignoreCase);
  const chain = estimator.degree(parsed.tree);
  return chain + (estimator.anchored(parsed.tree) ? 0 : 1);
}
