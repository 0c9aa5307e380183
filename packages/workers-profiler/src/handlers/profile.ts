// One attacker's profile as the profiler maintains it: the `attackers` columns it owns, the
// behaviour record, and the accumulator that lets a batch of new events be folded in without
// re-reading history. Merging is order-independent (first-contact order, phase bounds and
// timing all accept late events). Pure.
import * as z from 'zod/mini';
import type { ProfileEvent } from './event-kinds.js';
import {
  behaviorOf,
  cloneTiming,
  emptyTiming,
  insertTimestampOrApproximate,
  roundTo,
  timingStats,
  type BehaviorClass,
  type TimingState,
  type TimingStats,
} from './timing.js';
import { toolGuesses } from './tools.js';

/** Commands kept per attacker (the most recent); the raw lines stay in `logs`. */
export const MAX_COMMANDS = 500;
/** Fingerprint bounties copied onto the attacker row (the first ones). */
export const MAX_FINGERPRINTS = 50;
/** Separator of a traversal path (upstream's). */
export const TRAVERSAL_SEPARATOR = ' → ';
/** Version of the persisted accumulator; another version is rebuilt from `logs`. */
export const PROFILE_STATE_VERSION = 1;

/** One command an attacker ran. */
export interface CommandEntry {
  /** Event time, ISO 8601 UTC. */
  ts: string;
  decky: string;
  service: string;
  command: string;
}

/** The accumulator persisted beside the behaviour record (`attacker_behavior.profile_state`). */
export interface ProfileState {
  v: typeof PROFILE_STATE_VERSION;
  timing: TimingState;
  /** Each decky's first contact: [epoch ms, logs.id] (the id breaks ties in event order). */
  deckyFirst: Record<string, [number, number]>;
  /** Latest reconnaissance event. */
  reconEndMs: number | null;
  /** Earliest action-on-objectives event. */
  exfilStartMs: number | null;
  largePayloadCount: number;
  /** Tools named by HTTP headers, in first-seen order. */
  headerTools: string[];
}

/**
 * The accumulator as stored: the recent timestamps become offsets back from the last one (a
 * few digits each instead of thirteen), since this JSON is rewritten for every touched attacker.
 */
export interface StoredProfileState extends Omit<ProfileState, 'timing'> {
  timing: Omit<TimingState, 'recent'> & { recentBack: number[] };
}

/** The stored form of an accumulator. */
export function encodeState(state: ProfileState): StoredProfileState {
  const { recent, ...timing } = state.timing;
  const last = timing.lastMs ?? 0;
  return { ...state, timing: { ...timing, recentBack: recent.map((ms) => last - ms) } };
}

/** The accumulator of a stored form. */
export function decodeState(stored: StoredProfileState): ProfileState {
  const { recentBack, ...timing } = stored.timing;
  const last = timing.lastMs ?? 0;
  return { ...stored, timing: { ...timing, recent: recentBack.map((d) => last - d) } };
}

/** An attacker's profile: what the profiler owns of the `attackers` row, plus the accumulator. */
export interface AttackerProfile {
  ip: string;
  firstSeenMs: number;
  lastSeenMs: number;
  eventCount: number;
  /** Sorted. */
  services: string[];
  /** Ascending by time, at most {@link MAX_COMMANDS}. */
  commands: CommandEntry[];
  state: ProfileState;
}

/** Counts read from `bounty` and `credentials` for an address. */
export interface ExternalCounts {
  bountyCount: number;
  credentialCount: number;
  fingerprints: unknown[];
}

/** The `attackers` columns the profiler writes. */
export interface AttackerRecord {
  ip: string;
  firstSeen: Date;
  lastSeen: Date;
  eventCount: number;
  serviceCount: number;
  deckyCount: number;
  services: string[];
  deckies: string[];
  traversalPath: string | null;
  isTraversal: boolean;
  bountyCount: number;
  credentialCount: number;
  fingerprints: unknown[];
  commands: CommandEntry[];
}

/** The `attacker_behavior` columns the profiler writes. */
export interface BehaviorRecord {
  behaviorClass: BehaviorClass;
  beaconIntervalS: number | null;
  beaconJitterPct: number | null;
  toolGuesses: string[];
  /** Upstream's timing_stats (shown to operators). */
  timingStats: TimingStats;
  /** The accumulator (`profile_state`, private to the profiler). */
  profileState: StoredProfileState;
  phaseSequence: PhaseSequence;
}

/** Recon-to-action timing (upstream's phase_sequence). */
export interface PhaseSequence {
  recon_end_ts: string | null;
  exfil_start_ts: string | null;
  /** exfil_start - recon_end in seconds, only when that is >= 0. */
  exfil_latency_s: number | null;
  large_payload_count: number;
}

