// The FTP command table: every verb the emulator answers and whether it needs a login. Data,
// as OpenCanary keeps its command tables; the replies live in protocol.ts.

/** How the machine treats a verb. */
export interface FtpCommandSpec {
  /** Answered with 530 before login. */
  readonly auth: boolean;
}

const PUBLIC = ['USER', 'PASS', 'QUIT', 'NOOP', 'SYST', 'FEAT', 'OPTS', 'HELP', 'AUTH'];
const AUTHED = [
  'PWD', 'XPWD', 'CWD', 'XCWD', 'CDUP', 'XCUP', 'TYPE', 'MODE', 'STRU', 'REST', 'ABOR', 'STAT', 'PASV', 'EPSV', 'PORT', 'EPRT',
  'SIZE', 'MDTM', 'LIST', 'NLST', 'RETR', 'STOR', 'STOU', 'APPE', 'DELE', 'MKD', 'XMKD', 'RMD', 'XRMD', 'RNFR', 'RNTO', 'SITE', 'ALLO', 'ACCT',
];

/** Verbs the emulator knows; anything else gets `500 Unknown command.` */
export const COMMANDS: ReadonlyMap<string, FtpCommandSpec> = new Map<string, FtpCommandSpec>([
  ...PUBLIC.map((v) => [v, { auth: false }] as const),
  ...AUTHED.map((v) => [v, { auth: true }] as const),
]);
