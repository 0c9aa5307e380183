// The cursor with holes: ids that are skipped because their transaction has not committed yet
// are picked up when they appear, and forgotten only after the grace period.
import { describe, expect, it } from 'vitest';
import { advanceCursor, cursorValue, initialCursor, parseCursor } from './cursor.js';

const GRACE = 60_000;

describe('the profiler cursor remembers holes below it until they fill or expire', () => {
  it('advances over contiguous ids without holes', () => {
    const { next, abandonedIds } = advanceCursor(initialCursor(), [1, 2, 3], [], 0, GRACE, 100);
    expect(next).toEqual({ lastLogId: 3, gaps: [] });
    expect(abandonedIds).toBe(0);
  });

  it('records a hole for ids missing between the ones read', () => {
    const { next } = advanceCursor({ lastLogId: 3, gaps: [] }, [4, 7, 8, 10], [], 1_000, GRACE, 100);
    expect(next).toEqual({
      lastLogId: 10,
      gaps: [
        { lo: 5, hi: 6, sinceMs: 1_000 },
        { lo: 9, hi: 9, sinceMs: 1_000 },
      ],
    });
  });

  it('removes ids that filled a hole, splitting the range', () => {
    const prev = { lastLogId: 20, gaps: [{ lo: 5, hi: 9, sinceMs: 0 }] };
    const { next } = advanceCursor(prev, [], [7], 1_000, GRACE, 100);
    expect(next.gaps).toEqual([
      { lo: 5, hi: 6, sinceMs: 0 },
      { lo: 8, hi: 9, sinceMs: 0 },
    ]);
    expect(advanceCursor(prev, [], [5, 6, 7, 8, 9], 1_000, GRACE, 100).next.gaps).toEqual([]);
  });

  it('gives up on a hole older than the grace period and counts its ids', () => {
    const prev = { lastLogId: 20, gaps: [{ lo: 5, hi: 9, sinceMs: 0 }] };
    const { next, abandonedIds } = advanceCursor(prev, [21], [], GRACE + 1, GRACE, 100);
    expect(next.gaps).toEqual([]);
    expect(abandonedIds).toBe(5);
  });

  it('keeps at most maxRanges holes, dropping the oldest', () => {
    const prev = { lastLogId: 10, gaps: [{ lo: 1, hi: 1, sinceMs: 0 }] };
    const { next, abandonedIds } = advanceCursor(prev, [12, 14], [], 5, GRACE, 2);
    expect(next.gaps.map((g) => g.lo)).toEqual([11, 13]);
    expect(abandonedIds).toBe(1);
  });

  it('stores upstream\'s {last_log_id} shape plus holes, and reads it back', () => {
    const cursor = { lastLogId: 42, gaps: [{ lo: 40, hi: 41, sinceMs: 5 }] };
    const stored = JSON.parse(JSON.stringify(cursorValue(cursor, 0)));
    expect(stored.last_log_id).toBe(42);
    expect(parseCursor(stored)).toEqual(cursor);
    expect(parseCursor({ last_log_id: 7 })).toEqual({ lastLogId: 7, gaps: [] });
  });

  it('rejects a value that is not a cursor instead of starting over', () => {
    expect(parseCursor({ position: 3 })).toHaveProperty('invalid');
    expect(parseCursor('garbage')).toHaveProperty('invalid');
    expect(parseCursor({ last_log_id: -1 })).toHaveProperty('invalid');
  });
});
