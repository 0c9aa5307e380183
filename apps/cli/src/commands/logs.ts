// `decnet logs [--json] [--limit N] [--search Q]`: stored events, newest first, with upstream's
// search syntax (column filters, JSON-field filters, bare words), searched by @decnet/db's
// parameterised query.
// Works while `decnet up` runs: without DATABASE_URL it joins the embedded Postgres `up` started.
import { createLogger } from '@decnet/core';
import { loadConfigOrExit } from '@decnet/host';
import type { LogSearchRow, LogSearchTerm } from '@decnet/db';
import { parseCommandArgs, parseLimit, renderJson, renderTable, type CommandIO } from '../io.js';

/** Rows shown when --limit is not given. */
const DEFAULT_LIMIT = 50;
/** Largest --limit accepted: beyond this, use the database directly. */
const MAX_LIMIT = 10_000;
/** Width of the message column in the table. */
const SUMMARY_WIDTH = 80;

/** Search keys that filter a column (upstream's aliases); any other key filters `fields`. */
const COLUMN_KEYS: Readonly<Record<string, string>> = {
  decky: 'decky',
  service: 'service',
  event: 'event_type',
  attacker: 'attacker_ip',
  'attacker-ip': 'attacker_ip',
  attacker_ip: 'attacker_ip',
};

/** A key usable in `key:value` (anything else makes the token a bare word, e.g. a URL). */
const SEARCH_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function help(): string {
  return [
    'Usage: decnet logs [--json] [--limit N] [--search Q]',
    '',
    'Lists stored events, newest first (default 50, at most 10000). The search string is split',
    'like a shell command line (quotes group words); every term must match:',
    '  decky:NAME  service:NAME  event:TYPE  attacker:IP (also attacker-ip:, attacker_ip:)',
    '  KEY:VALUE   any other key matches that structured-data field exactly (fields->>KEY)',
    '  WORD        case-insensitive substring of the raw line, decky, service or attacker address',
    'Example: decnet logs --search \'service:ssh username:root "Failed password"\'',
    '',
    'Reads DATABASE_URL, or the embedded Postgres under DECNET_HOME (the one "decnet up" runs).',
    '',
  ].join('\n');
}

/** One search term (the database's search term type). */
export type SearchTerm = LogSearchTerm;

/**
 * Splits `text` like a POSIX shell: whitespace separates words, single quotes keep everything
 * literally, double quotes keep whitespace and honour `\"` and `\\`, a backslash outside quotes
 * escapes the next character. An unterminated quote runs to the end (never an error).
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) current += text[++i];
      else current += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '\\' && i + 1 < text.length) current += text[++i];
    else current += ch;
  }
  if (inWord) words.push(current);
  return words;
}

/** Parses a search string into terms (see {@link help}). */
export function parseSearch(text: string): SearchTerm[] {
  return splitShellWords(text).flatMap((token): SearchTerm[] => {
    if (token === '') return [];
    const colon = token.indexOf(':');
    if (colon > 0 && colon < token.length - 1) {
      const key = token.slice(0, colon);
      const value = token.slice(colon + 1);
      if (SEARCH_KEY.test(key)) {
        const column = COLUMN_KEYS[key.toLowerCase()];
        return [column ? { kind: 'column', column, value } : { kind: 'field', key, value }];
      }
    }
    return [{ kind: 'word', word: token }];
  });
}

/** A row as printed. */
type LogRow = LogSearchRow;

/** Attacker text must not drive the terminal: control characters (C0, DEL, C1) are shown escaped. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function summary(row: LogRow): string {
  const text =
    row.msg && row.msg.length > 0
      ? row.msg
      : Object.entries(row.fields)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
  const safe = printable(text);
  return safe.length > SUMMARY_WIDTH ? `${safe.slice(0, SUMMARY_WIDTH - 1)}…` : safe;
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs(
    'logs',
    args,
    { json: { type: 'boolean', default: false }, limit: { type: 'string' }, search: { type: 'string' } },
    false,
  );
  const limit = parseLimit('logs', values.limit, DEFAULT_LIMIT, MAX_LIMIT);
  const terms = parseSearch(values.search ?? '');
  const config = loadConfigOrExit(io.env);
  const log = createLogger({ level: io.env['DECNET_LOG_LEVEL'] ? config.logLevel : 'warn', name: 'logs' });
  const { isMissingTableError, openDatabase, searchLogs } = await import('@decnet/db');
  // A one-shot command reports an unreachable server instead of waiting for it.
  const database = await openDatabase(config, log, { retry: false, poolMax: 1 });
  let rows: LogRow[];
  try {
    rows = await searchLogs(database.pool, terms, limit);
  } catch (err) {
    if (isMissingTableError(err)) {
      io.stderr(`decnet logs: the database at ${database.url} has no logs table yet; run "decnet db migrate"\n`);
      return 1;
    }
    throw err;
  } finally {
    await database.close();
  }
  if (values.json) {
    io.stdout(renderJson(rows.map((r) => ({ ...r, id: Number(r.id), timestamp: r.timestamp.toISOString() }))));
    return 0;
  }
  if (rows.length === 0) {
    io.stderr('no events match\n');
    return 0;
  }
  io.stdout(
    renderTable(
      ['id', 'time (utc)', 'decky', 'service', 'event', 'attacker', 'message'],
      rows.map((r) => [
        r.id,
        r.timestamp.toISOString().slice(0, 19).replace('T', ' '),
        printable(r.decky),
        printable(r.service),
        printable(r.event_type),
        printable(r.attacker_ip),
        summary(r),
      ]),
    ),
  );
  return 0;
}
