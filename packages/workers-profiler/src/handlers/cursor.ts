// The profiler's position in `logs`, stored in `state` and advanced in the same transaction as the
// profiles. `logs.id` comes from a sequence, and concurrent ingester transactions can commit a
// higher id before a lower one; a plain "last id" cursor would then skip the lower row forever.
// So the cursor also remembers the holes below it (ranges of ids not yet seen) for a grace
// period: a hole that fills in is processed late, one still empty after the grace period is an
// id burned by a rollback or an ON CONFLICT DO NOTHING and is forgotten. Pure.
import * as z from 'zod/mini';

/** The `state` key of the cursor (upstream's). */
export const CURSOR_STATE_KEY = 'attacker_worker_cursor';

/** Ids below the cursor not yet seen, since `sinceMs` (when the hole was first noticed). */
export interface GapRange {
  lo: number;
  hi: number;
  sinceMs: number;
}

/** The cursor: everything up to `lastLogId` has been folded in, except the ids in `gaps`. */
export interface CursorState {
  lastLogId: number;
  gaps: GapRange[];
}

/** Result of {@link advanceCursor}. */
export interface CursorAdvance {
  readonly next: CursorState;
  /** Ids given up on (the hole outlived the grace period, or too many holes). */
  readonly abandonedIds: number;
}

const storedSchema = z.object({
  last_log_id: z.number().check(z.int(), z.gte(0)),
  gaps: z.optional(z.array(z.tuple([z.number().check(z.int()), z.number().check(z.int()), z.number()]))),
});

/** A fresh cursor (nothing processed). */
export function initialCursor(): CursorState {
  return { lastLogId: 0, gaps: [] };
}

/**
 * Reads the stored value: upstream's `{last_log_id}`, optionally with `gaps`.
 * @returns the cursor, or a message saying why the value is unusable.
 */
export function parseCursor(value: unknown): CursorState | { invalid: string } {
  const parsed = storedSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { invalid: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
  }
  return {
    lastLogId: parsed.data.last_log_id,
    gaps: (parsed.data.gaps ?? []).filter(([lo, hi]) => lo <= hi).map(([lo, hi, sinceMs]) => ({ lo, hi, sinceMs })),
  };
}

/** The JSON stored under {@link CURSOR_STATE_KEY}. */
export function cursorValue(cursor: CursorState, nowMs: number): { last_log_id: number; gaps: [number, number, number][]; updated_at: string } {
  return {
    last_log_id: cursor.lastLogId,
    gaps: cursor.gaps.map((g) => [g.lo, g.hi, g.sinceMs]),
    updated_at: new Date(nowMs).toISOString(),
  };
}

function subtract(range: GapRange, filled: readonly number[]): GapRange[] {
  const out: GapRange[] = [];
  let lo = range.lo;
  for (const id of filled) {
    if (id < lo || id > range.hi) continue;
    if (id > lo) out.push({ lo, hi: id - 1, sinceMs: range.sinceMs });
    lo = id + 1;
  }
  if (lo <= range.hi) out.push({ lo, hi: range.hi, sinceMs: range.sinceMs });
  return out;
}

/**
 * The cursor after a batch.
 * @param prev the cursor the batch started from
 * @param newIds ids read above `prev.lastLogId` (any order)
 * @param filledIds ids read inside `prev.gaps`
 * @param nowMs wall clock
 * @param graceMs how long a hole is waited for
 * @param maxRanges most holes remembered; the oldest beyond that are given up
 */
export function advanceCursor(
  prev: CursorState,
  newIds: readonly number[],
  filledIds: readonly number[],
  nowMs: number,
  graceMs: number,
  maxRanges: number,
): CursorAdvance {
  let abandonedIds = 0;
  const filled = [...filledIds].sort((a, b) => a - b);
  const gaps: GapRange[] = [];
  for (const range of prev.gaps) {
    for (const rest of subtract(range, filled)) {
      if (nowMs - rest.sinceMs > graceMs) abandonedIds += rest.hi - rest.lo + 1;
      else gaps.push(rest);
    }
  }
  let last = prev.lastLogId;
  for (const id of [...newIds].sort((a, b) => a - b)) {
    if (id <= last) continue;
    if (id > last + 1) gaps.push({ lo: last + 1, hi: id - 1, sinceMs: nowMs });
    last = id;
  }
  if (gaps.length > maxRanges) {
    gaps.sort((a, b) => a.sinceMs - b.sinceMs || a.lo - b.lo);
    for (const dropped of gaps.splice(0, gaps.length - maxRanges)) abandonedIds += dropped.hi - dropped.lo + 1;
  }
  gaps.sort((a, b) => a.lo - b.lo);
  return { next: { lastLogId: last, gaps }, abandonedIds };
}
