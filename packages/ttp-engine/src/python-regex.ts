// Python `re` syntax → JavaScript RegExp: a parser that follows Python's own rules (global inline
// flags, `\Z`, `\A`, `(?P<name>)`, `(?P=name)`, literal `{`, octal escapes, verbose mode) into a
// small syntax tree, and an emitter that reproduces Python's str semantics on V8 exactly.

import { PatternSyntaxError } from './errors.js';

/** Python inline flags the translator understands. */
export interface PythonFlags {
  /** `(?i)` re.IGNORECASE */
  readonly ignoreCase: boolean;
  /** `(?s)` re.DOTALL: `.` also matches `\n`. */
  readonly dotAll: boolean;
  /** `(?m)` re.MULTILINE: `^`/`$` also match at line breaks (`\n` only, as Python). */
  readonly multiline: boolean;
  /** `(?x)` re.VERBOSE: whitespace and `#` comments outside classes are ignored. */
  readonly verbose: boolean;
}

/** One shorthand class: digit, word, space, or their complements. */
export type Shorthand = 'd' | 'D' | 'w' | 'W' | 's' | 'S';

/** A member of a bracketed class. */
export type ClassItem = { readonly t: 'range'; readonly lo: number; readonly hi: number } | { readonly t: 'shorthand'; readonly which: Shorthand };

/** Zero-width assertions. */
export type AssertionKind = 'start' | 'end' | 'A' | 'Z' | 'b' | 'B';

/** Group kinds. */
export type GroupKind = 'capture' | 'noncapture' | 'ahead' | 'nahead' | 'behind' | 'nbehind';

/** The syntax tree of a parsed pattern. */
export type RegexNode =
  | { readonly t: 'seq'; readonly items: readonly RegexNode[] }
  | { readonly t: 'alt'; readonly branches: readonly RegexNode[] }
  | { readonly t: 'group'; readonly kind: GroupKind; readonly name?: string; readonly index?: number; readonly body: RegexNode }
  | { readonly t: 'repeat'; readonly body: RegexNode; readonly min: number; readonly max: number; readonly lazy: boolean }
  | { readonly t: 'char'; readonly cp: number }
  | { readonly t: 'any' }
  | { readonly t: 'class'; readonly negated: boolean; readonly items: readonly ClassItem[] }
  | { readonly t: 'shorthand'; readonly which: Shorthand }
  | { readonly t: 'assert'; readonly which: AssertionKind }
  | { readonly t: 'backref'; readonly ref: number | string };

/** A parsed Python pattern. */
export interface ParsedPattern {
  readonly source: string;
  readonly flags: PythonFlags;
  readonly tree: RegexNode;
  readonly groupCount: number;
}

/** Largest `{m,n}` bound accepted; Python allows more, but V8 compiles such counts very slowly. */
const MAX_REPEAT_BOUND = 100_000;
/** Python's "unbounded" repeat count. */
const UNBOUNDED = Number.POSITIVE_INFINITY;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isOctal = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isAsciiLetter = (c: string): boolean => /^[A-Za-z]$/.test(c);
/** Python's `str.isspace()` set, as ranges (used by `\s` and by verbose mode). */
export const PY_SPACE_RANGES: readonly (readonly [number, number])[] = [
  [0x09, 0x0d],
  [0x1c, 0x20],
  [0x85, 0x85],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
];
/** Characters verbose mode skips: Python uses the ASCII set `" \t\n\r\v\f"`. */
const VERBOSE_SPACE = new Set([' ', '\t', '\n', '\r', '\v', '\f']);
const IDENTIFIER = /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u;

class Parser {
  private pos = 0;
  private groups = 0;
  private readonly openGroups = new Set<number>();
  private readonly names = new Map<string, number>();
  private readonly chars: string[];
  flags: { ignoreCase: boolean; dotAll: boolean; multiline: boolean; verbose: boolean } = {
    ignoreCase: false,
    dotAll: false,
    multiline: false,
    verbose: false,
  };

  constructor(private readonly source: string) {
    this.chars = Array.from(source);
  }

  fail(reason: string, at = this.pos): never {
    throw new PatternSyntaxError(this.source, at, reason);
  }

  peek(offset = 0): string | undefined {
    return this.chars[this.pos + offset];
  }

