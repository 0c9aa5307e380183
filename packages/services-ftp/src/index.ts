/**
 * The FTP honeypot service: vsftpd's greeting and replies, every USER/PASS captured as a
 * credential attempt, and enough of RFC 959 (SYST, FEAT, PWD, CWD, TYPE, PASV/EPSV, LIST, NLST,
 * RETR, SIZE, QUIT) that curl and other real clients browse and download bait files. Uploads are
 * hashed and discarded; active mode (PORT/EPRT) is refused: the decky never connects out.
 *
 * ```ts
 * import { service } from '@decnet/service-ftp';
 * import { startService } from '@decnet/decky-kit';
 * const ftp = await startService(service, { port: 2121, bind: '127.0.0.1' });
 * ```
 * @module
 */
import { defineService } from '@decnet/decky-kit';
import { FTP_FIELDS } from './options.js';
import { startFtp } from './server.js';

/** The FTP service spec (slug `ftp`, port 21). */
export const service = defineService({
  slug: 'ftp',
  description: 'FTP server (vsftpd look-alike) capturing logins, downloads and uploads',
  defaultPort: 21,
  transport: 'tcp',
  fields: FTP_FIELDS,
  start: startFtp,
});

// options.ts
export type { FtpOptions } from './options.js';
export { DEFAULT_FTP_BANNER, FTP_FIELDS } from './options.js';
// protocol.ts
export type { FtpAction, FtpEvent, FtpMachine, FtpMachineOptions, PassiveResult, TransferResult } from './protocol.js';
export { DEFAULT_COMMAND_DEADLINE_MS, MAX_LOGIN_FAILS, MAX_QUEUED_BYTES, MAX_UPLOAD_BYTES, createFtpMachine } from './protocol.js';
// files.ts
export type { FtpEntry } from './files.js';
export { FTP_TREE } from './files.js';
