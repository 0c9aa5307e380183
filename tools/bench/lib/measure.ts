// What several benchmark scripts measure with: a process's memory and CPU time from /proc, MiB
// rounding, and a seeded PRNG so every run generates the same synthetic data. One copy instead
// of one per script. Every reader returns 0 for a process that is gone.
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100;

function kib(text: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Resident set (KiB) of `pid`, from /proc/<pid>/status. */
export function rssKib(pid: number): number {
  try {
    return kib(readFileSync(`/proc/${pid}/status`, 'utf8'), 'VmRSS');
  } catch {
    return 0;
  }
}

/** RSS and PSS (KiB) of `pid`; PSS is 0 where the kernel lacks smaps_rollup. */
export function memoryOf(pid: number): { rss: number; pss: number } {
  const rss = rssKib(pid);
  if (rss === 0) return { rss: 0, pss: 0 };
  try {
    return { rss, pss: kib(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss') };
  } catch {
    return { rss, pss: 0 };
  }
}

/** User + system CPU seconds `pid` has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** User + system CPU seconds of every process whose command name is `comm` (e.g. all Postgres backends). */
export function cpuSecondsOfCommand(comm: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== comm) continue;
    } catch {
      continue;
    }
    total += cpuSeconds(Number(entry));
  }
  return total;
}

/** KiB as MiB with one decimal. */
export const mib = (k: number): number => Math.round((k / 1024) * 10) / 10;

/** A deterministic PRNG (mulberry32): floats in [0, 1), the same sequence for the same seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
