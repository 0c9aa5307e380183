// `decnet workers [--json]` lists the catalog; `decnet workers status [--seconds N] [--json]`
// listens to heartbeats and reports each worker's health.
import { existsSync, readFileSync } from 'node:fs';
import { EVENTS, silentLogger, subscribeEvent, type HealthPayload } from '@decnet/core';
import { openBusTransport, loadConfigOrExit } from '@decnet/host';
import { parseCommandArgs, renderJson, renderTable, UsageError, type CommandIO } from '../io.js';

/** Default listening window: longer than one 10 s heartbeat period. */
const DEFAULT_STATUS_SECONDS = 12;
/** A beat older than three periods means the worker is stale. */
const STALE_AFTER_PERIODS = 3;

export function help(): string {
  return [
    'Usage: decnet workers [--json]',
    '       decnet workers status [--seconds N] [--json]',
    '',
    'Without a subcommand, lists every worker: name, what it needs, its default group.',
    `"status" listens for heartbeats for N seconds (default ${DEFAULT_STATUS_SECONDS}) and prints each`,
    'worker instance heard: state, memory, event-loop lag, last progress, events handled.',
    'While "decnet up" runs, status reads the embedded fleet\'s health file instead.',
    '',
  ].join('\n');
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('workers', args, {
    json: { type: 'boolean', default: false },
    seconds: { type: 'string' },
  });
  const sub = positionals[0];
  if (sub === undefined) return list(values.json, io);
  if (sub !== 'status') throw new UsageError(`unknown subcommand "${sub}"; expected "status"`, 'workers');
  const seconds = values.seconds === undefined ? DEFAULT_STATUS_SECONDS : Number(values.seconds);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new UsageError(`--seconds must be a number between 0 and 600, got "${values.seconds}"`, 'workers');
  }
  return status(seconds, values.json, io);
}

async function list(json: boolean, io: CommandIO): Promise<number> {
  const { CATALOG } = await import('@decnet/supervise');
  const rows = CATALOG.map((w) => ({ name: w.name, needs: [...w.needs], group: w.group, fixture: w.fixture, description: w.description }));
  if (json) io.stdout(renderJson(rows));
  else io.stdout(renderTable(['name', 'needs', 'group', 'description'], rows.map((r) => [r.name, r.needs.join(','), r.group, r.description])));
  return 0;
}

async function readEmbeddedHealth(home: string): Promise<HealthPayload[] | undefined> {
  const { upStatePaths } = await import('@decnet/supervise');
  const { pidFile, healthFile } = upStatePaths(home);
  if (!existsSync(pidFile) || !existsSync(healthFile)) return undefined;
  try {
    const { pid } = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number };
    process.kill(pid, 0);
    const raw = JSON.parse(readFileSync(healthFile, 'utf8')) as unknown[];
    return raw.flatMap((r) => {
      const p = EVENTS.health.schema.safeParse(r);
      return p.success ? [p.data] : [];
    });
  } catch {
    return undefined;
  }
}

async function status(seconds: number, json: boolean, io: CommandIO): Promise<number> {
  const config = loadConfigOrExit(io.env);
  const { CATALOG } = await import('@decnet/supervise');
  let beats = await readEmbeddedHealth(config.home);
  if (!beats) {
    if (config.bus === 'memory' || config.bus === 'none') {
      io.stderr(`decnet workers status: no "decnet up" is running under ${config.home} and DECNET_BUS=${config.bus} has no other processes to hear\n`);
      return 1;
    }
    const latest = new Map<string, HealthPayload>();
    const transport = await openBusTransport(config, silentLogger, AbortSignal.timeout(seconds * 1000));
    const bus = transport.connect('workers-status');
    io.stderr(`listening for heartbeats on ${config.kafkaBrokers.join(',')} for ${seconds} s...\n`);
    subscribeEvent(bus, EVENTS.health, (event) => void latest.set(`${event.payload.worker}/${event.payload.instance}`, event.payload), {
      log: silentLogger,
      broadcast: true,
    });
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await transport.close();
    beats = [...latest.values()];
  }
  const now = Date.now() / 1000;
  const staleAfter = (config.healthIntervalMs / 1000) * STALE_AFTER_PERIODS;
  const known = new Set(CATALOG.map((w) => w.name));
  const rows = beats
    .filter((b) => known.has(b.worker))
    .sort((a, b) => a.worker.localeCompare(b.worker) || a.instance.localeCompare(b.instance))
    .map((b) => ({
      worker: b.worker,
      instance: b.instance,
      pid: b.pid,
      state: b.state,
      health: healthOf(b, now - b.ts > staleAfter),
      note: typeof b.detail?.state === 'string' ? b.detail.state : null,
      rssMB: Math.round((b.rssBytes / 1048576) * 10) / 10,
      loopLagMs: b.eventLoopLagMs,
      lastProgressAgoS: b.lastProgressTs === null ? null : Math.round(now - b.lastProgressTs),
      eventsHandled: b.eventsHandled,
      restarts: b.restarts,
    }));
  const heard = new Set(rows.map((r) => r.worker));
  const silent = [...known].filter((w) => !heard.has(w));
  if (json) {
    io.stdout(renderJson({ workers: rows, silent }));
  } else {
    io.stdout(
      renderTable(
        ['worker', 'instance', 'pid', 'state', 'health', 'rss MB', 'lag ms', 'progress', 'handled', 'restarts', 'note'],
        rows.map((r) => [r.worker, r.instance, r.pid, r.state, r.health, r.rssMB, r.loopLagMs, r.lastProgressAgoS === null ? 'never' : `${r.lastProgressAgoS}s ago`, r.eventsHandled, r.restarts, r.note ?? '']),
      ),
    );
    if (silent.length > 0) io.stdout(`not heard: ${silent.join(', ')}\n`);
  }
  return 0;
}

/**
 * `stale` when the beats stopped; `waiting` when a running worker says it cannot work yet (its
 * detail state starts with `waiting`, e.g. a listener without certificates), so an idle worker
 * does not pass for a healthy one; `ok` otherwise.
 */
function healthOf(beat: HealthPayload, stale: boolean): 'stale' | 'waiting' | 'ok' {
  if (stale) return 'stale';
  const state = beat.detail?.state;
  return typeof state === 'string' && state.startsWith('waiting') ? 'waiting' : 'ok';
}
