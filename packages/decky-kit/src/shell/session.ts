// An interactive (or exec) session of the fake shell: terminal line discipline, the shell
// itself, a bounded transcript and the `session_recorded` summary. Pure: ssh and telnet feed it
// bytes and send back what it returns.
import { MAX_STEP_OUTPUT_BYTES } from '../protocol.js';
import { LineEditor } from './line-editor.js';
import type { MachineProfile } from './profile.js';
import { FakeShell, type ShellEvent } from './shell.js';

/** Characters of transcript kept per session; beyond, the summary says `truncated="true"`. */
export const MAX_TRANSCRIPT_CHARS = 24 * 1024;
/** Longest input line the terminal accepts (bash has no hard limit; a bell answers beyond this). */
export const MAX_INPUT_LINE_CHARS = 8 * 1024;

/** The result of feeding input. */
export interface SessionOutput {
  /** Bytes for the terminal (echo, command output, prompts). */
  readonly output: string;
  readonly events: readonly ShellEvent[];
  /** The user logged out: send `output`, then close the channel. */
  readonly exit: boolean;
}

/** Options of {@link ShellSession}. */
export interface ShellSessionOptions {
  readonly profile: MachineProfile;
  /** `ssh` or `telnet`, written in the summary. */
  readonly service: string;
  /** A terminal is attached: echo input, CR LF line ends, prompts. @default true */
  readonly pty?: boolean;
  /** `exec` for a one-command channel. @default 'shell' */
  readonly channel?: 'shell' | 'exec';
  /** Where the last login came from (motd). */
  readonly lastLoginFrom?: string;
}

/** The `session_recorded` params (reference/ingestion.md §2.5 sessrec, plus the transcript). */
export interface SessionSummary {
  readonly service: string;
  readonly user: string;
  readonly duration_s: string;
  readonly bytes: number;
  readonly commands: number;
  readonly truncated: boolean;
  /** JSON `[[ms since start, "i"|"o", text], ...]`. */
  readonly transcript: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function longDate(d: Date): string {
  const t = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}:${String(d.getUTCSeconds()).padStart(2, '0')}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${t} UTC ${d.getUTCFullYear()}`;
}

/** The Ubuntu login banner (motd) for `profile`. */
export function motd(profile: MachineProfile, lastLoginFrom = '10.0.0.5'): string {
  const now = profile.now();
  const last = new Date(now.getTime() - 26 * 3600 * 1000 - 1234 * 1000);
  return (
    `Welcome to Ubuntu 22.04.4 LTS (GNU/Linux ${profile.kernel} x86_64)\n\n` +
    ' * Documentation:  https://help.ubuntu.com\n * Management:     https://landscape.canonical.com\n * Support:        https://ubuntu.com/pro\n\n' +
    `  System information as of ${longDate(now)}\n\n` +
    '  System load:  0.08               Processes:             112\n' +
    '  Usage of /:   23.1% of 48.91GB   Users logged in:       0\n' +
    `  Memory usage: 22%                IPv4 address for eth0: ${profile.ip}\n` +
    '  Swap usage:   0%\n\n' +
    `Last login: ${longDate(last).replace(' UTC', '')} from ${lastLoginFrom}\n`
  );
}

/** One shell session with its transcript. */
export class ShellSession {
  readonly shell: FakeShell;
  private readonly editor: LineEditor;
  private readonly pty: boolean;
  private readonly startedAt: number;
  private readonly transcript: [number, 'i' | 'o', string][] = [];
  private transcriptChars = 0;
  private truncated = false;
  private bytes = 0;
  private commands = 0;

  constructor(private readonly options: ShellSessionOptions) {
    this.pty = options.pty ?? true;
    this.shell = new FakeShell(options.profile, { channel: options.channel ?? 'shell' });
    this.editor = new LineEditor({ echo: this.pty, maxLineChars: MAX_INPUT_LINE_CHARS });
    this.startedAt = options.profile.now().getTime();
  }

  /** What an interactive login prints first: the motd and the prompt (nothing without a pty). */
  start(): string {
    if (!this.pty) return '';
    return this.out(`${motd(this.options.profile, this.options.lastLoginFrom)}${this.shell.prompt()}`);
  }

  /**
   * Feeds terminal input; returns what to send back. Never throws. Once the output reaches
   * {@link MAX_STEP_OUTPUT_BYTES} the remaining lines stay queued ({@link hasPendingInput}); feed
   * `''` again when the output has drained.
   */
  feed(text: string): SessionOutput {
    this.bytes += text.length;
    this.editor.push(text);
    let output = '';
    const events: ShellEvent[] = [];
    for (;;) {
      const step = this.editor.next();
      // Echo goes to the terminal but not into the transcript: input is recorded once, as a line.
      output += this.terminal(step.echo);
      const item = step.item;
      if (!item) break;
      if (item.kind === 'interrupt') {
        output += this.out(this.shell.prompt());
        continue;
      }
      if (item.kind === 'eof') {
        output += this.out('logout\n');
        this.shell.exited = true;
        break;
      }
      this.record('i', item.text);
      const r = this.shell.run(item.text);
      if (item.text.trim() !== '') this.commands++;
      events.push(...r.events);
      output += this.out(r.output);
      if (r.exit) {
        output += this.out('logout\n');
        break;
      }
      if (this.pty) output += this.out(this.shell.prompt());
      if (output.length >= MAX_STEP_OUTPUT_BYTES) break;
    }
    return { output, events, exit: this.shell.exited };
  }

  /** True when typed-ahead input waits for {@link feed} (it stopped to bound its output). */
  hasPendingInput(): boolean {
    return !this.shell.exited && this.editor.hasPending;
  }

  /** Runs one exec command (`ssh host 'uname -a'`). */
  exec(command: string): SessionOutput & { exitCode: number } {
    this.bytes += command.length;
    this.record('i', command);
    const r = this.shell.run(command);
    this.commands++;
    return { output: this.out(r.output), events: r.events, exit: true, exitCode: r.exitCode };
  }

  /** The `session_recorded` params as of now. */
  summary(): SessionSummary {
    const duration = (this.options.profile.now().getTime() - this.startedAt) / 1000;
    return {
      service: this.options.service,
      user: this.options.profile.user,
      duration_s: Math.max(0, duration).toFixed(3),
      bytes: this.bytes,
      commands: this.commands,
      truncated: this.truncated,
      transcript: JSON.stringify(this.transcript),
    };
  }

  private out(text: string): string {
    if (text === '') return text;
    this.bytes += text.length;
    this.record('o', text);
    return this.terminal(text);
  }

  private terminal(text: string): string {
    return this.pty && text !== '' ? text.replace(/\r?\n/g, '\r\n') : text;
  }

  private record(dir: 'i' | 'o', text: string): void {
    if (this.truncated || text === '') return;
    // JSON escaping can double a control-heavy text; count the encoded size against the cap.
    const cost = JSON.stringify(text).length + 16;
    if (this.transcriptChars + cost > MAX_TRANSCRIPT_CHARS) {
      this.truncated = true;
      return;
    }
    this.transcriptChars += cost;
    this.transcript.push([this.options.profile.now().getTime() - this.startedAt, dir, text]);
  }
}
