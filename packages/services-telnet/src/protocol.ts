// The telnet server as a pure state machine: Linux telnetd's opening negotiation (which nmap
// recognises), then /etc/issue.net and `login:` / `Password:` prompts whose every answer is
// captured, then the shared fake shell. Bytes in, replies and events out; no sockets, no timers.
import {
  LineEditor,
  ShellSession,
  StepBuilder,
  credentialFields,
  makeProfile,
  matchesCredential,
  type CredentialPair,
  type EventTypeOf,
  type ProtocolMachine,
  type ProtocolStep,
} from '@decnet/decky-kit';
import { DO, IAC, OPT, TelnetParser, WILL } from './iac.js';

/** Telnet event types (see the decky-kit catalogue). */
export type TelnetEvent = EventTypeOf<'telnet'>;

/** Failed logins before the connection is closed (login(1)'s default). */
export const MAX_LOGIN_TRIES = 3;
/** Longest user name or password line read at the prompts. */
export const MAX_LOGIN_LINE = 256;

/** Options of {@link createTelnetMachine}. */
export interface TelnetMachineOptions {
  /** Host name in `host login:` and the shell prompt. */
  readonly hostname: string;
  /** Line shown before the first prompt. */
  readonly banner: string;
  /** Logins that open the shell. */
  readonly accept: readonly CredentialPair[];
  /** The client's address (shown by `w`) and the decky's (shown by `ip a`). */
  readonly clientIp: string;
  readonly serverIp: string;
  readonly now?: () => Date;
  /** Wall-clock limit from connect to a successful login (ms). @default DEFAULT_LOGIN_DEADLINE_MS */
  readonly loginDeadlineMs?: number;
}

/** login(1)'s LOGIN_TIMEOUT: a login must succeed within 60 s of the connection. */
export const DEFAULT_LOGIN_DEADLINE_MS = 60_000;

/** The telnet machine: a {@link ProtocolMachine} plus `nudge()` for clients that never negotiate. */
export interface TelnetMachine extends ProtocolMachine<TelnetEvent> {
  /**
   * Called by the server when the client stayed silent after the opening negotiation: shows the
   * login prompt anyway (a raw TCP client would otherwise wait forever, like with netkit telnetd).
   */
  nudge(): ProtocolStep<TelnetEvent>;
}

/** The opening negotiation of netkit's Linux telnetd: DO TTYPE, DO TSPEED, DO XDISPLOC, DO NEW-ENVIRON. */
export const OPENING = Buffer.from([IAC, DO, OPT.TTYPE, IAC, DO, OPT.TSPEED, IAC, DO, OPT.XDISPLOC, IAC, DO, OPT.NEW_ENVIRON]);

type Stage = 'negotiating' | 'login' | 'password' | 'shell' | 'closed';

