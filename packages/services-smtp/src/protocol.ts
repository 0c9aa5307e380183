// The SMTP conversation as a pure state machine (Postfix's replies): greeting, EHLO/HELO, AUTH
// PLAIN/LOGIN capture, the envelope, and DATA hashed and summarised line by line so a message
// never sits in memory whole. No sockets, no timers, no clock; the queue id comes from options.
import { createHash, type Hash } from 'node:crypto';
import {
  StepBuilder,
  createLineSplitter,
  credentialFields,
  matchesCredential,
  type CredentialPair,
  type EventTypeOf,
  type ProtocolMachine,
} from '@decnet/decky-kit';

/** SMTP event types (see the decky-kit catalogue). */
export type SmtpEvent = EventTypeOf<'smtp'>;

/** Options of {@link createSmtpMachine}. */
export interface SmtpMachineOptions {
  /** The host name in the greeting and the EHLO reply. */
  readonly hostname: string;
  /** Text after `220 `; default `<hostname> ESMTP Postfix (Ubuntu)`. */
  readonly banner?: string;
  readonly accept: readonly CredentialPair[];
  readonly maxLineBytes: number;
  /** Largest message accepted; bigger ones are read to the end, hashed, logged and refused with 552. */
  readonly maxMessageBytes: number;
  /** A fresh queue id per accepted message. */
  readonly queueId: () => string;
  /** Wall-clock limit for one command line, from its first byte (ms). @default DEFAULT_COMMAND_DEADLINE_MS */
  readonly commandDeadlineMs?: number;
  /** Wall-clock limit for a whole DATA phase, from the 354 reply (ms). @default DEFAULT_DATA_DEADLINE_MS */
  readonly dataDeadlineMs?: number;
}

/** Default wall-clock limit of one command line (Postfix's smtpd_timeout as a per-record deadline would be 300 s). */
export const DEFAULT_COMMAND_DEADLINE_MS = 60_000;
/** Default wall-clock limit of one DATA phase: 10 MB at ~270 kbit/s. */
export const DEFAULT_DATA_DEADLINE_MS = 300_000;

/** Errors before Postfix hangs up (smtpd_hard_error_limit). */
export const MAX_SMTP_ERRORS = 20;
/** Recipients per message (smtpd_recipient_limit is 1000; a honeypot needs far fewer). */
export const MAX_RECIPIENTS = 100;
/** Header bytes kept per message to pull Subject/From/To from; the rest is only hashed. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Longest address or argument kept in an event. */
const MAX_VALUE_CHARS = 512;
/** Longest header value kept in an event. */
const MAX_HEADER_VALUE_CHARS = 256;

type Stage = 'command' | 'auth_plain' | 'auth_login_user' | 'auth_login_pass' | 'data';

interface MessageState {
  hash: Hash;
  size: number;
  headerBytes: Buffer[];
  headerLength: number;
  inHeaders: boolean;
  truncated: boolean;
}

/** The headers of interest from a message's header block (unfolded, lower-cased names), each capped. */
export function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[a-z0-9-]{1,64}$/.test(name) || name in out) continue;
    out[name] = line.slice(colon + 1).trim().slice(0, MAX_HEADER_VALUE_CHARS);
  }
  return out;
}

/** The address inside `FROM:<a@b>` / `TO:<a@b>` (ESMTP parameters dropped), or null when malformed. */
function pathArgument(arg: string, keyword: 'FROM' | 'TO'): string | null {
  const m = new RegExp(`^${keyword}:\\s*(<[^>]*>|\\S+)`, 'i').exec(arg.trim());
  if (!m?.[1]) return null;
  return m[1].replace(/^<|>$/g, '').slice(0, MAX_VALUE_CHARS);
}

/** Decodes base64 strictly enough: null when the text is not base64. */
function fromBase64(text: string): Buffer | null {
  const t = text.trim();
  if (t === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(t)) return null;
  return Buffer.from(t, 'base64');
}

