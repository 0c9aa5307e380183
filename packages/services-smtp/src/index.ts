/**
 * The SMTP honeypot service: Postfix's greeting and replies, EHLO/HELO, AUTH PLAIN and LOGIN
 * (every credential captured), MAIL/RCPT/DATA with each message hashed and summarised from its
 * headers (never stored), RSET/NOOP/VRFY/QUIT. STARTTLS is not advertised and refused.
 *
 * ```ts
 * import { service } from '@decnet/service-smtp';
 * import { startService } from '@decnet/decky-kit';
 * const smtp = await startService(service, { port: 2525, bind: '127.0.0.1' });
 * ```
 * @module
 */
import { defineService } from '@decnet/decky-kit';
import { SMTP_FIELDS } from './options.js';
import { startSmtp } from './server.js';

/** The SMTP service spec (slug `smtp`, port 25). */
export const service = defineService({
  slug: 'smtp',
  description: 'SMTP server (Postfix look-alike) capturing AUTH logins and hashing every message',
  defaultPort: 25,
  transport: 'tcp',
  fields: SMTP_FIELDS,
  start: startSmtp,
});

// options.ts
export type { SmtpOptions } from './options.js';
export { DEFAULT_SMTP_MAX_MESSAGE_BYTES, SMTP_FIELDS } from './options.js';
// protocol.ts
export type { SmtpEvent, SmtpMachineOptions } from './protocol.js';
export { DEFAULT_COMMAND_DEADLINE_MS, DEFAULT_DATA_DEADLINE_MS, MAX_HEADER_BYTES, MAX_RECIPIENTS, MAX_SMTP_ERRORS, createSmtpMachine, parseHeaders } from './protocol.js';