/** Creates one connection's machine. */
export function createTelnetMachine(options: TelnetMachineOptions): TelnetMachine {
  const now = options.now ?? (() => new Date());
  const loginDeadlineMs = options.loginDeadlineMs ?? DEFAULT_LOGIN_DEADLINE_MS;
  const parser = new TelnetParser();
  for (const o of [OPT.TTYPE, OPT.TSPEED, OPT.XDISPLOC, OPT.NEW_ENVIRON]) parser.sent(DO, o);
  const editor = new LineEditor({ echo: true, maxLineChars: MAX_LOGIN_LINE });
  let stage: Stage = 'negotiating';
  let username = '';
  let tries = 0;
  let shell: ShellSession | null = null;
  let terminalType: string | undefined;

  const loginPrompt = (b: StepBuilder<TelnetEvent>): void => {
    editor.echo = true;
    b.reply(`${options.hostname} login: `);
  };

  const beginLogin = (b: StepBuilder<TelnetEvent>): void => {
    if (stage !== 'negotiating') return;
    stage = 'login';
    parser.sent(WILL, OPT.ECHO);
    parser.sent(WILL, OPT.SGA);
    b.reply(Buffer.from([IAC, WILL, OPT.SGA, IAC, WILL, OPT.ECHO]));
    b.reply(`\r\n${options.banner.replace(/\r?\n/g, '\r\n')}\r\n`);
    loginPrompt(b);
  };

  const openShell = (b: StepBuilder<TelnetEvent>): void => {
    stage = 'shell';
    b.clearDeadline('login');
    const profile = makeProfile({ hostname: options.hostname, user: username, clientIp: options.clientIp, ip: options.serverIp, now });
    shell = new ShellSession({ profile, service: 'telnet', pty: true, lastLoginFrom: options.clientIp });
    b.reply(shell.start());
  };

  const onLine = (b: StepBuilder<TelnetEvent>, line: string): void => {
    if (stage === 'login') {
      const name = Buffer.from(line, 'latin1').toString('utf8').trim();
      if (name === '') {
        loginPrompt(b);
        return;
      }
      username = name.slice(0, 64);
      stage = 'password';
      editor.echo = false;
      b.reply('Password: ');
      return;
    }
    if (stage === 'password') {
      const secret = Buffer.from(line, 'latin1');
      const ok = matchesCredential(options.accept, username, secret.toString('utf8'));
      b.event('auth_attempt', { username, ...credentialFields(secret, { principal: username, outcome: ok ? 'success' : 'failure' }) });
      b.reply('\r\n');
      if (ok) {
        openShell(b);
        return;
      }
      tries++;
      b.reply('\r\nLogin incorrect\r\n');
      if (tries >= MAX_LOGIN_TRIES) {
        stage = 'closed';
        b.close();
        return;
      }
      stage = 'login';
      loginPrompt(b);
    }
  };

  const feedText = (b: StepBuilder<TelnetEvent>, text: string, interrupts: number): void => {
    if (stage === 'shell' && shell) {
      const decoded = Buffer.from(text, 'latin1').toString('utf8');
      const out = shell.feed(interrupts > 0 ? `${decoded}\x03` : decoded);
      for (const e of out.events) b.event(e.type, e.fields);
      if (out.output) b.reply(out.output);
      if (out.exit) {
        stage = 'closed';
        b.close();
      }
      return;
    }
    editor.push(interrupts > 0 ? `${text}\x03` : text);
    for (;;) {
      if (stage !== 'login' && stage !== 'password') return;
      const step = editor.next();
      if (step.echo) b.reply(step.echo);
      const item = step.item;
      if (!item) return;
      if (item.kind === 'eof' || item.kind === 'interrupt') {
        if (stage === 'password') b.reply('\r\n');
        stage = 'login';
        loginPrompt(b);
        continue;
      }
      onLine(b, item.text);
      if ((stage as Stage) === 'shell' && shell) {
        // Keystrokes typed ahead of the prompt belong to the shell now.
        const rest = editor.takePending();
        if (rest) feedText(b, rest, 0);
        return;
      }
      if ((stage as Stage) === 'closed') return;
    }
  };

  return {
    start() {
      return new StepBuilder<TelnetEvent>().reply(OPENING).deadline('login', loginDeadlineMs).build();
    },
    feed(chunk) {
      const b = new StepBuilder<TelnetEvent>();
      if (stage === 'closed') return b.build();
      if (chunk.length === 0 && stage === 'shell' && shell?.hasPendingInput()) {
        // The driver pumps: the shell stopped at its output budget with typed-ahead lines left.
        feedText(b, '', 0);
        return b.build();
      }
      const r = parser.push(chunk);
      for (const reply of r.replies) b.reply(reply);
      if (r.terminalType !== undefined) terminalType = r.terminalType;
      if (stage === 'negotiating') {
        beginLogin(b);
        // Negotiation answers alone carry no keystrokes.
        if (r.data.length === 0) return b.build();
      }
      if (r.data.length > 0 || r.interrupts > 0) feedText(b, r.data.toString('latin1'), r.interrupts);
      return b.build();
    },
    nudge() {
      const b = new StepBuilder<TelnetEvent>();
      beginLogin(b);
      return b.build();
    },
    pending() {
      return stage === 'shell' && (shell?.hasPendingInput() ?? false);
    },
    expire() {
      stage = 'closed';
      return new StepBuilder<TelnetEvent>().reply(`\r\nLogin timed out after ${Math.round(loginDeadlineMs / 1000)} seconds.\r\n`).close().build();
    },
    end() {
      const b = new StepBuilder<TelnetEvent>();
      if (shell) {
        const summary = shell.summary();
        b.event('session_recorded', { ...summary, terminal: terminalType });
        shell = null;
      }
      stage = 'closed';
      return b.build();
    },
  };
}
