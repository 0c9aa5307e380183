// The telnet service's environment: the catalog's four login fields (TELNET_ROOT_PASSWORD,
// TELNET_USER, TELNET_USER_PASSWORD, TELNET_HOSTNAME), plus port, pre-login banner and extra
// accepted logins. Defaults are written once, here.
import { envField, type OptionsOf } from '@decnet/decky-kit';

/** Environment variables of the telnet service. */
export const TELNET_FIELDS = {
  /** @default 23 */
  port: envField.port('TELNET_PORT', 'listening port', 23),
  /** @default 'admin' */
  rootPassword: envField.string('TELNET_ROOT_PASSWORD', 'password accepted for root', 'admin', { maxLength: 256, secret: true }),
  /** @default 'ubuntu' */
  user: envField.string('TELNET_USER', 'unprivileged user name', 'ubuntu', { maxLength: 32, pattern: /^[a-z_][a-z0-9_-]*$/ }),
  /** @default 'admin' */
  userPassword: envField.string('TELNET_USER_PASSWORD', 'password of the unprivileged user', 'admin', { maxLength: 256, secret: true }),
  /** @default unset: HOSTNAME, else NODE_NAME */
  hostname: envField.optionalString('TELNET_HOSTNAME', 'host name in the login and shell prompts', { maxLength: 64, pattern: /^[A-Za-z0-9.-]+$/ }),
  /** @default 'Ubuntu 22.04.4 LTS' */
  banner: envField.string('TELNET_BANNER', 'line shown before the login prompt (/etc/issue.net)', 'Ubuntu 22.04.4 LTS', { maxLength: 512 }),
  /** @default '' */
  accept: envField.credentials('TELNET_ACCEPT', 'further logins that succeed, user:password pairs (* = any password)'),
  /** @default 60 (login(1)'s LOGIN_TIMEOUT) */
  loginTimeoutS: envField.int('TELNET_LOGIN_TIMEOUT_S', 'seconds from connect to a successful login (wall clock), then "Login timed out"', 60, 1, 3600),
};

/** The telnet service's options, read. */
export type TelnetOptions = OptionsOf<typeof TELNET_FIELDS>;
