// The fleet's health as an operator reads it: the heartbeats of every worker instance, from the
// health file a running `decnet up` keeps (its bus lives only in its memory) or heard on the bus
// for a while, summarised per instance (stale, waiting, ok) with the workers not heard at all.
import { existsSync, readFileSync } from 'node:fs';
import { EVENTS, healthPayloadSchema, silentLogger, type DecnetConfig, type HealthPayload } from '@decnet/core';
import { openBusTransport } from '@decnet/host';
import { CATALOG } from './catalog.js';
import { upStatePaths } from './layouts.js';

/** A beat older than three periods means the worker is stale. */
const STALE_AFTER_PERIODS = 3;

/** The latest heartbeats of the embedded fleet, or undefined when no `decnet up` runs under `home`. */
export function readEmbeddedHealth(home: string): HealthPayload[] | undefined {
  const { pidFile, healthFile } = upStatePaths(home);
  if (!existsSync(pidFile) || !existsSync(healthFile)) return undefined;
  try {
    const { pid } = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number };
    process.kill(pid, 0);
    const raw = JSON.parse(readFileSync(healthFile, 'utf8')) as unknown[];
    return raw.flatMap((r) => {
      const p = healthPayloadSchema.safeParse(r);
      return p.success ? [p.data] : [];
    });
  } catch {
    return undefined;
  }
}

/** Listens on `system.*.health` for `seconds` and returns the latest beat of each worker instance. */
export async function listenForHeartbeats(config: DecnetConfig, seconds: number): Promise<HealthPayload[]> {
  const latest = new Map<string, HealthPayload>();
  const transport = await openBusTransport(config, silentLogger, AbortSignal.timeout(seconds * 1000));
  const bus = transport.connect('workers-status');
  bus.subscribe(
    EVENTS.health.pattern,
    (event) => {
      const p = healthPayloadSchema.safeParse(event.payload);
      if (p.success) latest.set(`${p.data.worker}/${p.data.instance}`, p.data);
    },
    { broadcast: true },
  );
  await new Promise((r) => setTimeout(r, seconds * 1000));
  await transport.close();
  return [...latest.values()];
}

/** One worker instance as `decnet worker status` shows it. */
export interface InstanceHealth {
  readonly worker: string;
  readonly instance: string;
  readonly pid: number;
  readonly state: HealthPayload['state'];
  readonly health: 'stale' | 'waiting' | 'ok';
  /** The worker's own `detail.state` (e.g. `waiting for certificates`), if any. */
  readonly note: string | null;
  readonly rssMB: number;
  readonly loopLagMs: number;
  readonly lastProgressAgoS: number | null;
  readonly eventsHandled: number;
  readonly restarts: number;
}

/** The fleet's health: catalogued instances heard, sorted, and catalogued workers not heard. */
export interface FleetHealth {
  readonly workers: InstanceHealth[];
  readonly silent: string[];
}

/**
 * Summarises heartbeats at `nowS` (epoch seconds): beats of workers outside the catalog are
 * ignored; a beat older than three heartbeat periods is stale.
 */
export function summariseHealth(beats: readonly HealthPayload[], healthIntervalMs: number, nowS = Date.now() / 1000): FleetHealth {
  const staleAfter = (healthIntervalMs / 1000) * STALE_AFTER_PERIODS;
  const known = new Set(CATALOG.map((w) => w.name));
  const workers = beats
    .filter((b) => known.has(b.worker))
    .sort((a, b) => a.worker.localeCompare(b.worker) || a.instance.localeCompare(b.instance))
    .map((b) => ({
      worker: b.worker,
      instance: b.instance,
      pid: b.pid,
      state: b.state,
      health: healthOf(b, nowS - b.ts > staleAfter),
      note: typeof b.detail?.state === 'string' ? b.detail.state : null,
      rssMB: Math.round((b.rssBytes / 1048576) * 10) / 10,
      loopLagMs: b.eventLoopLagMs,
      lastProgressAgoS: b.lastProgressTs === null ? null : Math.round(nowS - b.lastProgressTs),
      eventsHandled: b.eventsHandled,
      restarts: b.restarts,
    }));
  const heard = new Set(workers.map((r) => r.worker));
  return { workers, silent: [...known].filter((w) => !heard.has(w)) };
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
