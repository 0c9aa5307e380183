// The FTP control connection as a pure state machine (vsftpd's replies): login capture, the
// commands real clients send first, and data transfers requested as actions the server performs
// (open a passive listener, send bytes, receive bytes) and reports back. No sockets, no timers.
import {
  StepBuilder,
  createLineSplitter,
  credentialFields,
  matchesCredential,
  type CredentialPair,
  type EventTypeOf,
  type ProtocolMachine,
  type ProtocolStep,
} from '@decnet/decky-kit';
import { COMMANDS } from './commands.js';
import { FTP_TREE, childrenOf, listLine, mdtm, resolveFtpPath } from './files.js';

/** FTP event types (see the decky-kit catalogue). */
export type FtpEvent = EventTypeOf<'ftp'>;

/** Work the server does for the machine; the outcome is fed back through the machine's methods. */
export type FtpAction =
  | { readonly kind: 'open_passive'; readonly extended: boolean }
  | { readonly kind: 'send'; readonly data: Buffer }
  | { readonly kind: 'receive'; readonly path: string; readonly maxBytes: number }
  | { readonly kind: 'close_data' };

/** What a passive listener became. */
export type PassiveResult = { ok: true; host: string; port: number } | { ok: false };

/** How a data transfer ended. */
export type TransferResult = { ok: true; bytes: number; sha256?: string; truncated?: boolean } | { ok: false };

/** Options of {@link createFtpMachine}. */
export interface FtpMachineOptions {
  /** Text after `220 `. */
  readonly banner: string;
  readonly accept: readonly CredentialPair[];
  readonly anonymous: boolean;
  readonly maxLineBytes: number;
  /** The clock used for listings. */
  readonly now?: () => Date;
  /** Wall-clock limit for one command line, from its first byte (ms). @default DEFAULT_COMMAND_DEADLINE_MS */
  readonly commandDeadlineMs?: number;
}

/** Default wall-clock limit of one command line (vsftpd's idle_session_timeout is 300 s of silence). */
export const DEFAULT_COMMAND_DEADLINE_MS = 60_000;
/** Bytes of complete command lines kept waiting while earlier ones are answered (a pipelining client needs a few hundred). */
export const MAX_QUEUED_BYTES = 64 * 1024;

/** Failed logins before the server hangs up (vsftpd's max_login_fails). */
export const MAX_LOGIN_FAILS = 3;
/** Largest upload read (then hashed and discarded). */
export const MAX_UPLOAD_BYTES = 4 * 1024 * 1024;
/** Longest argument kept in a `command` event. */
const MAX_ARG_CHARS = 512;

/** The FTP machine: a {@link ProtocolMachine} plus the hooks the server calls after an action. */
export interface FtpMachine extends ProtocolMachine<FtpEvent, FtpAction> {
  passiveOpened(result: PassiveResult, extended: boolean): ProtocolStep<FtpEvent, FtpAction>;
  transferFinished(result: TransferResult): ProtocolStep<FtpEvent, FtpAction>;
}

type Stage = 'need_user' | 'need_pass' | 'authed';
type Pending = { kind: 'list' } | { kind: 'retr' } | { kind: 'stor'; path: string };

const ANONYMOUS_USERS = new Set(['anonymous', 'ftp']);

