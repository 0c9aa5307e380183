// The seeded random source every generator draws from (xoshiro128**, seeded through
// splitmix32). Same seed, same draws, on every platform: generation never calls Math.random.
import { randomInt } from 'node:crypto';

/** Largest seed accepted: seeds are integers that survive a JSON round trip exactly. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/** A deterministic pseudo-random source. Not for secrets. */
export interface Rng {
  /** The seed this source started from. */
  readonly seed: number;
  /** A uniform 32-bit unsigned integer. */
  uint32(): number;
  /** A uniform float in [0, 1). */
  float(): number;
  /** A uniform integer in [min, max], both inclusive. Throws RangeError when max < min. */
  int(min: number, max: number): number;
  /** One uniform element of a non-empty list. Throws RangeError on an empty list. */
  choice<T>(items: readonly T[]): T;
  /** `k` distinct elements drawn without replacement, in draw order. Throws RangeError when k > length. */
  sample<T>(items: readonly T[], k: number): T[];
  /** True with probability `p` (p <= 0 never, p >= 1 always; both still consume one draw). */
  chance(p: number): boolean;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Creates a deterministic random source for `seed` (an integer in [0, {@link MAX_SEED}]).
 * Throws RangeError for a negative, fractional or too large seed.
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer in [0, ${MAX_SEED}], got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  const mix = splitmix32(lo ^ Math.imul(hi, 0x632be5ab));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix() | 1; // never the all-zero state
  const uint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d >>> 0, 11);
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    return result;
  };
  const below = (n: number): number => {
    // Rejection sampling keeps the draw unbiased for any n up to 2^32.
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
    for (;;) {
      const x = uint32();
      if (x < limit) return x % n;
    }
  };
  const rng: Rng = {
    seed,
    uint32,
    float: () => uint32() / 0x1_0000_0000,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new RangeError(`bad range [${min}, ${max}]`);
      return min + below(max - min + 1);
    },
    choice(items) {
      if (items.length === 0) throw new RangeError('choice from an empty list');
      return items[below(items.length)] as (typeof items)[number];
    },
    sample(items, k) {
      if (k > items.length || k < 0) throw new RangeError(`cannot sample ${k} of ${items.length}`);
      const pool = items.slice();
      const out: (typeof items)[number][] = [];
      for (let i = 0; i < k; i++) {
        const j = i + below(pool.length - i);
        const picked = pool[j] as (typeof items)[number];
        pool[j] = pool[i] as (typeof items)[number];
        pool[i] = picked;
        out.push(picked);
      }
      return out;
    },
    chance: (p) => rng.float() < p,
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A fresh seed from the operating system's CSPRNG, for runs where the operator gave none. */
export function freshSeed(): number {
  return randomInt(0, 2 ** 48 - 1);
}
