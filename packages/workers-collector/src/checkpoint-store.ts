// File-tail checkpoints: for each tailed path, which file (device, inode, birth time, head
// fingerprint) was being read and up to which byte offset every line has been acknowledged by
// the bus. Kept in one small JSON file, replaced atomically (write, fsync, rename).
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { everyNth, type Logger } from '@decnet/core';
import * as z from 'zod/mini';

/** Format version of the checkpoint file. */
const CHECKPOINT_VERSION = 1;

/** Where one tailed path stands. */
export interface FileCheckpoint {
  /** Identity of the file being read: device and inode (decimal strings) and birth time (ns). */
  readonly dev: string;
  readonly ino: string;
  readonly birth: string;
  /** SHA-256 (hex) of the file's first line (at most 4 KiB): tells a reused inode from the same file. */
  readonly head: string;
  /** Truncations seen on this inode; part of the id generation so rewritten offsets get new ids. */
  readonly truncations: number;
  /** Every line before this byte offset was published (or deliberately skipped). */
  readonly offset: number;
}

const checkpointSchema = z.object({
  dev: z.string(),
  ino: z.string(),
  birth: z.string(),
  head: z.string(),
  truncations: z.number().check(z.int(), z.nonnegative()),
  offset: z.number().check(z.int(), z.nonnegative()),
});

const fileSchema = z.object({
  version: z.literal(CHECKPOINT_VERSION),
  files: z.record(z.string(), checkpointSchema),
});

/**
 * The checkpoint file. `set` updates memory; `flush` persists if anything changed. A missing or
 * unreadable file starts empty (with one warning for an unreadable one): the cost is a replay,
 * which stable event ids make harmless.
 */
export class CheckpointStore {
  private files = new Map<string, FileCheckpoint>();
  private dirty = false;
  private writing: Promise<void> | undefined;
  private readonly warnWrite: (meta?: Record<string, unknown>) => number;

  private constructor(
    readonly path: string,
    log: Logger,
  ) {
    this.warnWrite = everyNth(log, 'warn', 'checkpoint file could not be written');
  }

  /** Loads `path` (absent → empty). Never throws. */
  static async load(path: string, log: Logger): Promise<CheckpointStore> {
    const store = new CheckpointStore(path, log);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        log.warn('checkpoint file unreadable; tailing files from their start', { path, reason: (err as Error).message });
      }
      return store;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const result = fileSchema.safeParse(parsed);
    if (!result.success) {
      log.warn('checkpoint file is not valid; tailing files from their start', { path });
      return store;
    }
    store.files = new Map(Object.entries(result.data.files));
    return store;
  }

  /** The checkpoint of `filePath`, if any. */
  get(filePath: string): FileCheckpoint | undefined {
    return this.files.get(filePath);
  }

  /** Records a new position for `filePath` (persisted by the next flush). */
  set(filePath: string, checkpoint: FileCheckpoint): void {
    this.files.set(filePath, checkpoint);
    this.dirty = true;
  }

  /** Writes the file if anything changed since the last write. Never throws. */
  async flush(): Promise<void> {
    // One write at a time; a flush requested meanwhile writes the newer state after it.
    while (this.writing) await this.writing;
    if (!this.dirty) return;
    this.dirty = false;
    const snapshot = JSON.stringify({ version: CHECKPOINT_VERSION, files: Object.fromEntries(this.files) });
    this.writing = this.write(snapshot).finally(() => (this.writing = undefined));
    await this.writing;
  }

  private async write(text: string): Promise<void> {
    const tmp = `${this.path}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      const handle = await open(tmp, 'w', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, this.path);
    } catch (err) {
      this.dirty = true;
      this.warnWrite({ path: this.path, reason: (err as Error).message });
    }
  }
}
