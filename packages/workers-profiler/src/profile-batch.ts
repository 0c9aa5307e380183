// One profiler batch, one transaction (under the profiler lock): read the cursor and the next logs
// rows, fold them into the touched attackers' profiles, write them and advance the cursor together,
// so a crash neither loses nor double-counts an event. The SQL is @decnet/db's repositories'.
import {
  addSmtpTargets,
  addressesWithLogs,
  bountySummaryByAddress,
  credentialCountByAddress,
  deleteSmtpTargets,
  forEachLogChunkOf,
  linkCredentialsToAttackers,
  lockForTransaction,
  maxLogId,
  readAttackerProfiles,
  readLogsAfter,
  readLogsInRanges,
  readOrInitState,
  updateState,
  upsertBehaviors,
  withTransaction,
  writeAttackerProfiles,
  type AttackerProfileWrite,
  type BehaviorWrite,
  type Pool,
  type Queryable,
  type SmtpTargetCount,
  type StoredAttackerProfile,
  type StoredLogRow,
  type WrittenAttacker,
} from '@decnet/db';
import { advanceCursor, CURSOR_STATE_KEY, cursorValue, initialCursor, parseCursor, type CursorState } from './handlers/cursor.js';
import { toProfileEvent, type LogRow, type ProfileEvent, type SkipReason } from './handlers/event-kinds.js';
import {
  applyEvents,
  attackerRecord,
  behaviorRecord,
  byTimeThenId,
  emptyProfile,
  profileFromStored,
  scoreChanged,
  scoreOf,
  type AttackerProfile,
  type AttackerRecord,
  type BehaviorRecord,
  type ExternalCounts,
  type Score,
} from './handlers/profile.js';
import { CursorCorruptError } from './errors.js';

/** Advisory lock key serialising profiler instances (ASCII "decnprof"). */
export const PROFILER_LOCK_KEY = '7234316421143383910';
/** Holes below the cursor remembered at once; beyond this the oldest are given up (and counted). */
export const MAX_GAP_RANGES = 2_000;
/** Rows fetched per round trip while rebuilding one address's profile from its history. */
const REBUILD_FETCH_ROWS = 5_000;
/** Fingerprint payloads copied onto an attacker row (the bounty table keeps them all). */
const MAX_FINGERPRINTS = 50;

/** `attacker.observed`: an address seen for the first time (published after its row committed). */
export interface ObservedNotice {
  readonly attackerUuid: string;
  readonly payload: {
    attacker_ip: string;
    attacker_uuid: string;
    decky: string;
    service: string;
    event_type: string;
    first_seen: string;
  };
}

/** `attacker.scored`: an attacker whose scored fields changed. */
export interface ScoredNotice {
  readonly attackerUuid: string;
  readonly payload: Score & { attacker_ip: string; attacker_uuid: string };
}

/** What one batch did. */
export interface BatchResult {
  /** Rows read (new and hole-filling). */
  readonly rows: number;
  /** Rows read above the cursor: equal to the batch size means more are probably waiting. */
  readonly newRows: number;
  /** Attacker events folded in. */
  readonly events: number;
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  readonly attackersInserted: number;
  readonly attackersUpdated: number;
  /** Profiles rebuilt from `logs` because their stored accumulator was unusable. */
  readonly rebuilt: number;
  /** Events older than the timing window whose gaps were approximated. */
  readonly approximated: number;
  readonly abandonedIds: number;
  readonly cursor: CursorState;
  readonly observed: readonly ObservedNotice[];
  readonly scored: readonly ScoredNotice[];
}

function toLogRow(r: StoredLogRow): LogRow {
  return {
    id: Number(r.id),
    ms: r.timestamp.getTime(),
    decky: r.decky,
    service: r.service,
    eventType: r.event_type,
    attackerIp: r.attacker_ip,
    fields: r.fields ?? {},
    msg: r.msg,
  };
}

async function readCursor(tx: Queryable): Promise<CursorState> {
  const value = await readOrInitState(tx, CURSOR_STATE_KEY, { last_log_id: 0 });
  if (value === undefined) return initialCursor();
  const parsed = parseCursor(value);
  if ('invalid' in parsed) throw new CursorCorruptError(CURSOR_STATE_KEY, parsed.invalid);
  return parsed;
}

/** Rebuilds one address's profile from its stored history, streaming it oldest first. */
async function rebuildProfile(
  tx: Queryable,
  ip: string,
  cursor: CursorState,
): Promise<{ profile: AttackerProfile; smtp: Map<string, SmtpCount>; first: ProfileEvent | undefined }> {
  let profile = emptyProfile(ip);
  let first: ProfileEvent | undefined;
  const smtp = new Map<string, SmtpCount>();
  // Ids still in a hole are left out: they are folded in when they appear.
  await forEachLogChunkOf(tx, ip, cursor.lastLogId, cursor.gaps, REBUILD_FETCH_ROWS, (rows) => {
    const events: ProfileEvent[] = [];
    for (const row of rows) {
      const e = toProfileEvent(toLogRow(row));
      if (typeof e !== 'string') events.push(e);
    }
    first ??= events[0];
    profile = applyEvents(profile, events).profile;
    addSmtp(smtp, events);
  });
  return { profile, smtp, first };
}

