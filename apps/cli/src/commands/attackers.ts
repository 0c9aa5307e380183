// `decnet attackers [--json] [--limit N]`: the attackers the profiler built, most recently seen
// first, with their behaviour class and tool guesses. Attacker-supplied text is shown escaped.
import { createLogger } from '@decnet/core';
import { loadConfigOrExit } from '@decnet/host';
import type { AttackerListRow } from '@decnet/db';
import { parseCommandArgs, parseLimit, renderJson, renderTable, type CommandIO } from '../io.js';
import { printable } from './logs.js';

/** Rows shown when --limit is not given. */
const DEFAULT_LIMIT = 50;
/** Largest --limit accepted. */
const MAX_LIMIT = 10_000;
/** Width of the list columns (services, deckies, tools) in the table. */
const LIST_WIDTH = 40;

export function help(): string {
  return [
    'Usage: decnet attackers [--json] [--limit N]',
    '',
    'Lists the attackers the profiler built from the stored events, most recently seen first',
    '(default 50, at most 10000): address, first and last seen, events, services, deckies (the',
    'traversal path when it visited several), behaviour class and tool guesses. --json prints',
    'every column, behaviour included.',
    '',
    'Reads DATABASE_URL, or the embedded Postgres under DECNET_HOME (the one "decnet up" runs).',
    '',
  ].join('\n');
}

const time = (d: Date): string => d.toISOString().slice(0, 19).replace('T', ' ');

function list(items: unknown, separator = ','): string {
  const text = printable(Array.isArray(items) ? items.map(String).join(separator) : '');
  return text.length > LIST_WIDTH ? `${text.slice(0, LIST_WIDTH - 1)}…` : text;
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const { values } = parseCommandArgs('attackers', args, { json: { type: 'boolean', default: false }, limit: { type: 'string' } }, false);
  const limit = parseLimit('attackers', values.limit, DEFAULT_LIMIT, MAX_LIMIT);
  const config = loadConfigOrExit(io.env);
  const log = createLogger({ level: io.env['DECNET_LOG_LEVEL'] ? config.logLevel : 'warn', name: 'attackers' });
  const { isMissingTableError, listAttackers, openDatabase } = await import('@decnet/db');
  const database = await openDatabase(config, log, { retry: false, poolMax: 1 });
  let rows: AttackerListRow[];
  try {
    rows = await listAttackers(database.pool, limit);
  } catch (err) {
    if (isMissingTableError(err)) {
      io.stderr(`decnet attackers: the database at ${database.url} has no attackers table yet; run "decnet db migrate"\n`);
      return 1;
    }
    throw err;
  } finally {
    await database.close();
  }
  if (values.json) {
    io.stdout(renderJson(rows.map((r) => ({ ...r, first_seen: r.first_seen.toISOString(), last_seen: r.last_seen.toISOString() }))));
    return 0;
  }
  if (rows.length === 0) {
    io.stderr('no attackers yet (the profiler builds them from stored events)\n');
    return 0;
  }
  io.stdout(
    renderTable(
      ['ip', 'first seen (utc)', 'last seen (utc)', 'events', 'services', 'deckies', 'class', 'tools'],
      rows.map((r) => [
        printable(r.ip),
        time(r.first_seen),
        time(r.last_seen),
        r.event_count,
        list(r.services),
        r.traversal_path ? list(r.deckies, '→') : list(r.deckies),
        r.behavior_class ?? '-',
        list(r.tool_guesses) || '-',
      ]),
    ),
  );
  return 0;
}