  next(): string | undefined {
    return this.chars[this.pos++];
  }

  match(text: string): boolean {
    const parts = Array.from(text);
    for (let i = 0; i < parts.length; i++) if (this.chars[this.pos + i] !== parts[i]) return false;
    this.pos += parts.length;
    return true;
  }

  get done(): boolean {
    return this.pos >= this.chars.length;
  }

  parse(): ParsedPattern {
    this.leadingFlags();
    const tree = this.alternation();
    if (!this.done) this.fail(this.peek() === ')' ? 'unbalanced parenthesis' : 'unexpected character');
    return { source: this.source, flags: { ...this.flags }, tree, groupCount: this.groups };
  }

  /** Global flags: Python 3.11+ accepts `(?aiLmsux)` only at the very start of the pattern. */
  private leadingFlags(): void {
    for (;;) {
      if (this.peek() !== '(' || this.peek(1) !== '?') return;
      let i = 2;
      let letters = '';
      while (this.peek(i) !== undefined && /^[aiLmsux]$/.test(this.peek(i) as string)) letters += this.peek(i++);
      if (letters.length === 0 || this.peek(i) !== ')') return;
      for (const flag of letters) {
        if (flag === 'i') this.flags.ignoreCase = true;
        else if (flag === 's') this.flags.dotAll = true;
        else if (flag === 'm') this.flags.multiline = true;
        else if (flag === 'x') this.flags.verbose = true;
        else if (flag === 'a') this.fail('the ASCII flag (?a) is not supported');
        else if (flag === 'L') this.fail('the LOCALE flag (?L) is not supported');
        // `u` is Python's default for str patterns.
      }
      this.pos += i + 1;
    }
  }

  private skipVerbose(): void {
    if (!this.flags.verbose) return;
    for (;;) {
      const c = this.peek();
      if (c !== undefined && VERBOSE_SPACE.has(c)) {
        this.pos++;
      } else if (c === '#') {
        while (!this.done && this.peek() !== '\n') this.pos++;
      } else {
        return;
      }
    }
  }

  private alternation(): RegexNode {
    const branches: RegexNode[] = [this.sequence()];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? (branches[0] as RegexNode) : { t: 'alt', branches };
  }

  private sequence(): RegexNode {
    const items: RegexNode[] = [];
    for (;;) {
      this.skipVerbose();
      const c = this.peek();
      if (c === undefined || c === '|' || c === ')') break;
      const start = this.pos;
      if (c === '*' || c === '+' || c === '?' || (c === '{' && this.quantifierAhead())) {
        const last = items.pop();
        if (last === undefined || last.t === 'assert') this.fail('nothing to repeat', start);
        if (last.t === 'repeat') this.fail('multiple repeat', start);
        items.push(this.quantifier(last));
        continue;
      }
      const atom = this.atom();
      if (atom !== undefined) items.push(atom);
    }
    return items.length === 1 ? (items[0] as RegexNode) : { t: 'seq', items };
  }

  /** True when `{` at the cursor starts `{m}`, `{m,}`, `{,n}`, `{m,n}` or `{,}` (else it is a literal). */
  private quantifierAhead(): boolean {
    let i = 1;
    if (this.peek(1) === '}') return false;
    while (isDigit(this.peek(i))) i++;
    if (this.peek(i) === ',') {
      i++;
      while (isDigit(this.peek(i))) i++;
    }
    return this.peek(i) === '}';
  }

