// The SMTP service's environment: port, greeting, accepted logins and the message size limit.
// Defaults are written once, here.
import { envField, type OptionsOf } from '@decnet/decky-kit';

/** Postfix's default SIZE limit (message_size_limit = 10240000). */
export const DEFAULT_SMTP_MAX_MESSAGE_BYTES = 10_240_000;

/** Environment variables of the SMTP service. */
export const SMTP_FIELDS = {
  /** @default 25 */
  port: envField.port('SMTP_PORT', 'listening port', 25),
  /** @default unset: "<hostname> ESMTP Postfix (Ubuntu)" */
  banner: envField.optionalString('SMTP_BANNER', 'text after "220 " in the greeting', { maxLength: 200 }),
  /** @default '' (every AUTH fails) */
  accept: envField.credentials('SMTP_ACCEPT', 'AUTH logins that succeed, user:password pairs separated by commas (* = any password)'),
  /** @default 10240000 */
  maxMessageBytes: envField.int('SMTP_MAX_MESSAGE_BYTES', 'largest message accepted (advertised as SIZE); the body is hashed, never kept', DEFAULT_SMTP_MAX_MESSAGE_BYTES, 1024, 100_000_000),
  /** @default 60 */
  commandTimeoutS: envField.int('SMTP_COMMAND_TIMEOUT_S', 'seconds from the first byte of a command line to its end (wall clock), then 421', 60, 1, 3600),
  /** @default 300 */
  dataTimeoutS: envField.int('SMTP_DATA_TIMEOUT_S', 'seconds from the 354 reply to the end of the message (wall clock), then 421', 300, 1, 86_400),
};

/** The SMTP service's options, read. */
export type SmtpOptions = OptionsOf<typeof SMTP_FIELDS>;
