// The forwarder's persisted position: the end of the last line the listener acknowledged, the
// file generation it belongs to, and every generation seen after it (rotations not yet
// delivered), so a restart finds them all. Written atomically (temp file + rename); a missing
// or unreadable state only means a resend from the start, harmless because ids are stable.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as z from 'zod/mini';

/** A file generation: the file (device and inode) and the content it started with. */
export interface GenerationIdentity {
  /** `<dev>:<ino>`. */
  readonly fileId: string;
  /** The generation's first line (at most 256 bytes), base64. */
  readonly head: string;
  /** Stream id derived from the two (see tailer.ts); names the generation at the listener. */
  readonly stream: string;
}

/** The acknowledged position: every line of `generation` ending at or before `offset` is durable. */
export interface AckedPosition extends GenerationIdentity {
  readonly offset: number;
}

/**
 * One file generation still to be delivered, as saved: the first is the one holding the
 * acknowledged position (`offset`); later ones (rotations seen since) start at 0. `head` is
 * null for a generation whose first line was not complete yet.
 */
export interface SavedGeneration {
  readonly fileId: string;
  readonly head: string | null;
  readonly offset: number;
}

const stateSchema = z.object({
  v: z.literal(1),
  file: z.string(),
  generations: z
    .array(
      z.object({
        fileId: z.string().check(z.regex(/^\d+:\d+$/)),
        head: z.nullable(z.string().check(z.maxLength(1024))),
        offset: z.number().check(z.int(), z.nonnegative()),
      }),
    )
    .check(z.maxLength(1000)),
  savedAt: z.string(),
});

/** What {@link loadState} found. */
export type LoadedState =
  | { generations: SavedGeneration[] }
  | { generations: null; reason: 'missing' | 'unreadable' | 'other_file' };

/** Reads the state for `file`; never throws on bad content. */
export async function loadState(path: string, file: string): Promise<LoadedState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { generations: null, reason: 'missing' };
    return { generations: null, reason: 'unreadable' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { generations: null, reason: 'unreadable' };
  }
  const result = stateSchema.safeParse(parsed);
  if (!result.success) return { generations: null, reason: 'unreadable' };
  if (result.data.file !== file) return { generations: null, reason: 'other_file' };
  return { generations: result.data.generations };
}

/** Writes the state atomically, creating its directory. */
export async function saveState(path: string, file: string, generations: readonly SavedGeneration[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  const body = { v: 1, file, generations, savedAt: new Date().toISOString() };
  await writeFile(tmp, JSON.stringify(body) + '\n', { mode: 0o600 });
  await rename(tmp, path);
}
