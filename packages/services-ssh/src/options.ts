// The ssh service's environment: the catalog's four login fields (SSH_ROOT_PASSWORD, SSH_USER,
// SSH_USER_PASSWORD, SSH_HOSTNAME) plus port, version string, pre-auth banner, extra accepted
// logins and where the host keys live. Defaults are written once, here.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { envField, type OptionsOf } from '@decnet/decky-kit';

/** What Ubuntu 22.04's sshd announces (after `SSH-2.0-`); nmap reads it as OpenSSH 8.9p1 Ubuntu. */
export const DEFAULT_SSH_VERSION = 'OpenSSH_8.9p1 Ubuntu-3ubuntu0.10';
/** Host key types generated at first start, in the order offered. */
export const DEFAULT_HOST_KEY_TYPES = 'ed25519,ecdsa,rsa';
/** Where host keys are kept when SSH_HOST_KEY_DIR is unset. */
export const DEFAULT_HOST_KEY_DIR = join(homedir(), '.decnet', 'ssh-host-keys');

/** Environment variables of the ssh service. */
export const SSH_FIELDS = {
  /** @default 22 */
  port: envField.port('SSH_PORT', 'listening port', 22),
  /** @default 'admin' */
  rootPassword: envField.string('SSH_ROOT_PASSWORD', 'password accepted for root', 'admin', { maxLength: 256, secret: true }),
  /** @default 'ubuntu' */
  user: envField.string('SSH_USER', 'unprivileged user name', 'ubuntu', { maxLength: 32, pattern: /^[a-z_][a-z0-9_-]*$/ }),
  /** @default 'admin' */
  userPassword: envField.string('SSH_USER_PASSWORD', 'password of the unprivileged user', 'admin', { maxLength: 256, secret: true }),
  /** @default unset: HOSTNAME, else NODE_NAME */
  hostname: envField.optionalString('SSH_HOSTNAME', 'host name in the shell prompt', { maxLength: 64, pattern: /^[A-Za-z0-9.-]+$/ }),
  /** @default '' */
  accept: envField.credentials('SSH_ACCEPT', 'further logins that succeed, user:password pairs (* = any password)'),
  /** @default 'OpenSSH_8.9p1 Ubuntu-3ubuntu0.10' */
  version: envField.string('SSH_VERSION', 'software version announced after SSH-2.0-', DEFAULT_SSH_VERSION, { maxLength: 200, pattern: /^[\x21-\x2c\x2e-\x7e][\x20-\x7e]*$/ }),
  /** @default unset (Ubuntu shows none) */
  banner: envField.optionalString('SSH_BANNER', 'pre-authentication banner text', { maxLength: 4096 }),
  /** @default ~/.decnet/ssh-host-keys */
  hostKeyDir: envField.string('SSH_HOST_KEY_DIR', 'directory of the persisted host keys (created at first start)', DEFAULT_HOST_KEY_DIR, { maxLength: 1024 }),
  /** @default 'ed25519,ecdsa,rsa' */
  hostKeyTypes: envField.string('SSH_HOST_KEY_TYPES', 'host key types, comma-separated from ed25519|ecdsa|rsa', DEFAULT_HOST_KEY_TYPES, {
    pattern: /^(ed25519|ecdsa|rsa)(,(ed25519|ecdsa|rsa))*$/,
  }),
  /** @default 6 (OpenSSH's MaxAuthTries) */
  maxAuthTries: envField.int('SSH_MAX_AUTH_TRIES', 'failed authentications before disconnecting', 6, 1, 100),
  /** @default 120 (OpenSSH's LoginGraceTime) */
  loginGraceS: envField.int('SSH_LOGIN_GRACE_S', 'seconds from connect to a successful login before the connection is closed', 120, 1, 3600),
  /** @default 10 (OpenSSH's MaxSessions) */
  maxSessions: envField.int('SSH_MAX_SESSIONS', 'session channels open at once on one connection', 10, 1, 100),
};

/** The ssh service's options, read. */
export type SshOptions = OptionsOf<typeof SSH_FIELDS>;