interface SmtpCount {
  count: number;
  first: number;
  last: number;
}

function addSmtp(into: Map<string, SmtpCount>, events: readonly ProfileEvent[]): void {
  for (const e of events) {
    for (const domain of e.smtpDomains) {
      const c = into.get(domain);
      if (c) {
        c.count++;
        c.first = Math.min(c.first, e.ms);
        c.last = Math.max(c.last, e.ms);
      } else {
        into.set(domain, { count: 1, first: e.ms, last: e.ms });
      }
    }
  }
}

function storedScore(row: StoredAttackerProfile): Score {
  return {
    event_count: row.event_count,
    service_count: row.service_count,
    decky_count: row.decky_count,
    bounty_count: row.bounty_count,
    credential_count: row.credential_count,
    is_traversal: row.is_traversal,
    behavior_class: (row.behavior_class ?? 'unknown') as Score['behavior_class'],
  };
}

interface Planned {
  ip: string;
  /** The attacker's uuid when its row existed at the start of the batch. */
  uuid: string | undefined;
  record: AttackerRecord;
  behavior: BehaviorRecord;
  first: ProfileEvent;
  before: Score | undefined;
  smtp: Map<string, SmtpCount>;
  rebuilt: boolean;
}

const attackerWrite = ({ record: r, uuid }: Planned): AttackerProfileWrite => ({
  uuid,
  ip: r.ip,
  first_seen: r.firstSeen,
  last_seen: r.lastSeen,
  event_count: r.eventCount,
  service_count: r.serviceCount,
  decky_count: r.deckyCount,
  services: r.services,
  deckies: r.deckies,
  traversal_path: r.traversalPath,
  is_traversal: r.isTraversal,
  bounty_count: r.bountyCount,
  credential_count: r.credentialCount,
  fingerprints: r.fingerprints,
  commands: r.commands,
});

const behaviorWrite = (p: Planned, uuids: ReadonlyMap<string, WrittenAttacker>): BehaviorWrite => ({
  attacker_uuid: uuids.get(p.ip)?.uuid,
  behavior_class: p.behavior.behaviorClass,
  beacon_interval_s: p.behavior.beaconIntervalS,
  beacon_jitter_pct: p.behavior.beaconJitterPct,
  tool_guesses: p.behavior.toolGuesses,
  timing_stats: p.behavior.timingStats,
  profile_state: p.behavior.profileState,
  phase_sequence: p.behavior.phaseSequence,
});

async function writeSmtp(tx: Queryable, planned: readonly Planned[], uuids: ReadonlyMap<string, WrittenAttacker>): Promise<void> {
  // A rebuilt profile counted its whole history again: its old counts go first.
  await deleteSmtpTargets(tx, planned.filter((p) => p.rebuilt).map((p) => uuids.get(p.ip)?.uuid));
  const rows: SmtpTargetCount[] = [];
  for (const p of planned) {
    const uuid = uuids.get(p.ip)?.uuid;
    if (uuid === undefined) continue;
    for (const [domain, c] of p.smtp) rows.push({ attacker_uuid: uuid, domain, first_seen: new Date(c.first), last_seen: new Date(c.last), count: c.count });
  }
  await addSmtpTargets(tx, rows);
}

/**
 * Folds the next batch of `logs` rows in one transaction (see the file header). Profiler
 * instances take turns through an advisory lock, so two never fold the same rows.
 * @param nowMs wall clock, for hole bookkeeping
 * @throws CursorCorruptError when the stored cursor is unusable; the driver's error otherwise
 *   (the transaction is rolled back: nothing of the batch is stored, the cursor does not move).
 */
