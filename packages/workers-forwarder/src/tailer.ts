// Tails one log file across rotations: complete lines with their byte offsets, per file
// "generation". A generation is one inode holding one content history; renaming the file away
// (logrotate's default) keeps the old generation open until it is read to the end, and
// truncation (copytruncate), detected by size or by a changed first line, starts a new one.
// Each generation's stream id is derived from its inode and first line, so it is the same
// after a restart, with or without saved state.
import { createHash } from 'node:crypto';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { GenerationIdentity, SavedGeneration } from './state.js';

/** Bytes of a generation's first line that identify it. */
export const HEAD_BYTES = 256;
/** Bytes read per call. */
const READ_CHUNK = 64 * 1024;
/**
 * A rotated-away file whose last line has no newline yet is shipped as it is once the file has
 * not grown for this long (its writer has moved to the new file).
 */
export const ROTATE_GRACE_MS = 2_000;

const LF = 10;

/** One complete line. */
export interface TailLine {
  readonly generation: GenerationIdentity;
  /** Offset of the line's first byte in its generation. */
  readonly offset: number;
  /** Offset just past the line's newline (where the next line starts). */
  readonly end: number;
  /** The line without its newline. */
  readonly bytes: Buffer;
}

/** Counters of the tailer (reported in health). */
export interface TailerCounters {
  /** Lines longer than the cap, skipped. */
  oversized: number;
  /** Files renamed or deleted away from the path. */
  rotations: number;
  /** Truncations and in-place replacements detected. */
  truncations: number;
  /** Rotated files that could not be found again after a restart (their unacknowledged tail is lost). */
  lostRotated: number;
  /** Bytes read. */
  bytesRead: number;
}

/** Something the tailer wants logged. */
export type TailerNotice =
  | { kind: 'rotated'; path: string }
  | { kind: 'truncated'; path: string; how: 'shrunk' | 'replaced' }
  | { kind: 'resumed'; path: string; offset: number; rotatedCopy: boolean }
  | { kind: 'restarted'; path: string; reason: string };

/** The id a generation has at the listener: URL-safe, 22 characters, derived from inode and first line. */
export function streamId(fileId: string, head: Buffer): string {
  return createHash('sha256').update(fileId).update('\0').update(head).digest('base64url').slice(0, 22);
}

/** The head of a file: its first line, cut at {@link HEAD_BYTES}; null while that is not yet known. */
function headOf(bytes: Buffer, complete: boolean): Buffer | null {
  const nl = bytes.indexOf(LF);
  if (nl >= 0) return bytes.subarray(0, Math.min(nl, HEAD_BYTES));
  if (bytes.length >= HEAD_BYTES) return bytes.subarray(0, HEAD_BYTES);
  return complete && bytes.length > 0 ? bytes : null;
}

class Generation {
  identity: GenerationIdentity | null = null;
  head: Buffer | null = null;
  readPos = 0;
  lineStart = 0;
  partial: Buffer[] = [];
  partialBytes = 0;
  skipping = false;
  final = false;
  size = 0;
  lastGrowthAt: number;

  constructor(
    readonly path: string,
    readonly fh: FileHandle,
    readonly fileId: string,
    now: number,
  ) {
    this.lastGrowthAt = now;
  }

  /** Forget the content: the file was truncated or replaced in place. */
  reset(now: number): void {
    this.identity = null;
    this.head = null;
    this.readPos = 0;
    this.lineStart = 0;
    this.partial = [];
    this.partialBytes = 0;
    this.skipping = false;
    this.lastGrowthAt = now;
  }

  setHead(head: Buffer): void {
    this.head = Buffer.from(head);
    this.identity = { fileId: this.fileId, head: this.head.toString('base64'), stream: streamId(this.fileId, this.head) };
  }

  async readAt(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.fh.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  }
}

function fileIdOf(s: { dev: bigint; ino: bigint }): string {
  return `${s.dev}:${s.ino}`;
}

