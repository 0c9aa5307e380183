// The FTP service's environment: port, greeting, accepted logins, anonymous access and the
// address advertised in PASV replies. Defaults are written once, here.
import { envField, type OptionsOf } from '@decnet/decky-kit';

/** vsftpd's greeting on Ubuntu 22.04: what scanners expect from a stock server. */
export const DEFAULT_FTP_BANNER = '(vsFTPd 3.0.5)';

/** Environment variables of the FTP service. */
export const FTP_FIELDS = {
  /** @default 21 */
  port: envField.port('FTP_PORT', 'listening port', 21),
  /** @default '(vsFTPd 3.0.5)' */
  banner: envField.string('FTP_BANNER', 'text after "220 " in the greeting', DEFAULT_FTP_BANNER, { maxLength: 200 }),
  /** @default '' (no accounts besides anonymous) */
  accept: envField.credentials('FTP_ACCEPT', 'logins that succeed, user:password pairs separated by commas (* = any password)'),
  /** @default true */
  anonymous: envField.bool('FTP_ANONYMOUS', 'accept anonymous/ftp with any password (read-only)', true),
  /** @default unset: the address the client connected to */
  pasvAddress: envField.optionalString('FTP_PASV_ADDRESS', 'IPv4 address advertised in PASV replies', { pattern: /^\d{1,3}(\.\d{1,3}){3}$/ }),
  /** @default 60 */
  commandTimeoutS: envField.int('FTP_COMMAND_TIMEOUT_S', 'seconds from the first byte of a command line to its end (wall clock), then 421', 60, 1, 3600),
};

/** The FTP service's options, read. */
export type FtpOptions = OptionsOf<typeof FTP_FIELDS>;
