// The fake shell shared by ssh and telnet: runs one command line at a time against the fake
// filesystem and the command table, and reports what the attacker did as events (`command`,
// `download_attempt`). Pure: the clock comes from the profile; no process, file or network I/O.
import { COMMANDS, type CommandContext, type CommandEffect, type CommandOutput } from './commands.js';
import { FakeFilesystem } from './filesystem.js';
import { parseCommandLine, type SimpleCommand } from './parse.js';
import type { MachineProfile } from './profile.js';

/** An event the shell reports; the caller emits it through its session. */
export type ShellEvent =
  | { readonly type: 'command'; readonly fields: { cmd: string; cwd: string; user: string; channel: string } }
  | { readonly type: 'download_attempt'; readonly fields: { url: string; tool: string; cmd: string } };

/** The outcome of one command line. */
export interface ShellRunResult {
  /** What the terminal shows (stdout and stderr interleaved per command), `\n` line ends. */
  readonly output: string;
  readonly exitCode: number;
  /** True when the line ran `exit`/`logout`. */
  readonly exit: boolean;
  readonly events: readonly ShellEvent[];
}

/** Most characters of output one command line may produce (a `cat` of a huge overlay file). */
export const MAX_OUTPUT_CHARS = 128 * 1024;
/** History entries kept. */
export const MAX_HISTORY = 500;
/** Characters of history kept (500 lines of 8 KiB would be 4 MiB per shell); the oldest lines go first. */
export const MAX_HISTORY_CHARS = 64 * 1024;
/** Nesting of `sh -c`, `sudo` and `$(...)` before the shell stops recursing. */
const MAX_NESTING = 4;

/** Options of {@link FakeShell}. */
export interface FakeShellOptions {
  /** `shell` (interactive) or `exec` (`ssh host cmd`), written in `command` events. @default 'shell' */
  readonly channel?: 'shell' | 'exec';
}

/** One fake login shell. */
export class FakeShell {
  readonly fs: FakeFilesystem;
  readonly env = new Map<string, string>();
  readonly history: string[] = [];
  private historyChars = 0;
  cwd: string;
  lastCode = 0;
  exited = false;
  private readonly channel: string;

  constructor(
    readonly profile: MachineProfile,
    options: FakeShellOptions = {},
  ) {
    this.fs = new FakeFilesystem(profile);
    this.cwd = profile.home;
    this.channel = options.channel ?? 'shell';
    const vars: [string, string][] = [
      ['SHELL', '/bin/bash'],
      ['PWD', profile.home],
      ['LOGNAME', profile.user],
      ['HOME', profile.home],
      ['LANG', 'C.UTF-8'],
      ['TERM', 'xterm-256color'],
      ['USER', profile.user],
      ['SHLVL', '1'],
      ['HOSTNAME', profile.hostname],
      ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/games:/usr/local/games:/snap/bin'],
      ['_', '/usr/bin/env'],
    ];
    for (const [k, v] of vars) this.env.set(k, v);
  }

  /** The bash prompt: `user@host:~$ ` or `root@host:/tmp# `. */
  prompt(): string {
    const home = this.profile.home;
    const where = this.cwd === home ? '~' : this.cwd.startsWith(`${home}/`) ? `~${this.cwd.slice(home.length)}` : this.cwd;
    return `${this.profile.user}@${this.profile.hostname}:${where}${this.profile.uid === 0 ? '#' : '$'} `;
  }

  /** Runs one command line. Never throws. */
  run(line: string): ShellRunResult {
    const events: ShellEvent[] = [];
    const trimmed = line.trim();
    if (trimmed === '' || this.exited) return { output: '', exitCode: this.lastCode, exit: this.exited, events };
    this.history.push(trimmed);
    this.historyChars += trimmed.length;
    while (this.history.length > 1 && (this.history.length > MAX_HISTORY || this.historyChars > MAX_HISTORY_CHARS)) {
      this.historyChars -= (this.history.shift() as string).length;
    }
    events.push({ type: 'command', fields: { cmd: trimmed, cwd: this.cwd, user: this.profile.user, channel: this.channel } });
    let result: CommandOutput;
    try {
      result = this.runLine(trimmed, 0, events, trimmed);
    } catch {
      // A command bug must look like a shell hiccup to the attacker, never end the session.
      result = { out: '', err: 'Segmentation fault (core dumped)\n', code: 139 };
    }
    this.lastCode = result.code;
    let output = result.err + result.out;
    if (output.length > MAX_OUTPUT_CHARS) output = output.slice(0, MAX_OUTPUT_CHARS);
    return { output, exitCode: result.code, exit: this.exited, events };
  }

