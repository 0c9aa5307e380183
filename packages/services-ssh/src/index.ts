/**
 * The ssh honeypot service on the `ssh2` server: Ubuntu's OpenSSH identification and algorithm
 * order, persisted host keys, every password and keyboard-interactive attempt captured as a
 * credential (public keys as fingerprints), and the decky kit's fake shell for accepted logins
 * on interactive (pty) and exec channels, each command logged and each channel summarised.
 *
 * ```ts
 * import { service } from '@decnet/service-ssh';
 * import { startService } from '@decnet/decky-kit';
 * await startService(service, { port: 2222, bind: '127.0.0.1', env: { SSH_ACCEPT: 'root:123456' } });
 * ```
 * @module
 */
import { defineService } from '@decnet/decky-kit';
import { SSH_FIELDS } from './options.js';
import { startSsh } from './server.js';

/** The ssh service spec (slug `ssh`, port 22). */
export const service = defineService({
  slug: 'ssh',
  description: 'SSH server (OpenSSH look-alike) capturing logins, with a fake shell',
  defaultPort: 22,
  transport: 'tcp',
  fields: SSH_FIELDS,
  start: startSsh,
});

// options.ts
export type { SshOptions } from './options.js';
export { DEFAULT_HOST_KEY_DIR, DEFAULT_HOST_KEY_TYPES, DEFAULT_SSH_VERSION, SSH_FIELDS } from './options.js';
// host-keys.ts
export type { HostKeyType } from './host-keys.js';
export { HostKeyError, RSA_BITS, hostKeyFile, loadOrCreateHostKeys } from './host-keys.js';
// server.ts
export { OPENSSH_ALGORITHMS, fingerprint, judgeAttempt } from './server.js';
