// The run-time half of the backtracking guard: a Thompson-NFA (Pike VM) search over the parsed
// Python pattern. It answers "does it match anywhere" in time linear in the input (times the
// pattern size), whatever the pattern, so long inputs can never stall the worker.
import { emitJsRegex, type AssertionKind, type ParsedPattern, type PythonFlags, type RegexNode } from './python-regex.js';

/** Largest program (instructions) compiled; counted repeats unroll, so `x{1000}` grows it. */
const MAX_PROGRAM_SIZE = 20_000;

/** Thrown inside this module when a pattern cannot run here (back-references, oversized unrolls). */
class NotLinearError extends Error {}

/** Instruction codes. */
const Op = { Char: 0, Split: 1, Assert: 2, Look: 3, Match: 4 } as const;
type Op = (typeof Op)[keyof typeof Op];

/** One look-around: a sub-program run anchored at (ahead) or ending at (behind) the position. */
interface Look {
  readonly program: Program;
  readonly ahead: boolean;
  readonly negate: boolean;
  /** Look-behind width in code points. */
  readonly width: number;
}

/** Work buffers of one program run. */
interface Scratch {
  busy: boolean;
  readonly current: Int32Array;
  readonly next: Int32Array;
  readonly marks: Int32Array;
  readonly stack: Int32Array;
}

function newScratch(size: number): Scratch {
  return {
    busy: false,
    current: new Int32Array(size),
    next: new Int32Array(size),
    marks: new Int32Array(size),
    stack: new Int32Array(size * 2 + 2),
  };
}

interface Program {
  readonly scratch: Scratch;
  readonly op: Uint8Array;
  /** Char: predicate index; Split: first target; Assert: kind index; Look: look index. */
  readonly a: Int32Array;
  /** Split: second target; others: next instruction. */
  readonly b: Int32Array;
  readonly size: number;
}

type Predicate = (cp: number) => boolean;

const ASSERTS: readonly AssertionKind[] = ['start', 'end', 'A', 'Z', 'b', 'B'];

/** A single-character test with exactly V8's `u`/`iu` semantics, memoised over ASCII. */
function predicateFor(atomSource: string, flags: string): Predicate {
  const re = new RegExp(`^(?:${atomSource})$`, flags);
  const ascii = new Uint8Array(128);
  for (let cp = 0; cp < 128; cp++) ascii[cp] = re.test(String.fromCharCode(cp)) ? 1 : 0;
  return (cp) => (cp < 128 ? ascii[cp] === 1 : re.test(String.fromCodePoint(cp)));
}

/** A dangling pointer: instruction index * 2, plus 1 for the `b` slot. */
type Hole = number;
const slotA = (pc: number): Hole => pc * 2;
const slotB = (pc: number): Hole => pc * 2 + 1;

/**
 * Compiles the tree into a program. Every emit takes the dangling pointers (`holes`) of the code
 * before it, points them at its first instruction (if it emits any: an empty node passes them
 * through) and leaves its own exits in `holes`. No instruction falls through implicitly.
 */
class Builder {
  op: number[] = [];
  a: number[] = [];
  b: number[] = [];
  constructor(
    private readonly parsed: ParsedPattern,
    private readonly predicates: Predicate[],
    private readonly looks: Look[],
  ) {}

  private push(op: Op, a = -1, b = -1): number {
    if (this.op.length >= MAX_PROGRAM_SIZE) throw new NotLinearError('program too large');
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }

  private patch(holes: readonly Hole[], target: number): void {
    for (const h of holes) {
      if (h % 2 === 0) this.a[h / 2] = target;
      else this.b[(h - 1) / 2] = target;
    }
  }

  /** Points `holes` at the instruction about to be pushed, then pushes it. */
  private place(holes: Hole[], op: Op, a = -1): number {
    this.patch(holes, this.op.length);
    holes.length = 0;
    return this.push(op, a);
  }