  private quantifier(body: RegexNode): RegexNode {
    const c = this.next();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, UNBOUNDED];
    else if (c === '+') [min, max] = [1, UNBOUNDED];
    else if (c === '?') [min, max] = [0, 1];
    else {
      let lo = '';
      let hi = '';
      while (isDigit(this.peek())) lo += this.next();
      if (this.match(',')) {
        while (isDigit(this.peek())) hi += this.next();
      } else {
        hi = lo;
      }
      this.next(); // '}'
      min = lo === '' ? 0 : Number(lo);
      max = hi === '' ? UNBOUNDED : Number(hi);
      if (min > MAX_REPEAT_BOUND || (max !== UNBOUNDED && max > MAX_REPEAT_BOUND)) this.fail('repeat count too large');
      if (max < min) this.fail('min repeat greater than max repeat');
    }
    if (this.peek() === '+') this.fail('possessive quantifiers are not supported');
    const lazy = this.match('?');
    return { t: 'repeat', body, min, max, lazy };
  }

  private atom(): RegexNode | undefined {
    const start = this.pos;
    const c = this.next() as string;
    switch (c) {
      case '.':
        return { t: 'any' };
      case '^':
        return { t: 'assert', which: 'start' };
      case '$':
        return { t: 'assert', which: 'end' };
      case '[':
        return this.charClass();
      case '(':
        return this.group(start);
      case '\\':
        return this.escape(start);
      default:
        return { t: 'char', cp: c.codePointAt(0) as number };
    }
  }

  private group(start: number): RegexNode | undefined {
    if (!this.match('?')) return this.capture(undefined);
    if (this.match(':')) return this.closeGroup({ kind: 'noncapture' });
    if (this.match('=')) return this.closeGroup({ kind: 'ahead' });
    if (this.match('!')) return this.closeGroup({ kind: 'nahead' });
    if (this.match('<=')) return this.lookbehind('behind', start);
    if (this.match('<!')) return this.lookbehind('nbehind', start);
    if (this.match('#')) {
      while (!this.done && this.peek() !== ')') this.pos++;
      if (!this.match(')')) this.fail('missing ), unterminated comment', start);
      return undefined;
    }
    if (this.match('P<')) return this.capture(this.groupName('>'));
    if (this.match('P=')) {
      const name = this.groupName(')');
      const index = this.names.get(name);
      if (index === undefined) this.fail(`unknown group name ${JSON.stringify(name)}`, start);
      if (this.openGroups.has(index)) this.fail('cannot refer to an open group', start);
      return { t: 'backref', ref: name };
    }
    if (this.peek() === '>') this.fail('atomic groups (?>...) are not supported', start);
    if (this.peek() === '(') this.fail('conditional groups (?(...)...) are not supported', start);
    if (this.peek() === 'P') this.fail('unknown extension (?P', start);
    const flagRun = /^[-aiLmsux]+[:)]/.exec(this.chars.slice(this.pos, this.pos + 12).join(''));
    if (flagRun) {
      if (flagRun[0].endsWith(')')) this.fail('global flags not at the start of the expression', start);
      this.fail('scoped inline flags (?flags:...) are not supported', start);
    }
    this.fail(`unknown extension (?${this.peek() ?? ''}`, start);
  }

  private groupName(terminator: string): string {
    let name = '';
    while (!this.done && this.peek() !== terminator) name += this.next();
    if (!this.match(terminator)) this.fail('missing group name terminator');
    if (!IDENTIFIER.test(name)) this.fail(`bad character in group name ${JSON.stringify(name)}`);
    return name;
  }

  private capture(name: string | undefined): RegexNode {
    const index = ++this.groups;
    if (name !== undefined) {
      if (this.names.has(name)) this.fail(`redefinition of group name ${JSON.stringify(name)}`);
      this.names.set(name, index);
    }
    this.openGroups.add(index);
    const node = this.closeGroup({ kind: 'capture', index, ...(name === undefined ? {} : { name }) });
    this.openGroups.delete(index);
    return node;
  }

  private closeGroup(head: { kind: GroupKind; index?: number; name?: string }): RegexNode {
    const open = this.pos;
    const body = this.alternation();
    if (!this.match(')')) this.fail('missing ), unterminated subpattern', open);
    return { t: 'group', ...head, body };
  }

  private lookbehind(kind: 'behind' | 'nbehind', start: number): RegexNode {
    const node = this.closeGroup({ kind });
    if (node.t === 'group' && fixedWidth(node.body) === undefined) this.fail('look-behind requires fixed-width pattern', start);
    return node;
  }

  private escape(start: number): RegexNode {
    const c = this.next();
    if (c === undefined) this.fail('bad escape (end of pattern)', start);
    switch (c) {
      case 'A':
        return { t: 'assert', which: 'A' };
      case 'Z':
        return { t: 'assert', which: 'Z' };
      case 'b':
        return { t: 'assert', which: 'b' };
      case 'B':
        return { t: 'assert', which: 'B' };
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        return { t: 'shorthand', which: c };
    }
    if (isDigit(c)) {
      // Python: a leading 0, or three octal digits, is a character; otherwise a group reference.
      if (c === '0') return { t: 'char', cp: this.octal('0', start) };
      if (isOctal(c) && isOctal(this.peek()) && isOctal(this.peek(1))) return { t: 'char', cp: this.octal(c, start) };
      let digits = c;
      if (isDigit(this.peek())) digits += this.next();
      const ref = Number(digits);
      if (ref > this.groups) this.fail(`invalid group reference ${ref}`, start);
      if (this.openGroups.has(ref)) this.fail('cannot refer to an open group', start);
      return { t: 'backref', ref };
    }
    return { t: 'char', cp: this.characterEscape(c, start, false) };
  }

  private octal(first: string, start: number): number {
    let digits = first;
    while (digits.length < 3 && isOctal(this.peek())) digits += this.next();
    const value = parseInt(digits, 8);
    if (value > 0o377) this.fail(`octal escape value \\${digits} outside of range 0-0o377`, start);
    return value;
  }

  /** Escapes that stand for one character (shared by classes and sequences). */
  private characterEscape(c: string, start: number, inClass: boolean): number {
    switch (c) {
      case 'a':
        return 0x07;
      case 'f':
        return 0x0c;
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 't':
        return 0x09;
      case 'v':
        return 0x0b;
      case 'b':
        if (inClass) return 0x08;
        break;
      case 'x':
        return this.hexDigits(2, start);
      case 'u':
        return this.hexDigits(4, start);
      case 'U': {
        const cp = this.hexDigits(8, start);
        if (cp > 0x10ffff) this.fail('bad escape \\U (code point out of range)', start);
        return cp;
      }
      case 'N':
        this.fail('named character escapes \\N{...} are not supported', start);
    }
    if (isAsciiLetter(c) || isDigit(c)) this.fail(`bad escape \\${c}`, start);
    return c.codePointAt(0) as number;
  }

  private hexDigits(count: number, start: number): number {
    let digits = '';
    for (let i = 0; i < count; i++) {
      const h = this.peek();
      if (!isHex(h)) this.fail(`incomplete escape \\${this.chars[start + 1] ?? ''}${digits}`, start);
      digits += this.next();
    }
    return parseInt(digits, 16);
  }

  private charClass(): RegexNode {
    const open = this.pos - 1;
    const negated = this.match('^');
    const items: ClassItem[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('unterminated character set', open);
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      const lo = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        const dash = this.pos;
        this.pos++;
        const hi = this.classAtom();
        if (lo.t !== 'range' || hi.t !== 'range') this.fail('bad character range', dash);
        if (hi.lo < lo.lo) this.fail('bad character range', dash);
        items.push({ t: 'range', lo: lo.lo, hi: hi.lo });
        continue;
      }
      items.push(lo);
    }
    return { t: 'class', negated, items };
  }

  private classAtom(): ClassItem {
    const start = this.pos;
    const c = this.next() as string;
    if (c !== '\\') {
      const cp = c.codePointAt(0) as number;
      return { t: 'range', lo: cp, hi: cp };
    }
    const e = this.next();
    if (e === undefined) this.fail('bad escape (end of pattern)', start);
    if (e === 'd' || e === 'D' || e === 'w' || e === 'W' || e === 's' || e === 'S') return { t: 'shorthand', which: e };
    if (isDigit(e)) {
      if (!isOctal(e)) this.fail(`bad escape \\${e}`, start);
      const cp = this.octal(e, start);
      return { t: 'range', lo: cp, hi: cp };
    }
    if (e === 'A' || e === 'Z' || e === 'B') this.fail(`bad escape \\${e}`, start);
    const cp = this.characterEscape(e, start, true);
    return { t: 'range', lo: cp, hi: cp };
  }
}