async function statOrNull(path: string): Promise<{ dev: bigint; ino: bigint; size: bigint } | null> {
  try {
    const s = await stat(path, { bigint: true });
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

/** Options of {@link Tailer}. */
export interface TailerOptions {
  /** Longer lines are skipped and counted. */
  readonly maxLineBytes: number;
  /** @default Date.now */
  readonly now?: () => number;
  readonly notify?: (notice: TailerNotice) => void;
  /** Called when the set of generations changes (opened, rotated, truncated, finished): save them. */
  readonly onChange?: () => void;
}

/**
 * Reads complete lines of `path` in order across rotations. Not thread-safe by itself: every
 * public method is serialised internally, so a poll never interleaves with a read.
 */
export class Tailer {
  readonly counters: TailerCounters = { oversized: 0, rotations: 0, truncations: 0, lostRotated: 0, bytesRead: 0 };
  /** Generations in reading order: the first is being read, the last is the file at the path. */
  private gens: Generation[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly now: () => number;

  private constructor(
    readonly path: string,
    private readonly options: TailerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Opens `path`, resuming each saved generation still found (at the path or, rotated, beside
   * it, with the same first line) at its saved offset, then the file at the path from the start
   * if it is a new one.
   */
  static async open(path: string, saved: readonly SavedGeneration[] | null, options: TailerOptions): Promise<Tailer> {
    const tailer = new Tailer(path, options);
    await tailer.serial(() => tailer.resume(saved));
    return tailer;
  }

  /** Bytes in the file(s) not read yet, as of the last poll. */
  get lagBytes(): number {
    return this.gens.reduce((sum, g) => sum + Math.max(0, g.size - g.readPos) + g.partialBytes, 0);
  }

  /** Generations held open. */
  get openFiles(): number {
    return this.gens.length;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async openGeneration(path: string): Promise<Generation | null> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch {
      return null;
    }
    const s = await fh.stat({ bigint: true });
    const gen = new Generation(path, fh, fileIdOf(s), this.now());
    gen.size = Number(s.size);
    return gen;
  }

  private async readHead(gen: Generation, complete = false): Promise<Buffer | null> {
    return headOf(await gen.readAt(0, HEAD_BYTES + 1), complete);
  }

  /** Adopts a saved generation when the file still starts with the saved first line. */
  private async adopt(gen: Generation, saved: SavedGeneration): Promise<boolean> {
    if (gen.fileId !== saved.fileId || gen.size < saved.offset) return false;
    const head = await this.readHead(gen);
    if (saved.head !== null) {
      if (!head || head.toString('base64') !== saved.head) return false;
    } else if (saved.offset > 0) return false;
    if (head) gen.setHead(head);
    gen.readPos = saved.offset;
    gen.lineStart = saved.offset;
    return true;
  }

  private async resume(saved: readonly SavedGeneration[] | null): Promise<void> {
    const notify = this.options.notify ?? (() => undefined);
    const current = await statOrNull(this.path);
    const currentId = current ? fileIdOf(current) : null;
    for (const entry of saved ?? []) {
      if (this.gens.some((g) => g.fileId === entry.fileId)) continue;
      const atPath = entry.fileId === currentId;
      const where = atPath ? this.path : await this.findRotated(entry.fileId);
      const gen = where ? await this.openGeneration(where) : null;
      if (gen && (await this.adopt(gen, entry))) {
        gen.final = !atPath;
        this.gens.push(gen);
        notify({ kind: 'resumed', path: where as string, offset: entry.offset, rotatedCopy: !atPath });
      } else {
        await gen?.fh.close();
        if (!atPath) this.counters.lostRotated++;
        notify({
          kind: 'restarted',
          path: where ?? this.path,
          reason: atPath ? 'the file was truncated or replaced since the saved position' : 'a saved file was rotated away and not found beside it',
        });
      }
    }
    if (current && !this.gens.some((g) => g.fileId === currentId && !g.final)) {
      const gen = await this.openGeneration(this.path);
      if (gen) this.gens.push(gen);
    }
  }

  /** The generations held, in reading order (for the saved state). */
  generations(): { fileId: string; head: string | null }[] {
    return this.gens.map((g) => ({ fileId: g.fileId, head: g.head ? g.head.toString('base64') : null }));
  }

  /** A file in the path's directory with inode `fileId` (a rotated copy), or null. */
  private async findRotated(fileId: string): Promise<string | null> {
    let names: string[];
    try {
      names = await readdir(dirname(this.path));
    } catch {
      return null;
    }
    for (const name of names) {
      const candidate = join(dirname(this.path), name);
      const s = await statOrNull(candidate);
      if (s && fileIdOf(s) === fileId) return candidate;
    }
    return null;
  }

  /** Notices growth, rotation (rename, delete) and truncation of the file at the path. */
  poll(): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return;
      const notify = this.options.notify ?? (() => undefined);
      const last = this.gens.at(-1);
      const atPath = await statOrNull(this.path);
      if (last && !last.final) {
        if (!atPath || fileIdOf(atPath) !== last.fileId) {
          last.final = true;
          this.counters.rotations++;
          notify({ kind: 'rotated', path: this.path });
          this.changed();
        } else {
          const size = Number((await last.fh.stat({ bigint: true })).size);
          const grew = size !== last.size;
          if (size > last.size) last.lastGrowthAt = this.now();
          last.size = size;
          let replaced: 'shrunk' | 'replaced' | null = size < last.readPos ? 'shrunk' : null;
          if (!replaced && grew && last.head) {
            const now = await last.readAt(0, last.head.length);
            if (!now.equals(last.head)) replaced = 'replaced';
          }
          if (replaced) {
            last.reset(this.now());
            this.counters.truncations++;
            notify({ kind: 'truncated', path: this.path, how: replaced });
            this.changed();
          }
        }
      }
      // A rotated-away file may still be written to until its writer reopens the path.
      for (const gen of this.gens) {
        if (!gen.final) continue;
        const size = Number((await gen.fh.stat({ bigint: true })).size);
        if (size > gen.size) gen.lastGrowthAt = this.now();
        gen.size = size;
      }
      const tail = this.gens.at(-1);
      if (atPath && (!tail || tail.final) && !this.gens.some((g) => g.fileId === fileIdOf(atPath))) {
        const gen = await this.openGeneration(this.path);
        if (gen) {
          this.gens.push(gen);
          this.changed();
        }
      }
    });
  }

  /**
   * Reads complete lines, oldest generation first, until `maxLines` lines or at least
   * `maxBytes` bytes. Empty lines are skipped; lines over the cap are skipped and counted.
   */
  read(maxLines: number, maxBytes: number): Promise<TailLine[]> {
    return this.serial(async () => {
      const lines: TailLine[] = [];
      let bytes = 0;
      while (!this.closed && lines.length < maxLines && bytes < maxBytes) {
        const gen = this.gens[0];
        if (!gen) break;
        if (!gen.identity) {
          const settled = gen.final && this.now() - gen.lastGrowthAt >= ROTATE_GRACE_MS;
          const head = await this.readHead(gen, settled);
          if (head) {
            gen.setHead(head);
            this.changed();
          } else if (settled) {
            await this.drop(gen);
            continue;
          } else break;
        }
        const chunk = await gen.readAt(gen.readPos, READ_CHUNK);
        if (chunk.length === 0) {
          if (!gen.final) break;
          if (this.now() - gen.lastGrowthAt < ROTATE_GRACE_MS) break;
          // The writer has moved on: an unterminated last line is as complete as it will get.
          if (gen.partialBytes > 0 && !gen.skipping) {
            const line = Buffer.concat(gen.partial);
            lines.push({ generation: gen.identity as GenerationIdentity, offset: gen.lineStart, end: gen.readPos, bytes: line });
            bytes += line.length;
          }
          await this.drop(gen);
          continue;
        }
        this.counters.bytesRead += chunk.length;
        const base = gen.readPos;
        gen.readPos += chunk.length;
        gen.size = Math.max(gen.size, gen.readPos);
        let start = 0;
        for (let nl = chunk.indexOf(LF); nl !== -1; nl = chunk.indexOf(LF, start)) {
          const piece = chunk.subarray(start, nl);
          const length = gen.partialBytes + piece.length;
          const end = base + nl + 1;
          if (gen.skipping) {
            gen.skipping = false;
          } else if (length > this.options.maxLineBytes) {
            this.counters.oversized++;
          } else if (length > 0) {
            const line = gen.partialBytes === 0 ? Buffer.from(piece) : Buffer.concat([...gen.partial, piece]);
            lines.push({ generation: gen.identity as GenerationIdentity, offset: gen.lineStart, end, bytes: line });
            bytes += line.length;
          }
          gen.partial = [];
          gen.partialBytes = 0;
          gen.lineStart = end;
          start = nl + 1;
          if (lines.length >= maxLines || bytes >= maxBytes) {
            // Leave the rest of the chunk for the next read.
            gen.readPos = end;
            start = chunk.length;
            break;
          }
        }
        if (start < chunk.length && !gen.skipping) {
          const rest = chunk.subarray(start);
          if (gen.partialBytes + rest.length > this.options.maxLineBytes) {
            // Too long to ship: stop buffering it and skip to its newline.
            this.counters.oversized++;
            gen.skipping = true;
            gen.partial = [];
            gen.partialBytes = 0;
          } else {
            gen.partial.push(Buffer.from(rest));
            gen.partialBytes += rest.length;
          }
        }
      }
      return lines;
    });
  }

  private async drop(gen: Generation): Promise<void> {
    this.gens.splice(this.gens.indexOf(gen), 1);
    await gen.fh.close().catch(() => undefined);
    this.changed();
  }

  private changed(): void {
    this.options.onChange?.();
  }

  /** Closes every file. Idempotent. */
  close(): Promise<void> {
    return this.serial(async () => {
      if (this.closed) return;
      this.closed = true;
      for (const gen of this.gens.splice(0)) await gen.fh.close().catch(() => undefined);
    });
  }
}
