// Memory of a process as the kernel accounts it: PSS and RSS from /proc/<pid>/smaps_rollup.
import { readFileSync } from 'node:fs';

/** PSS and RSS of one process, in MiB. */
export interface ProcessMemory {
  readonly pssMB: number;
  readonly rssMB: number;
}

function field(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!m) throw new Error(`${name} missing from smaps_rollup`);
  return Number(m[1]);
}

const round = (kb: number): number => Math.round((kb / 1024) * 10) / 10;

/**
 * Reads `/proc/<pid>/smaps_rollup`.
 * @throws when the process is gone or the kernel lacks smaps_rollup (Linux < 4.14).
 */
export function readProcessMemory(pid: number): ProcessMemory {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return { pssMB: round(field(text, 'Pss')), rssMB: round(field(text, 'Rss')) };
}