/** What `attacker.scored` reports; a change in any of these publishes it. */
export type Score = {
  event_count: number;
  service_count: number;
  decky_count: number;
  bounty_count: number;
  credential_count: number;
  is_traversal: boolean;
  behavior_class: BehaviorClass;
};

/** An empty profile for `ip`. */
export function emptyProfile(ip: string): AttackerProfile {
  return {
    ip,
    firstSeenMs: Number.POSITIVE_INFINITY,
    lastSeenMs: Number.NEGATIVE_INFINITY,
    eventCount: 0,
    services: [],
    commands: [],
    state: {
      v: PROFILE_STATE_VERSION,
      timing: emptyTiming(),
      deckyFirst: {},
      reconEndMs: null,
      exfilStartMs: null,
      largePayloadCount: 0,
      headerTools: [],
    },
  };
}

function cloneProfile(p: AttackerProfile): AttackerProfile {
  return {
    ...p,
    services: [...p.services],
    commands: [...p.commands],
    state: {
      ...p.state,
      timing: cloneTiming(p.state.timing),
      deckyFirst: { ...p.state.deckyFirst },
      headerTools: [...p.state.headerTools],
    },
  };
}

/** Orders events by time, then by `logs.id` (the order in which they were stored). */
export function byTimeThenId(a: ProfileEvent, b: ProfileEvent): number {
  return a.ms - b.ms || a.id - b.id;
}

/** Result of {@link applyEvents}. */
export interface AppliedEvents {
  readonly profile: AttackerProfile;
  /** Events older than the timing window, whose gaps were approximated (see insertTimestampOrApproximate). */
  readonly approximated: number;
}

/** Folds `events` (all for `profile.ip`, not yet counted, any order) into a copy of `profile`. */
export function applyEvents(profile: AttackerProfile, events: readonly ProfileEvent[]): AppliedEvents {
  const next = cloneProfile(profile);
  let approximated = 0;
  const sorted = [...events].sort(byTimeThenId);
  const services = new Set(next.services);
  const newCommands: CommandEntry[] = [];
  for (const e of sorted) {
    if (insertTimestampOrApproximate(next.state.timing, e.ms) === 'approximate') approximated++;
    next.eventCount++;
    next.firstSeenMs = Math.min(next.firstSeenMs, e.ms);
    next.lastSeenMs = Math.max(next.lastSeenMs, e.ms);
    services.add(e.service);
    const first = next.state.deckyFirst[e.decky];
    if (first === undefined || e.ms < first[0] || (e.ms === first[0] && e.id < first[1])) {
      next.state.deckyFirst[e.decky] = [e.ms, e.id];
    }
    if (e.recon) next.state.reconEndMs = Math.max(next.state.reconEndMs ?? e.ms, e.ms);
    if (e.exfil) next.state.exfilStartMs = Math.min(next.state.exfilStartMs ?? e.ms, e.ms);
    if (e.largePayload) next.state.largePayloadCount++;
    for (const tool of e.headerTools) if (!next.state.headerTools.includes(tool)) next.state.headerTools.push(tool);
    if (e.command !== null) {
      newCommands.push({ ts: new Date(e.ms).toISOString(), decky: e.decky, service: e.service, command: e.command });
    }
  }
  next.services = [...services].sort();
  if (newCommands.length > 0) {
    // Stable sort keeps stored order for equal times; ISO strings of one format sort as times.
    const merged = [...next.commands, ...newCommands].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    next.commands = merged.slice(Math.max(0, merged.length - MAX_COMMANDS));
  }
  return { profile: next, approximated };
}

/** A profile built from an address's complete history (sorted first, so every insertion is exact). */
export function profileFromEvents(ip: string, events: readonly ProfileEvent[]): AttackerProfile {
  return applyEvents(emptyProfile(ip), [...events].sort(byTimeThenId)).profile;
}

/** Deckies in first-contact order. */
export function deckiesOf(profile: AttackerProfile): string[] {
  return Object.entries(profile.state.deckyFirst)
    .sort(([, a], [, b]) => a[0] - b[0] || a[1] - b[1])
    .map(([name]) => name);
}