/** Width of what `node` matches when it is fixed, else undefined (Python's look-behind check). */
export function fixedWidth(node: RegexNode): number | undefined {
  switch (node.t) {
    case 'char':
    case 'any':
    case 'class':
    case 'shorthand':
      return 1;
    case 'assert':
      return 0;
    case 'backref':
      return undefined;
    case 'group':
      return node.kind === 'capture' || node.kind === 'noncapture' ? fixedWidth(node.body) : 0;
    case 'repeat': {
      if (node.min !== node.max) return undefined;
      const inner = fixedWidth(node.body);
      return inner === undefined ? undefined : inner * node.min;
    }
    case 'seq': {
      let total = 0;
      for (const item of node.items) {
        const w = fixedWidth(item);
        if (w === undefined) return undefined;
        total += w;
      }
      return total;
    }
    case 'alt': {
      const widths = node.branches.map(fixedWidth);
      const w = widths[0];
      return widths.every((x) => x !== undefined && x === w) ? w : undefined;
    }
  }
}

/**
 * Parses a Python `re` pattern (str semantics, Python 3.11+ rules).
 * @throws PatternSyntaxError when Python would reject it, or it uses an unsupported construct.
 */
export function parsePythonRegex(source: string): ParsedPattern {
  return new Parser(source).parse();
}