  private emit(node: RegexNode, holes: Hole[]): void {
    switch (node.t) {
      case 'seq':
        for (const item of node.items) this.emit(item, holes);
        return;
      case 'alt':
        this.alternation(node.branches, holes);
        return;
      case 'group':
        if (node.kind === 'capture' || node.kind === 'noncapture') {
          this.emit(node.body, holes);
          return;
        }
        holes.push(slotB(this.lookaround(node.kind, node.body, holes)));
        return;
      case 'repeat':
        this.repeat(node.body, node.min, node.max, holes);
        return;
      case 'assert':
        holes.push(slotB(this.place(holes, Op.Assert, ASSERTS.indexOf(node.which))));
        return;
      case 'backref':
        throw new NotLinearError('back-references need backtracking');
      default: {
        const { source, flags } = emitJsRegex({ ...this.parsed, tree: node }, 'unicode');
        this.predicates.push(predicateFor(source, flags));
        holes.push(slotB(this.place(holes, Op.Char, this.predicates.length - 1)));
      }
    }
  }

  private alternation(branches: readonly RegexNode[], holes: Hole[]): void {
    if (branches.length === 1) {
      this.emit(branches[0] as RegexNode, holes);
      return;
    }
    const split = this.place(holes, Op.Split);
    const first: Hole[] = [slotA(split)];
    this.emit(branches[0] as RegexNode, first);
    const rest: Hole[] = [slotB(split)];
    this.alternation(branches.slice(1), rest);
    holes.push(...first, ...rest);
  }

  private repeat(body: RegexNode, min: number, max: number, holes: Hole[]): void {
    for (let i = 0; i < min; i++) this.emit(body, holes);
    if (max === Number.POSITIVE_INFINITY) {
      const split = this.place(holes, Op.Split);
      const inner: Hole[] = [slotA(split)];
      this.emit(body, inner);
      this.patch(inner, split);
      holes.push(slotB(split));
      return;
    }
    for (let i = min; i < max; i++) {
      const split = this.place(holes, Op.Split);
      const inner: Hole[] = [slotA(split)];
      this.emit(body, inner);
      holes.push(...inner, slotB(split));
    }
  }

  private lookaround(kind: 'ahead' | 'nahead' | 'behind' | 'nbehind', body: RegexNode, holes: Hole[]): number {
    const program = new Builder(this.parsed, this.predicates, this.looks).finish(body);
    const ahead = kind === 'ahead' || kind === 'nahead';
    const negate = kind === 'nahead' || kind === 'nbehind';
    this.looks.push({
      program,
      ahead,
      negate,
      width: ahead ? 0 : (widthOf(body) ?? 0),
    });
    return this.place(holes, Op.Look, this.looks.length - 1);
  }

  finish(tree: RegexNode): Program {
    const holes: Hole[] = [];
    this.emit(tree, holes);
    this.place(holes, Op.Match);
    const size = this.op.length;
    return {
      op: Uint8Array.from(this.op),
      a: Int32Array.from(this.a),
      b: Int32Array.from(this.b),
      size,
      scratch: newScratch(size),
    };
  }
}

function widthOf(node: RegexNode): number | undefined {
  switch (node.t) {
    case 'char':
    case 'any':
    case 'class':
    case 'shorthand':
      return 1;
    case 'assert':
      return 0;
    case 'group':
      return node.kind === 'capture' || node.kind === 'noncapture' ? widthOf(node.body) : 0;
    case 'repeat': {
      const w = widthOf(node.body);
      return w === undefined || node.min !== node.max ? undefined : w * node.min;
    }
    case 'seq':
      return node.items.reduce<number | undefined>((sum, n) => {
        const w = widthOf(n);
        return sum === undefined || w === undefined ? undefined : sum + w;
      }, 0);
    case 'alt':
      return widthOf(node.branches[0] as RegexNode);
    default:
      return undefined;
  }
}

/**
 * A compiled linear-time matcher for one pattern. Semantics are Python's `re.search` on str
 * (Unicode shorthands, `$` before a final newline, `.` excluding `\n`), as the V8 translation.
 */
export class LinearMatcher {
  private readonly program: Program;
  private readonly predicates: Predicate[] = [];
  private readonly looks: Look[] = [];
  private readonly flags: PythonFlags;
  private readonly isWord: Predicate;

  private constructor(parsed: ParsedPattern) {
    this.flags = parsed.flags;
    this.program = new Builder(parsed, this.predicates, this.looks).finish(parsed.tree);
    this.isWord = predicateFor('[\\p{L}\\p{N}_]', 'u');
  }

  /** A matcher for `parsed`, or undefined when the pattern needs backtracking (back-references) or is too large. */
  static tryCreate(parsed: ParsedPattern): LinearMatcher | undefined {
    try {
      return new LinearMatcher(parsed);
    } catch (err) {
      if (err instanceof NotLinearError) return undefined;
      throw err;
    }
  }