/** The `attackers` columns of a profile. */
export function attackerRecord(profile: AttackerProfile, counts: ExternalCounts): AttackerRecord {
  const deckies = deckiesOf(profile);
  const isTraversal = deckies.length >= 2;
  return {
    ip: profile.ip,
    firstSeen: new Date(profile.firstSeenMs),
    lastSeen: new Date(profile.lastSeenMs),
    eventCount: profile.eventCount,
    serviceCount: profile.services.length,
    deckyCount: deckies.length,
    services: profile.services,
    deckies,
    traversalPath: isTraversal ? deckies.join(TRAVERSAL_SEPARATOR) : null,
    isTraversal,
    bountyCount: counts.bountyCount,
    credentialCount: counts.credentialCount,
    fingerprints: counts.fingerprints.slice(0, MAX_FINGERPRINTS),
    commands: profile.commands,
  };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The `attacker_behavior` columns of a profile. */
export function behaviorRecord(profile: AttackerProfile): BehaviorRecord {
  const stats = timingStats(profile.state.timing);
  const behavior = behaviorOf(stats, profile.services.length);
  const { reconEndMs, exfilStartMs } = profile.state;
  const latency = reconEndMs !== null && exfilStartMs !== null ? (exfilStartMs - reconEndMs) / 1000 : null;
  return {
    ...behavior,
    toolGuesses: toolGuesses(profile.state.headerTools, stats.mean, stats.cv),
    timingStats: stats,
    profileState: encodeState(profile.state),
    phaseSequence: {
      recon_end_ts: iso(reconEndMs),
      exfil_start_ts: iso(exfilStartMs),
      exfil_latency_s: latency !== null && latency >= 0 ? roundTo(latency, 3) : null,
      large_payload_count: profile.state.largePayloadCount,
    },
  };
}

/** The scored fields of a record pair. */
export function scoreOf(record: AttackerRecord, behavior: Pick<BehaviorRecord, 'behaviorClass'>): Score {
  return {
    event_count: record.eventCount,
    service_count: record.serviceCount,
    decky_count: record.deckyCount,
    bounty_count: record.bountyCount,
    credential_count: record.credentialCount,
    is_traversal: record.isTraversal,
    behavior_class: behavior.behaviorClass,
  };
}

/** True when two scores differ in any field. */
export function scoreChanged(before: Score | undefined, after: Score): boolean {
  if (before === undefined) return true;
  return (Object.keys(after) as (keyof Score)[]).some((k) => before[k] !== after[k]);
}

const finite = z.number().check(z.refine(Number.isFinite));
const count = z.number().check(z.int(), z.gte(0));
// The timing arrays can hold hundreds of numbers per attacker and are read every batch: they are
// checked by a plain loop below rather than element by element through the schema.
const numbers = z.custom<number[]>((v) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)));
const timingSchema = z.object({
  n: count,
  k: count,
  firstMs: z.nullable(finite),
  lastMs: z.nullable(finite),
  sumSq: finite,
  minGap: z.nullable(finite),
  maxOld: z.nullable(finite),
  gaps: z.nullable(numbers),
  hist: z.nullable(z.record(z.string(), count)),
  recentBack: numbers,
});
const stateSchema = z.object({
  v: z.literal(PROFILE_STATE_VERSION),
  timing: timingSchema,
  deckyFirst: z.record(z.string(), z.tuple([finite, finite])),
  reconEndMs: z.nullable(finite),
  exfilStartMs: z.nullable(finite),
  largePayloadCount: count,
  headerTools: z.array(z.string()),
});
const servicesSchema = z.array(z.string());
const commandsSchema = z.array(z.object({ ts: z.string(), decky: z.string(), service: z.string(), command: z.string() }));

/** What the store reads back for an existing attacker. */
export interface StoredAttacker {
  ip: string;
  firstSeen: Date;
  lastSeen: Date;
  eventCount: number;
  services: unknown;
  commands: unknown;
  /** `attacker_behavior.profile_state`. */
  profileState: unknown;
}

/**
 * The profile stored for an attacker, or `undefined` when the accumulator is missing, of another
 * version, malformed, or disagrees with the row's event count (then the caller rebuilds it from
 * `logs`). Never throws.
 */
export function profileFromStored(row: StoredAttacker): AttackerProfile | undefined {
  const state = stateSchema.safeParse(row.profileState);
  if (!state.success) return undefined;
  if (state.data.timing.n !== row.eventCount || state.data.timing.k !== Math.max(0, row.eventCount - 1)) return undefined;
  const services = servicesSchema.safeParse(row.services);
  const commands = commandsSchema.safeParse(row.commands);
  if (!services.success || !commands.success) return undefined;
  return {
    ip: row.ip,
    firstSeenMs: row.firstSeen.getTime(),
    lastSeenMs: row.lastSeen.getTime(),
    eventCount: row.eventCount,
    services: [...services.data].sort(),
    commands: commands.data,
    state: decodeState(state.data as StoredProfileState),
  };
}
