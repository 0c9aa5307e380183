// Tails one log file, rotation-aware: reads complete lines from the checkpointed offset,
// publishes them with ids derived from (file generation, byte offset, line), and advances the
// checkpoint only once the bus acknowledged every line before it. Detects rename rotation
// (the path's inode changes: the old file is drained first), truncation (size below the
// offset) and copytruncate that re-grew past the offset (the first line changed).
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { everyNth, sleep, type Logger } from '@decnet/core';
import type { CheckpointStore, FileCheckpoint } from './checkpoint-store.js';
import type { LineProcessor, PublishItem } from './line-processor.js';
import type { RetryingPublisher } from './publisher.js';

/** Bytes read per step: a few thousand lines, bounded memory per file. */
const READ_CHUNK_BYTES = 256 * 1024;
/** The head fingerprint covers the first line, at most this many bytes of it. */
export const HEAD_MAX_BYTES = 4096;
const LF = 10;

/** Counters of one tailed file (reported in health). */
export interface TailCounters {
  lines: number;
  /** Lines longer than the cap, skipped. */
  oversize: number;
  truncations: number;
  rotations: number;
  /** Bytes of an unterminated last line left behind in a rotated file. */
  partialAtRotation: number;
  readErrors: number;
}

/** What a tailer needs from the collector. */
export interface TailerDeps {
  readonly processor: LineProcessor;
  readonly publisher: RetryingPublisher;
  readonly checkpoints: CheckpointStore;
  readonly log: Logger;
  readonly maxLineBytes: number;
  readonly maxInflight: number;
  readonly pollMs: number;
}

interface OpenFile {
  readonly handle: FileHandle;
  readonly dev: string;
  readonly ino: string;
  readonly birth: string;
  head: string | undefined;
  truncations: number;
  offset: number;
  /** Size at the last head check; the head is re-checked when the size changes. */
  checkedSize: number;
  /** Inside a line longer than the cap: bytes are discarded up to the next LF. */
  skipping: boolean;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/**
 * SHA-256 of the file's first line (up to {@link HEAD_MAX_BYTES}); `undefined` while the file
 * holds neither a line feed in that range nor that many bytes (the head is not settled yet).
 */
export async function fileHead(handle: FileHandle, size: number): Promise<string | undefined> {
  if (size === 0) return undefined;
  const bytes = await readAt(handle, 0, Math.min(size, HEAD_MAX_BYTES));
  const lf = bytes.indexOf(LF);
  if (lf < 0 && bytes.length < HEAD_MAX_BYTES) return undefined;
  return createHash('sha256')
    .update(lf < 0 ? bytes : bytes.subarray(0, lf + 1))
    .digest('hex');
}

/** The id namespace of one file generation (same inode, birth, first line and truncation count). */
export function fileGeneration(file: Pick<FileCheckpoint, 'dev' | 'ino' | 'birth' | 'head' | 'truncations'>): string {
  return createHash('sha256')
    .update(`${file.dev}:${file.ino}:${file.birth}:${file.head}:${file.truncations}`)
    .digest('hex')
    .slice(0, 32);
}

/** One tailed path. `run` loops until the signal aborts. */
export class FileTailer {
  readonly counters: TailCounters = {
    lines: 0,
    oversize: 0,
    truncations: 0,
    rotations: 0,
    partialAtRotation: 0,
    readErrors: 0,
  };
  private file: OpenFile | undefined;
  private readonly warnRead: (meta?: Record<string, unknown>) => number;

  constructor(
    readonly path: string,
    private readonly deps: TailerDeps,
    private readonly signal: AbortSignal,
  ) {
    this.warnRead = everyNth(deps.log, 'warn', 'tailed file could not be read');
  }

  /** The acknowledged offset of the file being read, for health. */
  get offset(): number | undefined {
    return this.file?.offset;
  }

  /** Tails until the signal aborts, then closes the file. */
  async run(): Promise<void> {
    try {
      while (!this.signal.aborted) {
        try {
          await this.poll();
        } catch (err) {
          this.counters.readErrors++;
          this.warnRead({ path: this.path, reason: (err as Error).message });
        }
        await sleep(this.deps.pollMs, this.signal);
      }
    } finally {
      await this.file?.handle.close().catch(() => undefined);
      this.file = undefined;
    }
  }

