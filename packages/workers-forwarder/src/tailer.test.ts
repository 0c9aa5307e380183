import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SavedGeneration } from './state.js';
import { ROTATE_GRACE_MS, Tailer, type TailLine } from './tailer.js';

let dir: string;
let file: string;
let clock: number;
const tailers: Tailer[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'decnet-tailer-'));
  file = join(dir, 'agent.log');
  clock = 1_000_000;
});
afterEach(async () => {
  for (const t of tailers.splice(0)) await t.close();
  rmSync(dir, { recursive: true, force: true });
});

async function open(saved: SavedGeneration[] | null = null, maxLineBytes = 1024): Promise<Tailer> {
  const t = await Tailer.open(file, saved, { maxLineBytes, now: () => clock });
  tailers.push(t);
  return t;
}
const text = (lines: TailLine[]): string[] => lines.map((l) => l.bytes.toString());
const readAll = async (t: Tailer): Promise<TailLine[]> => {
  await t.poll();
  return t.read(10_000, 10_000_000);
};
const positionAfter = (line: TailLine): SavedGeneration[] => [{ fileId: line.generation.fileId, head: line.generation.head, offset: line.end }];

describe('the tailer yields complete lines with their byte offsets', () => {
  it('reads lines, keeps a partial last line until its newline arrives, and skips empty lines', async () => {
    writeFileSync(file, 'one\n\ntwo\nthr');
    const t = await open();
    const first = await readAll(t);
    expect(text(first)).toEqual(['one', 'two']);
    expect(first.map((l) => [l.offset, l.end])).toEqual([
      [0, 4],
      [5, 9],
    ]);
    appendFileSync(file, 'ee\r\nfour\n');
    const second = await readAll(t);
    expect(text(second)).toEqual(['three\r', 'four']);
    expect(second[0]?.offset).toBe(9);
    expect(new Set([...first, ...second].map((l) => l.generation.stream)).size).toBe(1);
  });

  it('skips lines over the cap, counting them, without buffering them', async () => {
    writeFileSync(file, `short\n${'x'.repeat(5000)}\nafter\n${'y'.repeat(3000)}`);
    const t = await open(null, 1024);
    expect(text(await readAll(t))).toEqual(['short', 'after']);
    appendFileSync(file, 'yyy\nlast\n');
    const more = await readAll(t);
    expect(text(more)).toEqual(['last']);
    expect(t.counters.oversized).toBe(2);
  });

  it('gives the same stream and offsets to the same file on every open', async () => {
    writeFileSync(file, 'alpha\nbeta\n');
    const a = await readAll(await open());
    const b = await readAll(await open());
    expect(b.map((l) => [l.generation.stream, l.offset])).toEqual(a.map((l) => [l.generation.stream, l.offset]));
  });

  it('waits for a file that does not exist yet', async () => {
    const t = await open();
    expect(await readAll(t)).toEqual([]);
    writeFileSync(file, 'late\n');
    expect(text(await readAll(t))).toEqual(['late']);
  });
});

