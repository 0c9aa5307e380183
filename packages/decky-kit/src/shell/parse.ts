// A small bash-like command line parser for the fake shell: quotes, backslashes, $VAR and
// $(...)/`...` substitution, pipelines, ; && || & and the usual redirections. Pure and total:
// any input gives either a command list or a typed syntax error, never an exception.

/** One redirection of a simple command. */
export type Redirect = { readonly kind: 'out'; readonly fd: 1 | 2; readonly target: string; readonly append: boolean } | { readonly kind: 'dup' } | { readonly kind: 'in'; readonly source: string };

/** A command and its arguments. */
export interface SimpleCommand {
  readonly argv: readonly string[];
  readonly redirects: readonly Redirect[];
  /** Leading `NAME=value` words. */
  readonly assignments: readonly (readonly [string, string])[];
}

/** Commands joined by `|`. */
export interface Pipeline {
  readonly commands: readonly SimpleCommand[];
}

/** A pipeline and the operator that follows it. */
export interface ListItem {
  readonly pipeline: Pipeline;
  /** How the next item runs: always (`;`, `&`, end), on success (`&&`) or on failure (`||`). */
  readonly next: ';' | '&&' | '||' | '&' | null;
}

/** The outcome of {@link parseCommandLine}. */
export type ParseOutcome = { ok: true; items: ListItem[] } | { ok: false; error: string };

/** What the parser needs from the shell: variables and command substitution. */
export interface ExpansionContext {
  variable(name: string): string;
  /** Runs `command` and returns its output (trailing newlines removed by the parser). */
  substitute(command: string): string;
}

/** Deepest `$(...)` nesting expanded; deeper ones expand to nothing (bounds recursion). */
export const MAX_SUBSTITUTION_DEPTH = 3;
/** Longest command line parsed, in characters. */
export const MAX_COMMAND_CHARS = 16 * 1024;
/** Most words in one command line. */
const MAX_WORDS = 4096;

type Token = { t: 'word'; v: string; assign?: boolean } | { t: 'op'; v: string };

function isNameStart(c: string): boolean {
  return /[A-Za-z_]/.test(c);
}

function findClosingParen(s: string, from: number): number {
  let depth = 1;
  let quote: string | null = null;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '\\') i++;
    else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