  /** Instructions in the main program (look-arounds excluded). */
  get size(): number {
    return this.program.size;
  }

  /** True when the pattern matches somewhere in `text`. */
  test(text: string): boolean {
    const cps = Int32Array.from(text, (c) => c.codePointAt(0) as number);
    return this.run(this.program, cps, 0, false, -1);
  }

  private assertAt(kind: number, cps: Int32Array, i: number): boolean {
    const n = cps.length;
    switch (ASSERTS[kind]) {
      case 'A':
        return i === 0;
      case 'Z':
        return i === n;
      case 'start':
        return i === 0 || (this.flags.multiline && cps[i - 1] === 0x0a);
      case 'end':
        if (this.flags.multiline) return i === n || cps[i] === 0x0a;
        return i === n || (i === n - 1 && cps[i] === 0x0a);
      case 'b':
      case 'B': {
        const before = i > 0 && this.isWord(cps[i - 1] as number);
        const after = i < n && this.isWord(cps[i] as number);
        return (before !== after) === (ASSERTS[kind] === 'b');
      }
      default:
        return false;
    }
  }

  private lookAt(index: number, cps: Int32Array, i: number): boolean {
    const look = this.looks[index] as Look;
    let ok: boolean;
    if (look.ahead) ok = this.run(look.program, cps, i, true, -1);
    else ok = i - look.width >= 0 && this.run(look.program, cps, i - look.width, true, i);
    return ok !== look.negate;
  }

  /**
   * Pike VM: simulates every thread in lock step. `anchored` runs start only at `from`;
   * `mustEndAt` >= 0 requires the match to end exactly there (look-behind).
   */
  private run(p: Program, cps: Int32Array, from: number, anchored: boolean, mustEndAt: number): boolean {
    const size = p.size;
    const op = p.op;
    const pa = p.a;
    const pb = p.b;
    // Scratch buffers are reused across calls; a re-entrant run (a look-around inside the same
    // program) gets fresh ones.
    const scratch = p.scratch.busy ? newScratch(size) : p.scratch;
    scratch.busy = true;
    let current = scratch.current;
    let next = scratch.next;
    let currentCount = 0;
    let nextCount = 0;
    const marks = scratch.marks;
    marks.fill(0);
    let gen = 1;
    const stack = scratch.stack;
    try {
      const limit = mustEndAt >= 0 ? mustEndAt : cps.length;
      let matched = false;

      /** Adds the epsilon closure of `start` at position `i` to `list`; sets `matched` on Match. */
      const add = (list: Int32Array, count: number, start: number, i: number): number => {
        let sp = 0;
        stack[sp++] = start;
        while (sp > 0) {
          const pc = stack[--sp] as number;
          if (marks[pc] === gen) continue;
          marks[pc] = gen;
          switch (op[pc]) {
            case Op.Char:
              list[count++] = pc;
              break;
            case Op.Split:
              stack[sp++] = pb[pc] as number;
              stack[sp++] = pa[pc] as number;
              break;
            case Op.Assert:
              if (this.assertAt(pa[pc] as number, cps, i)) stack[sp++] = pb[pc] as number;
              break;
            case Op.Look:
              if (this.lookAt(pa[pc] as number, cps, i)) stack[sp++] = pb[pc] as number;
              break;
            case Op.Match:
              if (mustEndAt < 0 || i === mustEndAt) matched = true;
              break;
          }
        }
        return count;
      };

      currentCount = add(current, 0, 0, from);
      if (matched) return true;
      const predicates = this.predicates;
      for (let i = from; i < limit; i++) {
        const cp = cps[i] as number;
        gen++;
        nextCount = 0;
        for (let k = 0; k < currentCount; k++) {
          const pc = current[k] as number;
          if ((predicates[pa[pc] as number] as Predicate)(cp)) {
            nextCount = add(next, nextCount, pb[pc] as number, i + 1);
            if (matched) return true;
          }
        }
        if (!anchored) {
          nextCount = add(next, nextCount, 0, i + 1);
          if (matched) return true;
        } else if (nextCount === 0) {
          return false;
        }
        const swap = current;
        current = next;
        next = swap;
        currentCount = nextCount;
      }
      return false;
    } finally {
      scratch.busy = false;
    }
  }
}