// ----- emission -------------------------------------------------------------------------------

/** Which shorthand sets to emit: `ascii` is exact for ASCII-only input and runs on V8's fast paths. */
export type EmitMode = 'ascii' | 'unicode';

type Ranges = readonly (readonly [number, number])[];

const ASCII_DIGIT: Ranges = [[0x30, 0x39]];
const ASCII_WORD: Ranges = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const ASCII_SPACE: Ranges = [
  [0x09, 0x0d],
  [0x1c, 0x20],
];
const U_WORD_CLASS = '\\p{L}\\p{N}_';

/** Complement of sorted, disjoint `ranges` within [0, max]. */
function complement(ranges: Ranges, max: number): Ranges {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

function codePoint(cp: number, inClass: boolean): string {
  const c = String.fromCodePoint(cp);
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp <= 0xa0) || cp === 0x2028 || cp === 0x2029 || (cp >= 0xd800 && cp <= 0xdfff)) {
    return `\\u{${cp.toString(16)}}`;
  }
  if (inClass) return /[\\\]^[-]/.test(c) ? `\\${c}` : c;
  return /[\^$\\.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function rangesContent(ranges: Ranges): string {
  return ranges.map(([lo, hi]) => (lo === hi ? codePoint(lo, true) : `${codePoint(lo, true)}-${codePoint(hi, true)}`)).join('');
}

/**
 * Class content (no brackets) for a shorthand, or undefined when it cannot be written inside a
 * bracketed class (unicode `\W`, which needs set subtraction).
 */
function shorthandContent(which: Shorthand, mode: EmitMode): string | undefined {
  if (mode === 'ascii') {
    // Complements stay within ASCII: the ascii form only ever sees ASCII input, and non-ASCII
    // members (U+017F, U+212A) would case-fold onto letters under the `i` flag.
    switch (which) {
      case 'd':
        return rangesContent(ASCII_DIGIT);
      case 'D':
        return rangesContent(complement(ASCII_DIGIT, 0x7f));
      case 'w':
        return rangesContent(ASCII_WORD);
      case 'W':
        return rangesContent(complement(ASCII_WORD, 0x7f));
      case 's':
        return rangesContent(ASCII_SPACE);
      case 'S':
        return rangesContent(complement(ASCII_SPACE, 0x7f));
    }
  }
  switch (which) {
    case 'd':
      return '\\p{Nd}';
    case 'D':
      return '\\P{Nd}';
    case 'w':
      return U_WORD_CLASS;
    case 'W':
      return undefined;
    case 's':
      return rangesContent(PY_SPACE_RANGES);
    case 'S':
      return rangesContent(complement(PY_SPACE_RANGES, 0x10ffff));
  }
}

class Emitter {
  constructor(
    private readonly flags: PythonFlags,
    private readonly mode: EmitMode,
  ) {}

  private wordClass(): string {
    return this.mode === 'ascii' ? `[${rangesContent(ASCII_WORD)}]` : `[${U_WORD_CLASS}]`;
  }

  emit(node: RegexNode): string {
    switch (node.t) {
      case 'seq':
        return node.items.map((n) => this.emit(n)).join('');
      case 'alt':
        return node.branches.map((n) => this.emit(n)).join('|');
      case 'group': {
        const body = this.emit(node.body);
        switch (node.kind) {
          case 'capture':
            return node.name === undefined ? `(${body})` : `(?<${node.name}>${body})`;
          case 'noncapture':
            return `(?:${body})`;
          case 'ahead':
            return `(?=${body})`;
          case 'nahead':
            return `(?!${body})`;
          case 'behind':
            return `(?<=${body})`;
          case 'nbehind':
            return `(?<!${body})`;
        }
        break;
      }
      case 'repeat': {
        const body = this.atom(node.body);
        const q =
          node.min === 0 && node.max === UNBOUNDED
            ? '*'
            : node.min === 1 && node.max === UNBOUNDED
              ? '+'
              : node.min === 0 && node.max === 1
                ? '?'
                : node.max === UNBOUNDED
                  ? `{${node.min},}`
                  : node.min === node.max
                    ? `{${node.min}}`
                    : `{${node.min},${node.max}}`;
        return `${body}${q}${node.lazy ? '?' : ''}`;
      }
      case 'char':
        return codePoint(node.cp, false);
      case 'any':
        return this.flags.dotAll ? '[\\s\\S]' : '[^\\n]';
      case 'shorthand': {
        const content = shorthandContent(node.which, this.mode);
        if (content === undefined) return `[^${U_WORD_CLASS}]`;
        // `\p{Nd}` and `\P{Nd}` are atoms already; everything else is class content.
        return content === '\\p{Nd}' || content === '\\P{Nd}' ? content : `[${content}]`;
      }
      case 'class':
        return this.charClass(node.negated, node.items);
      case 'assert':
        return this.assertion(node.which);
      case 'backref':
        return typeof node.ref === 'number' ? `(?:\\${node.ref})` : `\\k<${node.ref}>`;
    }
    return '';
  }

  /** `node` emitted as something a quantifier may follow. */
  private atom(node: RegexNode): string {
    const text = this.emit(node);
    if (node.t === 'char' || node.t === 'any' || node.t === 'class' || node.t === 'shorthand') return text;
    if (node.t === 'group' && (node.kind === 'capture' || node.kind === 'noncapture')) return text;
    return `(?:${text})`;
  }

  private assertion(which: AssertionKind): string {
    const m = this.flags.multiline;
    switch (which) {
      case 'A':
        return '^';
      case 'Z':
        return '$';
      case 'start':
        return m ? '(?<=^|\\n)' : '^';
      case 'end':
        // Python's `$` also matches just before a final newline.
        return m ? '(?=\\n|$)' : '(?=\\n?$)';
      case 'b':
      case 'B': {
        if (this.mode === 'ascii') return `\\${which}`;
        const w = this.wordClass();
        return which === 'b' ? `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))` : `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`;
      }
    }
  }

  private charClass(negated: boolean, items: readonly ClassItem[]): string {
    let content = '';
    let needsWordComplement = false;
    for (const item of items) {
      if (item.t === 'range') {
        content += item.lo === item.hi ? codePoint(item.lo, true) : `${codePoint(item.lo, true)}-${codePoint(item.hi, true)}`;
        continue;
      }
      const inner = shorthandContent(item.which, this.mode);
      if (inner === undefined) needsWordComplement = true;
      else content += inner;
    }
    if (!needsWordComplement) {
      if (content === '') return negated ? '[\\s\\S]' : '[]';
      return `[${negated ? '^' : ''}${content}]`;
    }
    const union = content === '' ? `[^${U_WORD_CLASS}]` : `[${content}]|[^${U_WORD_CLASS}]`;
    return negated ? `(?:(?!${union})[\\s\\S])` : `(?:${union})`;
  }
}

/** JavaScript source and flags for a parsed pattern. */
export interface JsRegexSource {
  readonly source: string;
  readonly flags: string;
}

/**
 * Emits `parsed` as a JavaScript pattern with the `u` flag (plus `i` for IGNORECASE). Python's
 * `.`, `^`, `$`, `\Z` and shorthand semantics are spelled out, so no JS `m`/`s` flag is used.
 * `ascii` mode is exact only on ASCII-only input; `unicode` mode is exact on any input.
 */
export function emitJsRegex(parsed: ParsedPattern, mode: EmitMode): JsRegexSource {
  const source = new Emitter(parsed.flags, mode).emit(parsed.tree);
  return { source, flags: parsed.flags.ignoreCase ? 'iu' : 'u' };
}