/** Creates one control connection's machine. */
export function createFtpMachine(options: FtpMachineOptions): FtpMachine {
  const now = options.now ?? (() => new Date());
  const splitter = createLineSplitter(options.maxLineBytes);
  let stage: Stage = 'need_user';
  let username = '';
  let anonymousSession = false;
  let fails = 0;
  let cwd = '/';
  let binary = false;
  let passive = false;
  let pending: Pending | null = null;
  let closed = false;
  const queue: Buffer[] = [];
  let queuedBytes = 0;
  let awaitingPassive = false;

  const reply = (b: StepBuilder<FtpEvent, FtpAction>, code: number, text: string): void => {
    b.reply(`${code} ${text}\r\n`);
  };

  const handle = (b: StepBuilder<FtpEvent, FtpAction>, raw: Buffer): void => {
    if (closed) return;
    const text = raw.toString('utf8');
    const space = text.indexOf(' ');
    const verb = (space < 0 ? text : text.slice(0, space)).toUpperCase().replace(/[^A-Z]/g, '').slice(0, 8);
    const argBytes = space < 0 ? Buffer.alloc(0) : raw.subarray(Buffer.byteLength(text.slice(0, space + 1)));
    const arg = space < 0 ? '' : text.slice(space + 1);
    if (verb === '') {
      reply(b, 500, 'Unknown command.');
      return;
    }
    const spec = COMMANDS.get(verb);
    if (verb !== 'USER' && verb !== 'PASS') b.event('command', { cmd: verb, arg: arg.slice(0, MAX_ARG_CHARS) });
    if (!spec) {
      reply(b, 500, 'Unknown command.');
      return;
    }
    if (spec.auth && stage !== 'authed') {
      reply(b, 530, 'Please login with USER and PASS.');
      return;
    }
    if (pending && verb !== 'ABOR' && verb !== 'QUIT' && verb !== 'NOOP' && verb !== 'STAT') {
      // A command while a transfer waits for its data connection: vsftpd ignores it too.
      return;
    }
    switch (verb) {
      case 'USER':
        if (stage === 'authed') {
          reply(b, 530, 'Can\'t change to another user.');
          return;
        }
        username = arg.trim().slice(0, 256);
        b.event('user', { username });
        stage = 'need_pass';
        reply(b, 331, 'Please specify the password.');
        return;
      case 'PASS': {
        if (stage === 'authed') {
          reply(b, 230, 'Already logged in.');
          return;
        }
        if (stage !== 'need_pass') {
          reply(b, 503, 'Login with USER first.');
          return;
        }
        const isAnon = options.anonymous && ANONYMOUS_USERS.has(username.toLowerCase());
        const success = isAnon || matchesCredential(options.accept, username, arg);
        b.event('auth_attempt', { username, ...credentialFields(argBytes, { principal: username, outcome: success ? 'success' : 'failure' }) });
        if (success) {
          stage = 'authed';
          anonymousSession = isAnon;
          reply(b, 230, 'Login successful.');
          return;
        }
        fails++;
        stage = 'need_user';
        reply(b, 530, 'Login incorrect.');
        if (fails >= MAX_LOGIN_FAILS) {
          closed = true;
          b.close();
        }
        return;
      }
      case 'QUIT':
        reply(b, 221, 'Goodbye.');
        closed = true;
        b.close();
        return;
      case 'NOOP':
        reply(b, 200, 'NOOP ok.');
        return;
      case 'SYST':
        reply(b, 215, 'UNIX Type: L8');
        return;
      case 'FEAT':
        b.reply('211-Features:\r\n EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n UTF8\r\n211 End\r\n');
        return;
      case 'OPTS':
        reply(b, /^utf8 on$/i.test(arg.trim()) ? 200 : 501, /^utf8 on$/i.test(arg.trim()) ? 'Always in UTF8 mode.' : 'Option not understood.');
        return;
      case 'HELP':
        b.reply(
          '214-The following commands are recognized.\r\n ABOR ACCT ALLO APPE CDUP CWD  DELE EPRT EPSV FEAT HELP LIST MDTM MKD\r\n MODE NLST NOOP OPTS PASS PASV PORT PWD  QUIT REIN REST RETR RMD  RNFR\r\n RNTO SITE SIZE SMNT STAT STOR STOU STRU SYST TYPE USER XCUP XCWD XMKD\r\n XPWD XRMD\r\n214 Help OK.\r\n',
        );
        return;
      case 'AUTH':
        reply(b, 530, 'Please login with USER and PASS.');
        return;
      case 'PWD':
      case 'XPWD':
        reply(b, 257, `"${cwd}" is the current directory`);
        return;
      case 'CWD':
      case 'XCWD':
      case 'CDUP':
      case 'XCUP': {
        const target = resolveFtpPath(cwd, verb.endsWith('UP') ? '..' : arg.trim() || '/');
        if (FTP_TREE.get(target)?.kind === 'dir') {
          cwd = target;
          reply(b, 250, 'Directory successfully changed.');
        } else {
          reply(b, 550, 'Failed to change directory.');
        }
        return;
      }
      case 'TYPE': {
        const t = arg.trim().toUpperCase();
        if (t === 'I' || t === 'L 8') {
          binary = true;
          reply(b, 200, 'Switching to Binary mode.');
        } else if (t === 'A' || t === 'A N') {
          binary = false;
          reply(b, 200, 'Switching to ASCII mode.');
        } else {
          reply(b, 500, 'Unrecognised TYPE command.');
        }
        return;
      }
      case 'MODE':
        reply(b, arg.trim().toUpperCase() === 'S' ? 200 : 504, arg.trim().toUpperCase() === 'S' ? 'Mode set to S.' : 'Bad MODE command.');
        return;
      case 'STRU':
        reply(b, arg.trim().toUpperCase() === 'F' ? 200 : 504, arg.trim().toUpperCase() === 'F' ? 'Structure set to F.' : 'Bad STRU command.');
        return;
      case 'REST':
        reply(b, 350, `Restart position accepted (${Number.parseInt(arg, 10) || 0}).`);
        return;
      case 'ABOR':
        if (pending) {
          pending = null;
          passive = false;
          b.action({ kind: 'close_data' });
          reply(b, 426, 'Failure writing network stream.');
          reply(b, 226, 'ABOR successful.');
          return;
        }
        reply(b, 225, 'No transfer to ABOR.');
        return;
      case 'STAT':
        b.reply(
          `211-FTP server status:\r\n     Logged in as ${username || 'nobody'}\r\n     TYPE: ${binary ? 'BINARY' : 'ASCII'}\r\n     No session bandwidth limit\r\n` +
            '     Session timeout in seconds is 300\r\n     Control connection is plain text\r\n     Data connections will be plain text\r\n211 End of status\r\n',
        );
        return;
      case 'PASV':
      case 'EPSV':
        b.action({ kind: 'open_passive', extended: verb === 'EPSV' });
        // Commands queued behind a PASV wait for its listener: one listener at a time per client.
        awaitingPassive = true;
        return;
      case 'PORT':
      case 'EPRT':
        b.event('active_mode_refused', { target: arg.trim().slice(0, 128) });
        reply(b, 500, 'Illegal PORT command.');
        return;
      case 'SIZE': {
        const entry = FTP_TREE.get(resolveFtpPath(cwd, arg.trim()));
        if (entry?.kind === 'file') reply(b, 213, String(entry.content?.length ?? 0));
        else reply(b, 550, 'Could not get file size.');
        return;
      }
      case 'MDTM': {
        const entry = FTP_TREE.get(resolveFtpPath(cwd, arg.trim()));
        if (entry?.kind === 'file') reply(b, 213, mdtm(entry.mtime));
        else reply(b, 550, 'Could not get file modification time.');
        return;
      }
      case 'LIST':
      case 'NLST': {
        if (!passive) {
          reply(b, 425, 'Use PORT or PASV first.');
          return;
        }
        const target = resolveFtpPath(cwd, arg.replace(/(^|\s)-[a-zA-Z]+/g, '').trim() || '.');
        const entry = FTP_TREE.get(target);
        let listing = '';
        if (entry?.kind === 'dir') {
          for (const name of childrenOf(target)) {
            const child = FTP_TREE.get(target === '/' ? `/${name}` : `${target}/${name}`);
            if (child) listing += `${verb === 'NLST' ? name : listLine(name, child, now())}\r\n`;
          }
        } else if (entry) {
          listing = `${verb === 'NLST' ? target.slice(target.lastIndexOf('/') + 1) : listLine(target.slice(target.lastIndexOf('/') + 1), entry, now())}\r\n`;
        }
        pending = { kind: 'list' };
        reply(b, 150, 'Here comes the directory listing.');
        b.action({ kind: 'send', data: Buffer.from(listing) });
        return;
      }
      case 'RETR': {
        const path = resolveFtpPath(cwd, arg.trim());
        const entry = FTP_TREE.get(path);
        if (!passive) {
          reply(b, 425, 'Use PORT or PASV first.');
          return;
        }
        if (entry?.kind !== 'file' || !entry.content) {
          reply(b, 550, 'Failed to open file.');
          return;
        }
        pending = { kind: 'retr' };
        b.event('download_attempt', { path, size: entry.content.length });
        reply(b, 150, `Opening ${binary ? 'BINARY' : 'ASCII'} mode data connection for ${path.slice(path.lastIndexOf('/') + 1)} (${entry.content.length} bytes).`);
        b.action({ kind: 'send', data: entry.content });
        return;
      }
      case 'STOR':
      case 'STOU':
      case 'APPE': {
        const path = resolveFtpPath(cwd, arg.trim() || 'upload.bin');
        if (anonymousSession) {
          reply(b, 550, 'Permission denied.');
          return;
        }
        if (!passive) {
          reply(b, 425, 'Use PORT or PASV first.');
          return;
        }
        pending = { kind: 'stor', path };
        reply(b, 150, 'Ok to send data.');
        b.action({ kind: 'receive', path, maxBytes: MAX_UPLOAD_BYTES });
        return;
      }
      default:
        // DELE, MKD, RMD, RNFR, RNTO, SITE, ...: the share is read-only.
        reply(b, 550, 'Permission denied.');
    }
  };

  /** Answers queued lines in order until a PASV waits for its listener or the step is full. */
  const drain = (b: StepBuilder<FtpEvent, FtpAction>): void => {
    while (queue.length > 0 && !closed && !awaitingPassive && !b.full) {
      const line = queue.shift() as Buffer;
      queuedBytes -= line.length;
      handle(b, line);
    }
  };

  return {
    start() {
      return new StepBuilder<FtpEvent, FtpAction>().reply(`220 ${options.banner}\r\n`).build();
    },
    feed(chunk) {
      const b = new StepBuilder<FtpEvent, FtpAction>();
      if (closed) return b.build();
      const { lines, overflows } = splitter.push(chunk);
      for (let i = 0; i < overflows; i++) reply(b, 500, 'Input line too long.');
      for (const line of lines) {
        if (queuedBytes + line.length > MAX_QUEUED_BYTES) {
          reply(b, 421, 'Too many pipelined commands.');
          closed = true;
          b.close();
          return b.build();
        }
        queue.push(line);
        queuedBytes += line.length;
      }
      drain(b);
      if (!closed) {
        if (splitter.partial) b.deadline('command', options.commandDeadlineMs ?? DEFAULT_COMMAND_DEADLINE_MS);
        else b.clearDeadline('command');
      }
      return b.build();
    },
    pending() {
      return !closed && !awaitingPassive && queue.length > 0;
    },
    held() {
      return splitter.pending + queuedBytes;
    },
    expire() {
      closed = true;
      return new StepBuilder<FtpEvent, FtpAction>().reply('421 Timeout.\r\n').close().build();
    },
    passiveOpened(result, extended) {
      const b = new StepBuilder<FtpEvent, FtpAction>();
      awaitingPassive = false;
      if (!result.ok) {
        reply(b, 425, 'Failed to enter passive mode.');
        return b.build();
      }
      passive = true;
      if (extended) reply(b, 229, `Entering Extended Passive Mode (|||${result.port}|)`);
      else {
        const h = result.host.includes('.') ? result.host.split('.').join(',') : '0,0,0,0';
        reply(b, 227, `Entering Passive Mode (${h},${result.port >> 8},${result.port & 255}).`);
      }
      return b.build();
    },
    transferFinished(result) {
      const b = new StepBuilder<FtpEvent, FtpAction>();
      const done = pending;
      pending = null;
      passive = false;
      if (!done) return b.build();
      if (!result.ok) {
        reply(b, 425, 'Failed to establish connection.');
        return b.build();
      }
      if (done.kind === 'list') reply(b, 226, 'Directory send OK.');
      else if (done.kind === 'retr') reply(b, 226, 'Transfer complete.');
      else {
        b.event('upload_attempt', { path: done.path, size: result.bytes, sha256: result.sha256, truncated: result.truncated ?? false });
        reply(b, 226, 'Transfer complete.');
      }
      return b.build();
    },
    end() {
      closed = true;
      return new StepBuilder<FtpEvent, FtpAction>().build();
    },
  };
}
