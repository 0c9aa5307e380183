// Terminal line discipline for the fake shell and login prompts: echo, backspace, Ctrl-C/-D/-U,
// CR/LF/CR-NUL line ends, escape sequences swallowed. Pull-based, so a caller can switch echo
// off between two lines that arrived in one chunk (user name, then password).

/** One thing the editor produced. */
export type EditorItem = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'interrupt' } | { readonly kind: 'eof' };

/** The result of {@link LineEditor.next}: bytes to echo, then the item (or none when input ran out). */
export interface EditorStep {
  readonly echo: string;
  readonly item: EditorItem | null;
}

/** Pending input kept at most, in characters: beyond, older unread input is dropped. */
export const MAX_PENDING_INPUT = 64 * 1024;

/** A line editor over a character stream. */
export class LineEditor {
  /** Echo typed characters back (off for passwords and non-pty sessions). */
  echo: boolean;
  private pending = '';
  private line = '';
  private lastWasCr = false;
  private readonly maxLine: number;

  constructor(options: { echo: boolean; maxLineChars: number }) {
    this.echo = options.echo;
    this.maxLine = options.maxLineChars;
  }

  /** Queues input (decoded text). */
  push(text: string): void {
    this.pending += text;
    if (this.pending.length > MAX_PENDING_INPUT) this.pending = this.pending.slice(this.pending.length - MAX_PENDING_INPUT);
  }

  /**
   * Hands over input not yet processed (typed ahead of a prompt change, such as the keystrokes
   * after a password that belong to the shell) and forgets it.
   */
  takePending(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }

  /** True when queued input has not been processed yet. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** The partial line typed so far. */
  get current(): string {
    return this.line;
  }

  /** Processes queued input up to the next line, interrupt or EOF. */
  next(): EditorStep {
    let echo = '';
    let i = 0;
    const input = this.pending;
    while (i < input.length) {
      const ch = input[i] as string;
      const c = ch.charCodeAt(0);
      i++;
      if (this.lastWasCr && (c === 10 || c === 0)) {
        this.lastWasCr = false;
        continue;
      }
      this.lastWasCr = false;
      if (c === 13 || c === 10) {
        this.lastWasCr = c === 13;
        const text = this.line;
        this.line = '';
        this.pending = input.slice(i);
        return { echo: echo + (this.echo ? '\r\n' : ''), item: { kind: 'line', text } };
      }
      if (c === 3) {
        this.line = '';
        this.pending = input.slice(i);
        return { echo: `${echo}^C\r\n`, item: { kind: 'interrupt' } };
      }
      if (c === 4) {
        if (this.line === '') {
          this.pending = input.slice(i);
          return { echo, item: { kind: 'eof' } };
        }
        continue;
      }
      if (c === 127 || c === 8) {
        if (this.line.length > 0) {
          this.line = this.line.slice(0, -1);
          if (this.echo) echo += '\b \b';
        }
        continue;
      }
      if (c === 21) {
        if (this.echo) echo += '\b \b'.repeat(this.line.length);
        this.line = '';
        continue;
      }
      if (c === 27) {
        // ESC [ params final, or ESC O x: cursor keys and the like are swallowed.
        if (input[i] === '[') {
          i++;
          while (i < input.length && !/[@-~]/.test(input[i] as string)) i++;
          i++;
        } else if (input[i] === 'O') {
          i += 2;
        }
        continue;
      }
      if (c < 32) continue;
      if (this.line.length >= this.maxLine) {
        echo += '\x07';
        continue;
      }
      this.line += ch;
      if (this.echo) echo += ch;
    }
    this.pending = '';
    return { echo, item: null };
  }
}
