// The checkpoint file: round-trips positions, is replaced atomically, and treats a missing or
// damaged file as empty (a replay, harmless with stable ids) instead of failing.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, type Logger } from '@decnet/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointStore, type FileCheckpoint } from './checkpoint-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'collector-ckpt-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cp: FileCheckpoint = { dev: '64512', ino: '42', birth: '1795742373825623570', head: 'ab'.repeat(32), truncations: 1, offset: 1234 };

function recordingLog(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const log: Logger = { ...silentLogger, warn: (m) => void warnings.push(m), child: () => log };
  return { log, warnings };
}

describe('checkpoints survive a restart and never block one', () => {
  it('writes only when changed, creating the directory, and reads back what it wrote', async () => {
    const path = join(dir, 'nested', 'checkpoints.json');
    const store = await CheckpointStore.load(path, silentLogger);
    await store.flush();
    expect(existsSync(path)).toBe(false);
    store.set('/var/log/a.log', cp);
    await store.flush();
    expect(existsSync(`${path}.tmp`)).toBe(false);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, files: { '/var/log/a.log': cp } });
    expect((await CheckpointStore.load(path, silentLogger)).get('/var/log/a.log')).toEqual(cp);
  });
  it('starts empty, with a warning, from a damaged or foreign file', async () => {
    const path = join(dir, 'checkpoints.json');
    for (const text of ['{not json', JSON.stringify({ version: 2, files: {} }), JSON.stringify({ version: 1, files: { a: { offset: -1 } } })]) {
      writeFileSync(path, text);
      const { log, warnings } = recordingLog();
      const store = await CheckpointStore.load(path, log);
      expect(store.get('a')).toBeUndefined();
      expect(warnings).toHaveLength(1);
    }
  });
  it('keeps running when the file cannot be written, and writes once it can', async () => {
    writeFileSync(join(dir, 'blocker'), '');
    const { log, warnings } = recordingLog();
    const store = await CheckpointStore.load(join(dir, 'blocker', 'checkpoints.json'), log);
    store.set('/a', cp);
    await store.flush();
    expect(warnings.at(-1)).toBe('checkpoint file could not be written');
    rmSync(join(dir, 'blocker'));
    await store.flush();
    expect(JSON.parse(readFileSync(join(dir, 'blocker', 'checkpoints.json'), 'utf8')).files['/a']).toEqual(cp);
  });
});