function lex(line: string, ctx: ExpansionContext, depth: number): { ok: true; tokens: Token[] } | { ok: false; error: string } {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const flush = (): void => {
    if (inWord) {
      const assign = /^[A-Za-z_][A-Za-z0-9_]*=/.test(word) && tokens.every((t) => t.t === 'word' && t.assign);
      tokens.push(assign ? { t: 'word', v: word, assign: true } : { t: 'word', v: word });
    }
    word = '';
    inWord = false;
  };
  const expandDollar = (): void => {
    // At line[i] === '$'.
    const next = line[i + 1];
    if (next === '(') {
      const close = findClosingParen(line, i + 2);
      if (close < 0) throw new SyntaxIssue("unexpected EOF while looking for matching `)'");
      const inner = line.slice(i + 2, close);
      word += depth < MAX_SUBSTITUTION_DEPTH ? ctx.substitute(inner).replace(/\n+$/, '') : '';
      inWord = true;
      i = close + 1;
      return;
    }
    if (next === '{') {
      const close = line.indexOf('}', i + 2);
      if (close < 0) throw new SyntaxIssue('bad substitution');
      word += ctx.variable(line.slice(i + 2, close).replace(/[:#%].*$/, ''));
      inWord = true;
      i = close + 1;
      return;
    }
    if (next !== undefined && (next === '?' || next === '$' || next === '#' || next === '0' || /[1-9]/.test(next))) {
      word += ctx.variable(next);
      inWord = true;
      i += 2;
      return;
    }
    if (next !== undefined && isNameStart(next)) {
      let j = i + 1;
      while (j < line.length && /[A-Za-z0-9_]/.test(line[j] as string)) j++;
      word += ctx.variable(line.slice(i + 1, j));
      inWord = true;
      i = j;
      return;
    }
    word += '$';
    inWord = true;
    i++;
  };
  try {
    while (i < line.length) {
      if (tokens.length > MAX_WORDS) return { ok: false, error: 'argument list too long' };
      const c = line[i] as string;
      if (c === ' ' || c === '\t') {
        flush();
        i++;
      } else if (c === '#' && !inWord) {
        break;
      } else if (c === '\\') {
        if (i + 1 < line.length) word += line[i + 1];
        inWord = true;
        i += 2;
      } else if (c === "'") {
        const close = line.indexOf("'", i + 1);
        if (close < 0) return { ok: false, error: "unexpected EOF while looking for matching `''" };
        word += line.slice(i + 1, close);
        inWord = true;
        i = close + 1;
      } else if (c === '"') {
        inWord = true;
        i++;
        let closed = false;
        while (i < line.length) {
          const d = line[i] as string;
          if (d === '"') {
            closed = true;
            i++;
            break;
          }
          if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) {
            word += line[i + 1];
            i += 2;
          } else if (d === '$') {
            expandDollar();
          } else if (d === '`') {
            const close = line.indexOf('`', i + 1);
            if (close < 0) return { ok: false, error: 'unexpected EOF while looking for matching ``\'' };
            word += depth < MAX_SUBSTITUTION_DEPTH ? ctx.substitute(line.slice(i + 1, close)).replace(/\n+$/, '') : '';
            i = close + 1;
          } else {
            word += d;
            i++;
          }
        }
        if (!closed) return { ok: false, error: 'unexpected EOF while looking for matching `"\'' };
      } else if (c === '$') {
        expandDollar();
      } else if (c === '`') {
        const close = line.indexOf('`', i + 1);
        if (close < 0) return { ok: false, error: 'unexpected EOF while looking for matching ``\'' };
        word += depth < MAX_SUBSTITUTION_DEPTH ? ctx.substitute(line.slice(i + 1, close)).replace(/\n+$/, '') : '';
        inWord = true;
        i = close + 1;
      } else if (c === ';' || c === '|' || c === '&' || c === '>' || c === '<') {
        // `2>` and `2>&1` attach to a bare fd number.
        if ((c === '>' || c === '<') && inWord && /^[012]$/.test(word)) {
          const fd = word;
          word = '';
          inWord = false;
          const two = line.slice(i, i + 3);
          if (two === '>&1' || two === '>&2') {
            tokens.push({ t: 'op', v: `${fd}>&` });
            i += 3;
          } else if (line.slice(i, i + 2) === '>>') {
            tokens.push({ t: 'op', v: `${fd}>>` });
            i += 2;
          } else {
            tokens.push({ t: 'op', v: `${fd}${c}` });
            i += 1;
          }
          continue;
        }
        flush();
        const two = line.slice(i, i + 2);
        if (two === '&&' || two === '||' || two === '>>' || two === '&>') {
          tokens.push({ t: 'op', v: two });
          i += 2;
        } else {
          tokens.push({ t: 'op', v: c });
          i += 1;
        }
      } else {
        word += c;
        inWord = true;
        i++;
      }
    }
  } catch (err) {
    if (err instanceof SyntaxIssue) return { ok: false, error: err.message };
    throw err;
  }
  flush();
  return { ok: true, tokens };
}

class SyntaxIssue extends Error {}

/**
 * Parses one command line. `depth` counts `$(...)` nesting (callers start at 0). Lines longer
 * than {@link MAX_COMMAND_CHARS} are refused.
 */
export function parseCommandLine(line: string, ctx: ExpansionContext, depth = 0): ParseOutcome {
  if (line.length > MAX_COMMAND_CHARS) return { ok: false, error: 'command line too long' };
  const lexed = lex(line, ctx, depth);
  if (!lexed.ok) return lexed;
  const items: ListItem[] = [];
  let commands: SimpleCommand[] = [];
  let argv: string[] = [];
  let redirects: Redirect[] = [];
  let assignments: [string, string][] = [];
  const tokens = lexed.tokens;
  const endCommand = (op: string): string | null => {
    if (argv.length === 0 && redirects.length === 0 && assignments.length === 0) return op;
    commands.push({ argv, redirects, assignments });
    argv = [];
    redirects = [];
    assignments = [];
    return null;
  };
  for (let k = 0; k < tokens.length; k++) {
    const tok = tokens[k] as Token;
    if (tok.t === 'word') {
      if (tok.assign && argv.length === 0) {
        const eq = tok.v.indexOf('=');
        assignments.push([tok.v.slice(0, eq), tok.v.slice(eq + 1)]);
      } else {
        argv.push(tok.v);
      }
      continue;
    }
    const op = tok.v;
    if (op === '|') {
      const bad = endCommand(op);
      if (bad) return { ok: false, error: `syntax error near unexpected token \`${bad}'` };
      continue;
    }
    if (op === ';' || op === '&&' || op === '||' || op === '&') {
      const bad = endCommand(op);
      if (bad) return { ok: false, error: `syntax error near unexpected token \`${bad}'` };
      items.push({ pipeline: { commands }, next: op });
      commands = [];
      continue;
    }
    if (op === '1>&' || op === '2>&') {
      redirects.push({ kind: 'dup' });
      continue;
    }
    const target = tokens[k + 1];
    if (!target || target.t !== 'word') return { ok: false, error: `syntax error near unexpected token \`${target ? target.v : 'newline'}'` };
    k++;
    if (op === '<' || op === '0<') redirects.push({ kind: 'in', source: target.v });
    else if (op === '&>') redirects.push({ kind: 'out', fd: 1, target: target.v, append: false }, { kind: 'dup' });
    else {
      const fd = op.startsWith('2') ? 2 : 1;
      redirects.push({ kind: 'out', fd, target: target.v, append: op.endsWith('>>') });
    }
  }
  if (argv.length > 0 || redirects.length > 0 || assignments.length > 0) commands.push({ argv, redirects, assignments });
  if (commands.length > 0) items.push({ pipeline: { commands }, next: null });
  else {
    const last = items[items.length - 1];
    if (last && (last.next === '&&' || last.next === '||')) return { ok: false, error: 'syntax error: unexpected end of file' };
    const lastTok = tokens[tokens.length - 1];
    if (lastTok && lastTok.t === 'op' && lastTok.v === '|') return { ok: false, error: 'syntax error: unexpected end of file' };
  }
  return { ok: true, items };
}
