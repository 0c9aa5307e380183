// Tailing real files: lines are published once with ids derived from (file generation, offset),
// the checkpoint moves only after the bus acknowledged, restarts replay nothing acknowledged,
// and rename rotation, copytruncate and over-cap lines are handled.
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS, MemoryBroker, silentLogger, type Bus, type Envelope, type Payload, type PublishOptions } from '@decnet/core';
import { captureEvents, eventually } from '@decnet/core/testing';
import type { LogEventPayload } from '@decnet/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointStore } from './checkpoint-store.js';
import { FileTailer } from './file-tailer.js';
import { LineProcessor } from './line-processor.js';
import { COLLECTOR_DEFAULTS } from './options.js';
import { RetryingPublisher } from './publisher.js';

let dir: string;
let broker: MemoryBroker;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'collector-tail-'));
  broker = new MemoryBroker();
});
afterEach(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

const line = (n: number | string, event = 'request') =>
  `<134>1 2026-05-02T06:00:25Z decky-01 http - ${event} [relay@55555 src_ip="10.0.0.1" seq="${n}"]`;

/** A running tailer over `path`, publishing through `bus`. */
async function startTailer(path: string, bus: Bus, stateFile = join(dir, 'state.json'), maxLineBytes = 4096) {
  const controller = new AbortController();
  const checkpoints = await CheckpointStore.load(stateFile, silentLogger);
  const tailer = new FileTailer(
    path,
    {
      processor: new LineProcessor({ ...COLLECTOR_DEFAULTS, rlWindowSec: 0 }),
      publisher: new RetryingPublisher(bus, controller.signal, silentLogger),
      checkpoints,
      log: silentLogger,
      maxLineBytes,
      maxInflight: 1000,
      pollMs: 20,
    },
    controller.signal,
  );
  const running = tailer.run();
  return {
    tailer,
    checkpoints,
    stop: async () => {
      controller.abort();
      await running;
      await checkpoints.flush();
    },
  };
}

const seqs = (events: Envelope[]) => events.map((e) => (e.payload as LogEventPayload).fields.seq);

describe('a tailed file is published line by line, once', () => {
  it('reads existing lines, then appended ones; a partial line waits for its LF', async () => {
    const path = join(dir, 'decnet.log');
    writeFileSync(path, `${line(1)}\n${line(2)}\n`);
    const bus = broker.connect('collector');
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const t = await startTailer(path, bus);
    await seen.waitFor(2);
    appendFileSync(path, `${line(3)}\n${line(4).slice(0, 20)}`);
    await seen.waitFor(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.events).toHaveLength(3);
    appendFileSync(path, `${line(4).slice(20)}\n`);
    await seen.waitFor(4);
    await t.stop();
    expect(seqs(seen.events)).toEqual(['1', '2', '3', '4']);
    expect(seen.events[0]?.topic).toBe(EVENTS.logEvent.subject('http'));
  });

  it('gives identical lines at different offsets different ids', async () => {
    const path = join(dir, 'dup.log');
    writeFileSync(path, `${line('same')}\n${line('same')}\n`);
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const t = await startTailer(path, broker.connect('collector'));
    await seen.waitFor(2);
    await t.stop();
    expect(new Set(seen.events.map((e) => e.id)).size).toBe(2);
  });

  it('resumes after a restart without replaying, and reads what was appended meanwhile', async () => {
    const path = join(dir, 'resume.log');
    writeFileSync(path, `${line(1)}\n${line(2)}\n`);
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const first = await startTailer(path, broker.connect('collector'));
    await seen.waitFor(2);
    await first.stop();
    appendFileSync(path, `${line(3)}\n`);
    const second = await startTailer(path, broker.connect('collector'));
    await seen.waitFor(3);
    await new Promise((r) => setTimeout(r, 100));
    await second.stop();
    expect(seqs(seen.events)).toEqual(['1', '2', '3']);
    const saved = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { files: Record<string, { offset: number }> };
    expect(saved.files[path]?.offset).toBe(readFileSync(path).length);
  });

  it('replays with the same ids when the checkpoint file is lost', async () => {
    const path = join(dir, 'lost.log');
    writeFileSync(path, `${line(1)}\n${line(2)}\n`);
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const first = await startTailer(path, broker.connect('collector'), join(dir, 'a.json'));
    await seen.waitFor(2);
    await first.stop();
    const second = await startTailer(path, broker.connect('collector'), join(dir, 'b.json'));
    await seen.waitFor(4);
    await second.stop();
    expect(seen.events.slice(2).map((e) => e.id)).toEqual(seen.events.slice(0, 2).map((e) => e.id));
  });
});

describe('the checkpoint advances only after the bus acknowledged', () => {
  it('keeps the offset at 0 while publishes are pending', async () => {
    const path = join(dir, 'gated.log');
    writeFileSync(path, `${line(1)}\n`);
    const inner = broker.connect('collector');
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const gated: Bus = {
      clientName: inner.clientName,
      publish: async (s: string, p: Payload, o?: PublishOptions) => {
        await gate;
        await inner.publish(s, p, o);
      },
      subscribe: (...a) => inner.subscribe(...a),
      close: () => inner.close(),
      stats: () => inner.stats(),
    };
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const t = await startTailer(path, gated);
    await new Promise((r) => setTimeout(r, 150));
    await t.checkpoints.flush();
    expect(t.checkpoints.get(path)).toBeUndefined();
    open();
    await seen.waitFor(1);
    await eventually(() => t.checkpoints.get(path)?.offset === line(1).length + 1);
    await t.stop();
  });
});

describe('rotation, truncation and over-cap lines lose nothing good', () => {
  it('drains the old file after a rename rotation, then follows the new one', async () => {
    const path = join(dir, 'rot.log');
    writeFileSync(path, `${line(1)}\n`);
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const t = await startTailer(path, broker.connect('collector'));
    await seen.waitFor(1);
    renameSync(path, `${path}.1`);
    // The writer still holds the old file for a moment, then reopens the path.
    appendFileSync(`${path}.1`, `${line(2)}\n`);
    writeFileSync(path, `${line(3)}\n`);
    await seen.waitFor(3);
    appendFileSync(path, `${line(4)}\n`);
    await seen.waitFor(4);
    await t.stop();
    expect(seqs(seen.events)).toEqual(['1', '2', '3', '4']);
    expect(t.tailer.counters.rotations).toBe(1);
  });

  it('re-reads a truncated file from the start with new ids, even for a repeated line', async () => {
    const path = join(dir, 'trunc.log');
    writeFileSync(path, `${line(1)}\n${line(2)}\n`);
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const t = await startTailer(path, broker.connect('collector'));
    await seen.waitFor(2);
    truncateSync(path, 0);
    await new Promise((r) => setTimeout(r, 100));
    appendFileSync(path, `${line(1)}\n`);
    await seen.waitFor(3);
    await t.stop();
    expect(seqs(seen.events)).toEqual(['1', '2', '1']);
    expect(seen.events[2]?.id).not.toBe(seen.events[0]?.id);
    expect(t.tailer.counters.truncations).toBe(1);
  });

  it('detects a copytruncate that re-grew past the old offset (its first line changed)', async () => {
    const path = join(dir, 'regrow.log');
    writeFileSync(path, `${line(1)}\n`);
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const t = await startTailer(path, broker.connect('collector'));
    await seen.waitFor(1);
    writeFileSync(path, `${line('a')}\n${line('b')}\n`);
    await seen.waitFor(3);
    await t.stop();
    expect(seqs(seen.events)).toEqual(['1', 'a', 'b']);
  });

  it('skips a line longer than the cap and keeps the lines around it', async () => {
    const path = join(dir, 'big.log');
    writeFileSync(path, `${line(1)}\n${'<134>1 - d s - e - '.padEnd(5000, 'x')}\n${line(2)}\n`);
    const seen = captureEvents(broker.connect('probe'), EVENTS.logEvent.pattern);
    const t = await startTailer(path, broker.connect('collector'), join(dir, 'state.json'), 1024);
    await seen.waitFor(2);
    appendFileSync(path, `${'y'.repeat(300_000)}`);
    await new Promise((r) => setTimeout(r, 100));
    appendFileSync(path, `\n${line(3)}\n`);
    await seen.waitFor(3);
    await t.stop();
    expect(seqs(seen.events)).toEqual(['1', '2', '3']);
    expect(t.tailer.counters.oversize).toBe(2);
  });
});