  /** One pass: open if needed, read what is there, then check for rotation. */
  async poll(): Promise<void> {
    if (!this.file) {
      this.file = await this.openPath();
      if (!this.file) return;
    }
    await this.readAvailable(this.file);
    if (this.signal.aborted) return;
    const current = await stat(this.path, { bigint: true }).catch(() => undefined);
    // A missing path keeps the old handle: the writer may still append to it until it reopens.
    if (!current) return;
    const file = this.file;
    if (String(current.dev) === file.dev && String(current.ino) === file.ino) return;
    // Rotated: drain the old file, then follow the new one from its start.
    await this.readAvailable(file);
    if (this.signal.aborted) return;
    const { size } = await file.handle.stat();
    if (size > file.offset) this.counters.partialAtRotation += size - file.offset;
    await file.handle.close().catch(() => undefined);
    this.counters.rotations++;
    this.file = await this.openPath();
    if (this.file) await this.readAvailable(this.file);
  }

  private async openPath(): Promise<OpenFile | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return undefined;
    }
    try {
      const st = await handle.stat({ bigint: true });
      const size = Number(st.size);
      const identity = { dev: String(st.dev), ino: String(st.ino), birth: String(st.birthtimeNs) };
      const head = await fileHead(handle, size);
      const file: OpenFile = { handle, ...identity, head, truncations: 0, offset: 0, checkedSize: size, skipping: false };
      const saved = this.deps.checkpoints.get(this.path);
      if (saved && saved.dev === identity.dev && saved.ino === identity.ino && saved.birth === identity.birth) {
        if (saved.offset <= size && saved.head === head) {
          file.offset = saved.offset;
          file.truncations = saved.truncations;
        } else {
          // Same inode, different content: truncated (or rewritten) while we were away.
          file.truncations = saved.truncations + 1;
          this.counters.truncations++;
        }
      }
      this.deps.log.info('tailing file', { path: this.path, offset: file.offset, resumed: file.offset > 0 });
      return file;
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  private restart(file: OpenFile, reason: string): void {
    file.offset = 0;
    file.truncations++;
    file.head = undefined;
    file.skipping = false;
    this.counters.truncations++;
    this.deps.log.warn('tailed file was truncated; reading it again from the start', { path: this.path, reason });
  }

  private saveCheckpoint(file: OpenFile): void {
    if (file.head === undefined || file.skipping) return;
    this.deps.checkpoints.set(this.path, {
      dev: file.dev,
      ino: file.ino,
      birth: file.birth,
      head: file.head,
      truncations: file.truncations,
      offset: file.offset,
    });
  }

  /** Reads and publishes every complete line up to the current end of `file`. */
  private async readAvailable(file: OpenFile): Promise<void> {
    const { processor, publisher, maxLineBytes, maxInflight } = this.deps;
    const chunkBytes = Math.max(READ_CHUNK_BYTES, maxLineBytes + 1);
    while (!this.signal.aborted) {
      const size = Number((await file.handle.stat()).size);
      if (size < file.offset) {
        this.restart(file, 'size below offset');
      } else if (size !== file.checkedSize && file.head !== undefined) {
        const head = await fileHead(file.handle, size);
        if (head !== file.head) this.restart(file, 'first line changed');
      }
      file.checkedSize = size;
      if (file.head === undefined) {
        file.head = await fileHead(file.handle, size);
        if (file.head === undefined) return;
      }
      if (size <= file.offset) return;
      await publisher.whenBelow(maxInflight);
      const start = file.offset;
      const buffer = await readAt(file.handle, start, Math.min(chunkBytes, size - start));
      const generation = `file/${fileGeneration(file as FileCheckpoint)}`;
      const items: PublishItem[] = [];
      let pos = 0;
      let progressed = false;
      for (;;) {
        const lf = buffer.indexOf(LF, pos);
        if (file.skipping) {
          if (lf < 0) {
            pos = buffer.length;
            progressed = true;
            break;
          }
          file.skipping = false;
          pos = lf + 1;
          progressed = true;
          continue;
        }
        if (lf < 0) {
          if (buffer.length - pos > maxLineBytes) {
            // A line longer than the cap with no end in sight: discard it up to its LF.
            this.counters.oversize++;
            file.skipping = true;
            pos = buffer.length;
            progressed = true;
          }
          break;
        }
        progressed = true;
        const line = buffer.subarray(pos, lf);
        const position = start + pos;
        pos = lf + 1;
        if (line.length > maxLineBytes + 1) {
          this.counters.oversize++;
          continue;
        }
        const outcome = processor.process(line, 'file', generation, position);
        if (outcome.type === 'empty') continue;
        this.counters.lines++;
        if (outcome.type === 'publish') items.push(...outcome.items);
      }
      if (!progressed) return;
      if (items.length > 0) {
        const acknowledged = await publisher.publishAll(items);
        // Stopping mid-publish: keep the old offset so these lines are read (and deduplicated) again.
        // Not stopping: the bus refused an event for good; it was counted and is skipped.
        if (!acknowledged && this.signal.aborted) return;
      }
      file.offset = start + pos;
      this.saveCheckpoint(file);
    }
  }
}
