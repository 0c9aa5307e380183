/**
 * The `profiler` worker: folds new `logs` rows into `attackers` and `attacker_behavior`
 * incrementally — a cursor in `state` advanced in the same transaction as the profiles, so a
 * restart neither replays the table nor loses or double-counts anything — and publishes
 * `attacker.observed` (after the new row committed) and `attacker.scored` (when a scored field
 * changed). Woken by the ingester's `system.log` `batch_committed`, with a database poll as
 * fallback. The pure parts (event kinds, timing and behaviour class, tool guesses, phase
 * sequence, traversal, cursor holes) are exported for tests and tools.
 *
 * ```ts
 * import { worker } from '@decnet/worker-profiler';
 * // DATABASE_URL=postgres://... KAFKA_BROKERS=127.0.0.1:9092 node dist/workers/profiler/main.js
 * ```
 * @module
 */
import type { WorkerSpec } from '@decnet/core';
import type { ProfilerOptions } from './options.js';
import { runProfiler, type ProfilerHooks } from './worker.js';

// errors.ts
export { CursorCorruptError } from './errors.js';
// The schema classification is @decnet/db's, shared by every database worker; re-exported here.
export { SchemaNotReadyError } from '@decnet/db';
// handlers/cursor.ts
export type { CursorAdvance, CursorState, GapRange } from './handlers/cursor.js';
export { CURSOR_STATE_KEY, advanceCursor, cursorValue, initialCursor, parseCursor } from './handlers/cursor.js';
// handlers/event-kinds.ts
export type { LogRow, ProfileEvent, SkipReason } from './handlers/event-kinds.js';
export {
  COMMAND_EVENT_TYPES,
  COMMAND_TEXT_FIELDS,
  EXFIL_EVENT_TYPES,
  INTERNAL_HOST_PREFIX,
  LARGE_PAYLOAD_BYTES,
  RECON_EVENT_TYPES,
  commandTextOf,
  toProfileEvent,
} from './handlers/event-kinds.js';
// handlers/profile.ts
export type {
  AppliedEvents,
  AttackerProfile,
  AttackerRecord,
  BehaviorRecord,
  CommandEntry,
  ExternalCounts,
  PhaseSequence,
  ProfileState,
  Score,
  StoredAttacker,
  StoredProfileState,
} from './handlers/profile.js';
export {
  MAX_COMMANDS,
  MAX_FINGERPRINTS,
  TRAVERSAL_SEPARATOR,
  applyEvents,
  attackerRecord,
  behaviorRecord,
  decodeState,
  deckiesOf,
  emptyProfile,
  encodeState,
  profileFromEvents,
  profileFromStored,
  scoreChanged,
  scoreOf,
} from './handlers/profile.js';
// handlers/smtp.ts
export { IGNORED_TLDS, domainOf, smtpDomainsOf } from './handlers/smtp.js';
// handlers/timing.ts
export type { BehaviorClass, TimingState, TimingStats } from './handlers/timing.js';
export {
  EXACT_GAP_LIMIT,
  RECENT_WINDOW,
  behaviorOf,
  classifyBehavior,
  emptyTiming,
  insertTimestamp,
  insertTimestampOrApproximate,
  timingFromTimestamps,
  timingStats,
} from './handlers/timing.js';
// handlers/tools.ts
export type { C2Cadence } from './handlers/tools.js';
export { C2_CADENCES, MAILER_TOOLS, USER_AGENT_TOOLS, c2ToolsFor, headerToolsOf, headerValues, toolGuesses } from './handlers/tools.js';
// options.ts
export type { CompiledProfilerOptions, ProfilerOptions } from './options.js';
export { PROFILER_DEFAULTS, compileProfilerOptions } from './options.js';
// profile-batch.ts
export type { BatchResult, ObservedNotice, ScoredNotice } from './profile-batch.js';
export { MAX_GAP_RANGES, PROFILER_LOCK_KEY, runBatch } from './profile-batch.js';
// worker.ts
export type { ProfilerCounters, ProfilerHooks } from './worker.js';
export { runProfiler } from './worker.js';

/** The worker's description in `decnet workers`. */
const DESCRIPTION = 'logs → attackers, attacker_behavior (incremental cursor, one transaction per batch); attacker.observed/scored';

/** A profiler with fixed option overrides and hooks (tests, embedding); {@link worker} reads the environment. */
export function createProfilerWorker(overrides: Partial<ProfilerOptions> = {}, hooks: ProfilerHooks = {}): WorkerSpec {
  return { name: 'profiler', needs: ['bus', 'db'], description: DESCRIPTION, run: (ctx) => runProfiler(ctx, overrides, hooks) };
}

/** The profiler worker, configured from DECNET_PROFILER_* (see {@link ProfilerOptions}). */
export const worker: WorkerSpec = createProfilerWorker();
