import { describe, expect, it } from 'vitest';
import { createRng, freshSeed } from './random.js';

describe('the seeded random source is deterministic', () => {
  it('repeats the same draws for the same seed and differs for another', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const da = Array.from({ length: 20 }, () => a.uint32());
    expect(Array.from({ length: 20 }, () => b.uint32())).toEqual(da);
    expect(Array.from({ length: 20 }, () => c.uint32())).not.toEqual(da);
  });
  it('separates seeds that differ only above 32 bits', () => {
    expect(createRng(1).uint32()).not.toBe(createRng(2 ** 32 + 1).uint32());
  });
  it('keeps int() within bounds, inclusive, and reaches both ends', () => {
    const r = createRng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(1, 3);
      expect(v).toBeGreaterThanOrEqual(1);
      expect(v).toBeLessThanOrEqual(3);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });
  it('samples distinct elements and refuses impossible requests', () => {
    const r = createRng(5);
    const s = r.sample(['a', 'b', 'c', 'd'], 3);
    expect(new Set(s).size).toBe(3);
    expect(() => r.sample(['a'], 2)).toThrow(RangeError);
    expect(() => r.choice([])).toThrow(RangeError);
  });
  it('keeps floats in [0, 1) and honours chance() extremes', () => {
    const r = createRng(11);
    for (let i = 0; i < 1000; i++) {
      const f = r.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
    expect(r.chance(0)).toBe(false);
    expect(r.chance(1)).toBe(true);
  });
  it('rejects negative and fractional seeds, and draws fresh seeds as safe integers', () => {
    expect(() => createRng(-1)).toThrow(RangeError);
    expect(() => createRng(1.5)).toThrow(RangeError);
    expect(Number.isSafeInteger(freshSeed())).toBe(true);
  });
});