export async function runBatch(pool: Pool, batchSize: number, gapGraceMs: number, nowMs: number): Promise<BatchResult> {
  return withTransaction(pool, async (tx) => {
    await lockForTransaction(tx, PROFILER_LOCK_KEY);
    const cursor = await readCursor(tx);
    const fresh = (await readLogsAfter(tx, cursor.lastLogId, batchSize)).map(toLogRow);
    const filled = (await readLogsInRanges(tx, cursor.gaps)).map(toLogRow);
    const advance = advanceCursor(
      cursor,
      fresh.map((r) => r.id),
      filled.map((r) => r.id),
      nowMs,
      gapGraceMs,
      MAX_GAP_RANGES,
    );
    const next = advance.next;

    const skipped: Partial<Record<SkipReason, number>> = {};
    const byIp = new Map<string, ProfileEvent[]>();
    for (const row of [...filled, ...fresh]) {
      const e = toProfileEvent(row);
      if (typeof e === 'string') {
        skipped[e] = (skipped[e] ?? 0) + 1;
        continue;
      }
      const list = byIp.get(e.ip);
      if (list) list.push(e);
      else byIp.set(e.ip, [e]);
    }
    const ips = [...byIp.keys()].sort();
    let events = 0;
    let rebuilt = 0;
    let approximated = 0;
    const planned: Planned[] = [];
    if (ips.length > 0) {
      const existing = await readAttackerProfiles(tx, ips);
      const bounties = await bountySummaryByAddress(tx, ips, MAX_FINGERPRINTS);
      const missing = ips.filter((ip) => !existing.has(ip));
      // Addresses without an attacker row that nevertheless have stored history (a deleted
      // attacker): their profile is rebuilt from all of it, not started from this batch.
      const withHistory = missing.length === 0 || cursor.lastLogId === 0 ? new Set<string>() : await addressesWithLogs(tx, missing, cursor.lastLogId);
      const credentials = await credentialCountByAddress(tx, ips);
      for (const ip of ips) {
        const batch = (byIp.get(ip) as ProfileEvent[]).sort(byTimeThenId);
        events += batch.length;
        const row = existing.get(ip);
        const stored =
          row === undefined
            ? emptyProfile(ip)
            : profileFromStored({
                ip,
                firstSeen: row.first_seen,
                lastSeen: row.last_seen,
                eventCount: row.event_count,
                services: row.services,
                commands: row.commands,
                profileState: row.profile_state,
              });
        let profile: AttackerProfile;
        let smtp = new Map<string, SmtpCount>();
        let first = batch[0] as ProfileEvent;
        let isRebuilt = false;
        if (stored === undefined || withHistory.has(ip)) {
          // The row exists but its accumulator does not (or is unusable), or the row is gone but
          // its history is not: rebuild from `logs`, which already holds this batch's rows.
          const r = await rebuildProfile(tx, ip, next);
          ({ profile, smtp } = r);
          first = r.first ?? first;
          isRebuilt = true;
          rebuilt++;
        } else {
          const applied = applyEvents(stored, batch);
          profile = applied.profile;
          approximated += applied.approximated;
          addSmtp(smtp, batch);
        }
        const b = bounties.get(ip);
        const counts: ExternalCounts = {
          bountyCount: b?.count ?? 0,
          credentialCount: credentials.get(ip) ?? 0,
          fingerprints: b?.fingerprints ?? [],
        };
        const record = attackerRecord(profile, counts);
        planned.push({
          ip,
          uuid: row?.uuid,
          record,
          behavior: behaviorRecord(profile),
          first,
          before: row === undefined ? undefined : storedScore(row),
          smtp,
          rebuilt: isRebuilt,
        });
      }
    }

    const observed: ObservedNotice[] = [];
    const scored: ScoredNotice[] = [];
    let inserted = 0;
    if (planned.length > 0) {
      // New addresses, and any row deleted since it was read, are inserted.
      const uuids = await writeAttackerProfiles(tx, planned.map(attackerWrite));
      await upsertBehaviors(tx, planned.map((p) => behaviorWrite(p, uuids)));
      await writeSmtp(tx, planned, uuids);
      await linkCredentialsToAttackers(tx, ips);
      for (const p of planned) {
        const id = uuids.get(p.ip);
        if (id === undefined) continue;
        if (id.inserted) {
          inserted++;
          observed.push({
            attackerUuid: id.uuid,
            payload: {
              attacker_ip: p.ip,
              attacker_uuid: id.uuid,
              decky: p.first.decky,
              service: p.first.service,
              event_type: p.first.eventType,
              first_seen: p.record.firstSeen.toISOString(),
            },
          });
        }
        const score = scoreOf(p.record, p.behavior);
        if (scoreChanged(p.before, score)) {
          scored.push({ attackerUuid: id.uuid, payload: { attacker_ip: p.ip, attacker_uuid: id.uuid, ...score } });
        }
      }
    }
    await updateState(tx, CURSOR_STATE_KEY, cursorValue(next, nowMs));
    return {
      rows: fresh.length + filled.length,
      newRows: fresh.length,
      events,
      skipped,
      attackersInserted: inserted,
      attackersUpdated: planned.length - inserted,
      rebuilt,
      approximated,
      abandonedIds: advance.abandonedIds,
      cursor: next,
      observed,
      scored,
    };
  });
}

/** How far behind the profiler is: rows above its cursor (an estimate from the id range). */
export async function backlogOf(db: Queryable, cursor: CursorState): Promise<number> {
  return Math.max(0, (await maxLogId(db)) - cursor.lastLogId);
}
