// The fake FTP tree: a small, plausible server share with bait files. Data, not code: paths to
// contents, with sizes and dates listings show.

/** A file or directory of the fake tree. */
export interface FtpEntry {
  readonly kind: 'file' | 'dir';
  /** File bytes (files only). */
  readonly content?: Buffer;
  readonly mtime: Date;
}

const T = (y: number, m: number, d: number, h = 9, min = 12): Date => new Date(Date.UTC(y, m - 1, d, h, min));

const CONFIG_PHP = `<?php
// Database settings
define('DB_NAME', 'shop_prod');
define('DB_USER', 'shop');
define('DB_PASSWORD', 'Sh0p!2023db');
define('DB_HOST', '10.0.2.15');
`;

/** The tree, by absolute path. Directories are implied by their entries and listed explicitly too. */
export const FTP_TREE: ReadonlyMap<string, FtpEntry> = new Map<string, FtpEntry>([
  ['/', { kind: 'dir', mtime: T(2024, 2, 16) }],
  ['/pub', { kind: 'dir', mtime: T(2024, 2, 16) }],
  ['/pub/README.txt', { kind: 'file', content: Buffer.from('Public file area. Uploads go to /upload and are reviewed daily.\r\nContact: it-support@corp.local\r\n'), mtime: T(2023, 11, 3) }],
  ['/backup', { kind: 'dir', mtime: T(2024, 6, 1, 2, 0) }],
  ['/backup/db_backup_2024-06-01.sql', { kind: 'file', content: Buffer.from('-- MySQL dump 10.13  Distrib 8.0.36\n--\n-- Host: localhost    Database: shop_prod\n-- ------------------------------------------------------\nCREATE TABLE `users` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `email` varchar(255) NOT NULL,\n  `password_hash` char(60) NOT NULL,\n  PRIMARY KEY (`id`)\n);\n'), mtime: T(2024, 6, 1, 2, 0) }],
  ['/www', { kind: 'dir', mtime: T(2024, 3, 9) }],
  ['/www/index.html', { kind: 'file', content: Buffer.from('<!doctype html><html><head><title>Welcome</title></head><body><h1>Under construction</h1></body></html>\n'), mtime: T(2024, 3, 9) }],
  ['/www/config.php', { kind: 'file', content: Buffer.from(CONFIG_PHP), mtime: T(2024, 3, 9) }],
  ['/upload', { kind: 'dir', mtime: T(2024, 6, 2) }],
]);

/** Normalises `path` against `cwd` (no `..` above the root). */
export function resolveFtpPath(cwd: string, path: string): string {
  const parts = (path.startsWith('/') ? path : `${cwd}/${path}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return `/${out.join('/')}`;
}

/** Names directly under directory `dir`. */
export function childrenOf(dir: string): string[] {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  const names: string[] = [];
  for (const path of FTP_TREE.keys()) {
    if (path !== dir && path.startsWith(prefix) && !path.slice(prefix.length).includes('/')) names.push(path.slice(prefix.length));
  }
  return names.sort();
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One `LIST` line in vsftpd's format. */
export function listLine(name: string, entry: FtpEntry, now: Date): string {
  const recent = now.getTime() - entry.mtime.getTime() < 180 * 86400_000;
  const d = entry.mtime;
  const when = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${recent ? `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}` : ` ${d.getUTCFullYear()}`}`;
  const size = entry.kind === 'dir' ? 4096 : entry.content?.length ?? 0;
  const mode = entry.kind === 'dir' ? 'drwxr-xr-x' : '-rw-r--r--';
  return `${mode}    ${entry.kind === 'dir' ? 2 : 1} ftp      ftp      ${String(size).padStart(8)} ${when} ${name}`;
}

/** `YYYYMMDDHHMMSS` for MDTM. */
export function mdtm(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