  private runLine(line: string, depth: number, events: ShellEvent[], topLine: string): CommandOutput {
    if (depth > MAX_NESTING) return { out: '', err: '', code: 0 };
    const parsed = parseCommandLine(
      line,
      {
        variable: (name) => this.variable(name),
        substitute: (cmd) => this.runLine(cmd, depth + 1, events, topLine).out,
      },
      depth,
    );
    if (!parsed.ok) return { out: '', err: `-bash: ${parsed.error}\n`, code: 2 };
    let out = '';
    let code = this.lastCode;
    let skip = false;
    for (const item of parsed.items) {
      if (!skip) {
        const r = this.runPipeline(item.pipeline.commands, depth, events, topLine);
        out += r;
        code = this.lastCode;
        if (this.exited) break;
      }
      skip = (item.next === '&&' && code !== 0) || (item.next === '||' && code === 0);
      if (out.length > MAX_OUTPUT_CHARS) break;
    }
    return { out, err: '', code };
  }

  private runPipeline(commands: readonly SimpleCommand[], depth: number, events: ShellEvent[], topLine: string): string {
    let stdin = '';
    let shown = '';
    for (let i = 0; i < commands.length; i++) {
      const cmd = commands[i] as SimpleCommand;
      const last = i === commands.length - 1;
      const r = this.runSimple(cmd, stdin, depth, events, topLine);
      let out = r.out;
      let err = r.err;
      for (const red of cmd.redirects) {
        if (red.kind === 'dup') {
          out = err + out;
          err = '';
        }
      }
      for (const red of cmd.redirects) {
        if (red.kind !== 'out') continue;
        const text = red.fd === 1 ? out : err;
        if (red.fd === 1) out = '';
        else err = '';
        if (red.target === '/dev/null') continue;
        const path = this.fs.resolvePath(this.cwd, red.target);
        const w = this.fs.writeFile(path, text, red.append);
        if (w === 'enoent') err += `-bash: ${red.target}: No such file or directory\n`;
        else if (w === 'eisdir') err += `-bash: ${red.target}: Is a directory\n`;
        else if (w === 'eacces') err += `-bash: ${red.target}: Permission denied\n`;
        else if (w === 'enospc') err += `-bash: ${red.target}: No space left on device\n`;
      }
      shown += err;
      if (last) shown += out;
      stdin = out;
      this.lastCode = r.code;
      if (this.exited) break;
    }
    return shown;
  }

  private runSimple(cmd: SimpleCommand, stdin: string, depth: number, events: ShellEvent[], topLine: string): CommandOutput {
    let input = stdin;
    for (const red of cmd.redirects) {
      if (red.kind !== 'in') continue;
      const node = this.fs.lookup(this.fs.resolvePath(this.cwd, red.source));
      if (!node || node.kind !== 'file') return { out: '', err: `-bash: ${red.source}: No such file or directory\n`, code: 1 };
      input = node.content;
    }
    const [name, ...args] = cmd.argv;
    if (name === undefined) {
      for (const [k, v] of cmd.assignments) this.env.set(k, v);
      return { out: '', err: '', code: 0 };
    }
    const ctx = this.context(depth, events, topLine);
    const base = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
    const fn = COMMANDS.get(name) ?? (name.startsWith('/usr/bin/') || name.startsWith('/bin/') ? COMMANDS.get(base) : undefined);
    if (fn) {
      const r = fn(ctx, args, input);
      this.cwd = ctx.cwd;
      return r;
    }
    if (name.includes('/')) {
      const node = this.fs.lookup(this.fs.resolvePath(this.cwd, name));
      if (!node) return { out: '', err: `-bash: ${name}: No such file or directory\n`, code: 127 };
      if (node.kind === 'dir') return { out: '', err: `-bash: ${name}: Is a directory\n`, code: 126 };
      if (!node.mode.includes('x')) return { out: '', err: `-bash: ${name}: Permission denied\n`, code: 126 };
      return { out: '', err: '', code: 0 };
    }
    if (this.fs.lookup(`/usr/bin/${name}`)) return { out: '', err: '', code: 0 };
    return { out: '', err: `-bash: ${name}: command not found\n`, code: 127 };
  }

  private context(depth: number, events: ShellEvent[], topLine: string): CommandContext {
    const readCwd = (): string => this.cwd;
    const writeCwd = (value: string): void => {
      this.cwd = value;
    };
    return {
      profile: this.profile,
      fs: this.fs,
      get cwd() {
        return readCwd();
      },
      set cwd(value: string) {
        writeCwd(value);
      },
      env: this.env,
      history: this.history,
      runNested: (line) => this.runLine(line, depth + 1, events, topLine),
      effect: (e: CommandEffect) => {
        if (e.kind === 'exit') this.exited = true;
        else if (e.kind === 'download') events.push({ type: 'download_attempt', fields: { url: e.url, tool: e.tool, cmd: topLine } });
      },
    };
  }

  private variable(name: string): string {
    if (name === '?') return String(this.lastCode);
    if (name === '$') return '2431';
    if (name === '0') return '-bash';
    if (name === '#') return '0';
    if (/^[1-9]$/.test(name)) return '';
    if (name === 'PWD') return this.cwd;
    return this.env.get(name) ?? '';
  }
}