/** Creates one connection's SMTP machine. */
export function createSmtpMachine(options: SmtpMachineOptions): ProtocolMachine<SmtpEvent> {
  const splitter = createLineSplitter(options.maxLineBytes);
  let stage: Stage = 'command';
  let helo: string | null = null;
  let authed = false;
  let loginUser: Buffer | null = null;
  let mailFrom: string | null = null;
  let recipients: string[] = [];
  let message: MessageState | null = null;
  let errors = 0;
  let closed = false;

  const reply = (b: StepBuilder<SmtpEvent>, text: string): void => {
    b.reply(`${text}\r\n`);
  };
  const error = (b: StepBuilder<SmtpEvent>, text: string): void => {
    reply(b, text);
    errors++;
    if (errors >= MAX_SMTP_ERRORS) {
      reply(b, '421 4.7.0 Error: too many errors');
      closed = true;
      b.close();
    }
  };

  const authAttempt = (b: StepBuilder<SmtpEvent>, mechanism: string, user: Buffer, password: Buffer): void => {
    const username = user.toString('utf8').slice(0, MAX_VALUE_CHARS);
    const success = options.accept.length > 0 && matchesCredential(options.accept, username, password.toString('utf8'));
    b.event('auth_attempt', { username, mechanism, ...credentialFields(password, { principal: username, outcome: success ? 'success' : 'failure' }) });
    stage = 'command';
    if (success) {
      authed = true;
      reply(b, '235 2.7.0 Authentication successful');
    } else error(b, '535 5.7.8 Error: authentication failed: authentication failure');
  };

  const plainResponse = (b: StepBuilder<SmtpEvent>, text: string): void => {
    const raw = fromBase64(text);
    const parts = raw ? splitNul(raw) : null;
    if (!parts || parts.length !== 3) {
      stage = 'command';
      error(b, '501 5.5.2 Error: invalid authentication data');
      return;
    }
    authAttempt(b, 'PLAIN', parts[1] as Buffer, parts[2] as Buffer);
  };

  const resetEnvelope = (): void => {
    mailFrom = null;
    recipients = [];
    message = null;
  };

  const finishMessage = (b: StepBuilder<SmtpEvent>): void => {
    const m = message;
    stage = 'command';
    if (!m) return;
    const headers = parseHeaders(Buffer.concat(m.headerBytes).toString('utf8'));
    const id = options.queueId();
    const tooBig = m.size > options.maxMessageBytes;
    const common = { msg_id: id, mail_from: mailFrom ?? '', rcpt_to: recipients.join(','), truncated: m.truncated || tooBig };
    b.event('message_accepted', { ...common, body_bytes: m.size, accepted: !tooBig });
    b.event('message_stored', {
      ...common,
      stored_as: '',
      sha256: m.hash.digest('hex'),
      size: m.size,
      subject: headers['subject'] ?? '',
      from_hdr: headers['from'] ?? '',
      to_hdr: headers['to'] ?? '',
      message_id_hdr: headers['message-id'] ?? '',
      date_hdr: headers['date'] ?? '',
      x_mailer: headers['x-mailer'] ?? headers['user-agent'] ?? '',
      content_type: headers['content-type'] ?? '',
    });
    resetEnvelope();
    b.clearDeadline('data');
    if (tooBig) reply(b, '552 5.3.4 Error: message file too big');
    else reply(b, `250 2.0.0 Ok: queued as ${id}`);
  };

  const dataLine = (b: StepBuilder<SmtpEvent>, line: Buffer): void => {
    const m = message;
    if (!m) return;
    if (line.length === 1 && line[0] === 0x2e) {
      finishMessage(b);
      return;
    }
    const content = line[0] === 0x2e ? line.subarray(1) : line;
    if (m.size <= options.maxMessageBytes) {
      m.hash.update(content);
      m.hash.update('\r\n');
    }
    m.size += content.length + 2;
    if (m.inHeaders) {
      if (content.length === 0) m.inHeaders = false;
      else if (m.headerLength + content.length + 2 <= MAX_HEADER_BYTES) {
        m.headerBytes.push(Buffer.from(content), Buffer.from('\r\n'));
        m.headerLength += content.length + 2;
      } else m.truncated = true;
    }
  };

  const command = (b: StepBuilder<SmtpEvent>, raw: Buffer): void => {
    const text = raw.toString('utf8');
    if (stage === 'auth_plain') {
      if (text.trim() === '*') {
        stage = 'command';
        error(b, '501 5.7.0 Authentication aborted');
      } else plainResponse(b, text);
      return;
    }
    if (stage === 'auth_login_user' || stage === 'auth_login_pass') {
      const decoded = text.trim() === '*' ? null : fromBase64(text);
      if (!decoded) {
        stage = 'command';
        error(b, text.trim() === '*' ? '501 5.7.0 Authentication aborted' : '501 5.5.2 Error: invalid authentication data');
        return;
      }
      if (stage === 'auth_login_user') {
        loginUser = decoded;
        stage = 'auth_login_pass';
        reply(b, '334 UGFzc3dvcmQ6');
      } else authAttempt(b, 'LOGIN', loginUser ?? Buffer.alloc(0), decoded);
      return;
    }
    const space = text.indexOf(' ');
    const verb = (space < 0 ? text : text.slice(0, space)).trim().toUpperCase();
    const arg = space < 0 ? '' : text.slice(space + 1);
    switch (verb) {
      case 'EHLO':
      case 'HELO': {
        const domain = arg.trim().slice(0, MAX_VALUE_CHARS);
        if (domain === '') {
          error(b, `501 Syntax: ${verb} hostname`);
          return;
        }
        helo = domain;
        resetEnvelope();
        b.event('ehlo', { domain, verb });
        if (verb === 'HELO') reply(b, `250 ${options.hostname}`);
        else
          b.reply(
            `250-${options.hostname}\r\n250-PIPELINING\r\n250-SIZE ${options.maxMessageBytes}\r\n250-VRFY\r\n250-ETRN\r\n250-AUTH PLAIN LOGIN\r\n` +
              '250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250 SMTPUTF8\r\n',
          );
        return;
      }
      case 'AUTH': {
        if (helo === null) return error(b, '503 5.5.1 Error: send HELO/EHLO first');
        if (authed) return error(b, '503 5.5.1 Error: already authenticated');
        if (mailFrom !== null) return error(b, '503 5.5.1 Error: MAIL transaction in progress');
        const [mech = '', initial] = arg.trim().split(/\s+/);
        const mechanism = mech.toUpperCase();
        if (mechanism === 'PLAIN') {
          if (initial === undefined) {
            stage = 'auth_plain';
            reply(b, '334 ');
          } else if (initial === '=') plainResponse(b, '');
          else plainResponse(b, initial);
          return;
        }
        if (mechanism === 'LOGIN') {
          if (initial === undefined) {
            stage = 'auth_login_user';
            reply(b, '334 VXNlcm5hbWU6');
          } else {
            const user = fromBase64(initial);
            if (!user) return error(b, '501 5.5.2 Error: invalid authentication data');
            loginUser = user;
            stage = 'auth_login_pass';
            reply(b, '334 UGFzc3dvcmQ6');
          }
          return;
        }
        b.event('unknown_command', { command: `AUTH ${mechanism.slice(0, 32)}` });
        return error(b, '535 5.7.8 Error: authentication failed: Invalid authentication mechanism');
      }
      case 'MAIL': {
        if (helo === null) return error(b, '503 5.5.1 Error: send HELO/EHLO first');
        if (mailFrom !== null) return error(b, '503 5.5.1 Error: nested MAIL command');
        const from = pathArgument(arg, 'FROM');
        if (from === null) return error(b, '501 5.5.4 Syntax: MAIL FROM:<address>');
        mailFrom = from;
        const at = from.lastIndexOf('@');
        b.event('mail_from', { value: from, mail_from: from, domain: at < 0 ? '' : from.slice(at + 1).toLowerCase() });
        reply(b, '250 2.1.0 Ok');
        return;
      }
      case 'RCPT': {
        if (mailFrom === null) return error(b, '503 5.5.1 Error: need MAIL command');
        const to = pathArgument(arg, 'TO');
        if (to === null || to === '') return error(b, '501 5.5.4 Syntax: RCPT TO:<address>');
        if (recipients.length >= MAX_RECIPIENTS) {
          b.event('rcpt_denied', { value: to, reason: 'too_many_recipients' });
          reply(b, '452 4.5.3 Error: too many recipients');
          return;
        }
        recipients.push(to);
        b.event('rcpt_to', { value: to });
        reply(b, '250 2.1.5 Ok');
        return;
      }
      case 'DATA':
        if (mailFrom === null) return error(b, '503 5.5.1 Error: need RCPT command');
        if (recipients.length === 0) return error(b, '554 5.5.1 Error: no valid recipients');
        stage = 'data';
        message = { hash: createHash('sha256'), size: 0, headerBytes: [], headerLength: 0, inHeaders: true, truncated: false };
        reply(b, '354 End data with <CR><LF>.<CR><LF>');
        b.clearDeadline('command');
        b.deadline('data', options.dataDeadlineMs ?? DEFAULT_DATA_DEADLINE_MS);
        return;
      case 'RSET':
        resetEnvelope();
        reply(b, '250 2.0.0 Ok');
        return;
      case 'NOOP':
        reply(b, '250 2.0.0 Ok');
        return;
      case 'VRFY': {
        const value = arg.trim().slice(0, MAX_VALUE_CHARS);
        b.event('vrfy', { value });
        if (value === '') return error(b, '501 5.5.4 Syntax: VRFY address');
        reply(b, `252 2.0.0 ${printableReply(value)}`);
        return;
      }
      case 'STARTTLS':
        reply(b, '454 4.7.0 TLS not available due to local problem');
        return;
      case 'QUIT':
        reply(b, '221 2.0.0 Bye');
        closed = true;
        b.close();
        return;
      case '':
        error(b, '500 5.5.2 Error: bad syntax');
        return;
      default:
        b.event('unknown_command', { command: text.slice(0, MAX_VALUE_CHARS) });
        error(b, '502 5.5.2 Error: command not recognized');
    }
  };

  return {
    start() {
      return new StepBuilder<SmtpEvent>().reply(`220 ${options.banner ?? `${options.hostname} ESMTP Postfix (Ubuntu)`}\r\n`).build();
    },
    feed(chunk) {
      const b = new StepBuilder<SmtpEvent>();
      if (closed) return b.build();
      const { lines, overflows } = splitter.push(chunk);
      if (overflows > 0) {
        if (stage === 'data' && message) {
          message.truncated = true;
          message.size += overflows * options.maxLineBytes;
        } else for (let i = 0; i < overflows && !closed; i++) error(b, '500 5.5.0 Error: line too long');
      }
      for (const line of lines) {
        if (closed) break;
        if (stage === 'data') dataLine(b, line);
        else command(b, line);
      }
      // A command line has a deadline from its first byte; DATA has its own for the whole message.
      if (!closed && stage !== 'data') {
        if (splitter.partial) b.deadline('command', options.commandDeadlineMs ?? DEFAULT_COMMAND_DEADLINE_MS);
        else b.clearDeadline('command');
      }
      return b.build();
    },
    held() {
      return splitter.pending + (message?.headerLength ?? 0);
    },
    expire() {
      closed = true;
      return new StepBuilder<SmtpEvent>().reply(`421 4.4.2 ${options.hostname} Error: timeout exceeded\r\n`).close().build();
    },
    end() {
      closed = true;
      return new StepBuilder<SmtpEvent>().build();
    },
  };
}

/** `text` with every control character replaced by `?`, safe to echo inside one reply line. */
function printableReply(text: string): string {
  let out = '';
  for (const c of text) out += c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? '?' : c;
  return out;
}

/** Splits `buf` at NUL bytes. */
function splitNul(buf: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0) {
      parts.push(buf.subarray(start, i));
      start = i + 1;
    }
  }
  parts.push(buf.subarray(start));
  return parts;
}
