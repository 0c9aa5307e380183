/**
 * The telnet honeypot service: Linux telnetd's opening negotiation (minimal, and robust against
 * any IAC sequence), the Ubuntu issue line and `login:`/`Password:` prompts with every attempt
 * captured as a credential, and the decky kit's fake shell for accepted logins (root and the
 * catalog's user by default), each command logged and the session summarised.
 *
 * ```ts
 * import { service } from '@decnet/service-telnet';
 * import { startService } from '@decnet/decky-kit';
 * await startService(service, { port: 2323, bind: '127.0.0.1' });
 * ```
 * @module
 */
import { defineService } from '@decnet/decky-kit';
import { TELNET_FIELDS } from './options.js';
import { startTelnet } from './server.js';

/** The telnet service spec (slug `telnet`, port 23). */
export const service = defineService({
  slug: 'telnet',
  description: 'telnet server with login prompts and a fake shell',
  defaultPort: 23,
  transport: 'tcp',
  fields: TELNET_FIELDS,
  start: startTelnet,
});

// options.ts
export type { TelnetOptions } from './options.js';
export { TELNET_FIELDS } from './options.js';
// protocol.ts
export type { TelnetEvent, TelnetMachine, TelnetMachineOptions } from './protocol.js';
export { MAX_LOGIN_TRIES, OPENING, createTelnetMachine } from './protocol.js';
// iac.ts
export type { IacResult } from './iac.js';
export { TelnetParser } from './iac.js';
// server.ts
export { NEGOTIATION_WAIT_MS } from './server.js';