describe('rotation and truncation lose no line', () => {
  it('drains a file renamed away (including what its writer appends late) before the new one', async () => {
    writeFileSync(file, 'a1\na2\n');
    const t = await open();
    expect(text(await t.read(10, 1_000_000))).toEqual(['a1', 'a2']);
    renameSync(file, `${file}.1`);
    appendFileSync(`${file}.1`, 'a3\na4-unterminated');
    writeFileSync(file, 'b1\n');
    const during = await readAll(t);
    expect(text(during)).toEqual(['a3']);
    clock += ROTATE_GRACE_MS;
    const after = await readAll(t);
    expect(text(after)).toEqual(['a4-unterminated', 'b1']);
    expect(after[0]?.generation.stream).toBe(during[0]?.generation.stream);
    expect(after[1]?.generation.stream).not.toBe(after[0]?.generation.stream);
    expect(after[1]?.offset).toBe(0);
    expect(t.counters.rotations).toBe(1);
    expect(t.openFiles).toBe(1);
  });

  it('drains a file deleted while being read', async () => {
    writeFileSync(file, 'a1\n');
    const t = await open();
    await t.poll();
    unlinkSync(file);
    expect(text(await readAll(t))).toEqual(['a1']);
    writeFileSync(file, 'b1\n');
    clock += ROTATE_GRACE_MS;
    expect(text(await readAll(t))).toEqual(['b1']);
  });

  it('starts a new generation when the file is truncated (copytruncate)', async () => {
    writeFileSync(file, 'old-1\nold-2\n');
    const t = await open();
    const before = await readAll(t);
    truncateSync(file, 0);
    await t.poll();
    appendFileSync(file, 'new-1\n');
    const after = await readAll(t);
    expect(text(after)).toEqual(['new-1']);
    expect(after[0]?.offset).toBe(0);
    expect(after[0]?.generation.stream).not.toBe(before[0]?.generation.stream);
    expect(t.counters.truncations).toBe(1);
  });

  it('notices a copytruncate that regrew past the old offset between two polls, by its first line', async () => {
    writeFileSync(file, 'old-1\n');
    const t = await open();
    await readAll(t);
    writeFileSync(file, 'brand-new-first-line\nnext\n');
    const after = await readAll(t);
    expect(text(after)).toEqual(['brand-new-first-line', 'next']);
    expect(t.counters.truncations).toBe(1);
  });
});

describe('the tailer resumes from an acknowledged position', () => {
  it('continues after the saved line in the same file', async () => {
    writeFileSync(file, 'l1\nl2\nl3\n');
    const first = await readAll(await open());
    const t = await open(positionAfter(first[1] as TailLine));
    expect(text(await readAll(t))).toEqual(['l3']);
  });

  it('finds the saved file renamed beside the path, drains it from the position, then reads the new file', async () => {
    writeFileSync(file, 'l1\nl2\nl3\n');
    const first = await readAll(await open());
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'n1\n');
    const t = await open(positionAfter(first[0] as TailLine));
    clock += ROTATE_GRACE_MS;
    const lines = await readAll(t);
    expect(text(lines)).toEqual(['l2', 'l3', 'n1']);
    expect(lines[0]?.generation.stream).toBe(first[0]?.generation.stream);
  });

  it('resumes every saved generation in order: two rotated copies, then the file at the path', async () => {
    writeFileSync(file, 'a1\na2\n');
    const a = await readAll(await open());
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'b1\n');
    const b = await readAll(await open());
    renameSync(`${file}.1`, `${file}.2`);
    renameSync(file, `${file}.1`);
    writeFileSync(file, 'c1\n');
    const [firstA, firstB] = [a[0] as TailLine, b[0] as TailLine];
    const saved = [
      { fileId: firstA.generation.fileId, head: firstA.generation.head, offset: firstA.end },
      { fileId: firstB.generation.fileId, head: firstB.generation.head, offset: 0 },
    ];
    const t = await open(saved);
    clock += ROTATE_GRACE_MS;
    expect(text(await readAll(t))).toEqual(['a2', 'b1', 'c1']);
    expect(t.generations().map((g) => g.head)).toEqual([Buffer.from('c1').toString('base64')]);
  });

  it('starts over when the saved file was truncated and rewritten, and counts a rotated file that is gone', async () => {
    writeFileSync(file, 'l1\nl2\n');
    const first = await readAll(await open());
    writeFileSync(file, 'other-start\n');
    expect(text(await readAll(await open(positionAfter(first[1] as TailLine))))).toEqual(['other-start']);
    writeFileSync(file, 'g1\n');
    const gone = await readAll(await open());
    renameSync(file, join(dir, 'gone'));
    rmSync(join(dir, 'gone'));
    writeFileSync(file, 'fresh\n');
    const t = await open(positionAfter(gone[0] as TailLine));
    expect(text(await readAll(t))).toEqual(['fresh']);
    expect(t.counters.lostRotated).toBe(1);
  });
});
