// The FTP bundle under issue 20's attacks: a 1 GiB command line on three connections, a flood of
// pipelined PASV commands, a trickle against the command deadline, and 600 idle connections from
// 20 addresses, while curl keeps listing the server.
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import {
  MAX_ATTACK_RSS_KB,
  NEWCOMER_DEADLINE_MS,
  duringIdleHorde,
  runClient,
  sampleRss,
  streamAttack,
  trickle,
  useServiceBundle,
  type TrickleReport,
} from '@decnet/decky-kit/testing';
import { beforeAll, describe, expect, it } from 'vitest';

/** Shortened from the default (60 s) so the trickle finishes quickly. */
const COMMAND_DEADLINE_S = 8;

const proc = useServiceBundle({
  slug: 'ftp',
  portEnv: 'FTP_PORT',
  clients: ['curl'],
  env: { DECNET_SERVICE_IDLE_TIMEOUT_S: '120', FTP_COMMAND_TIMEOUT_S: String(COMMAND_DEADLINE_S) },
});

let slow: Promise<TrickleReport>;
beforeAll(() => {
  slow = trickle({
    port: proc.port,
    waitFor: '220 ',
    bytes: Buffer.from('USER slowpoke\r\n'),
    intervalMs: 5_000,
    giveUpMs: 60_000,
  });
});

const list = () =>
  runClient('curl', ['-sS', '--max-time', '10', '--user', 'anonymous:a@b.example', `ftp://127.0.0.1:${proc.port}/`]);
const openFds = (): number => readdirSync(`/proc/${proc.pid}/fd`).length;

describe('the FTP bundle bounds memory per connection', () => {
  it('discards a 1 GiB command line streamed on 3 connections under 150 MiB while curl lists', async () => {
    const rss = sampleRss(proc.pid);
    const attack = streamAttack({
      port: proc.port,
      prefix: Buffer.from('USER '),
      connections: 3,
      maxDurationMs: 6_000,
      fill: 0x41,
    });
    await new Promise((r) => setTimeout(r, 500));
    const during = await list();
    const report = await attack;
    const maxKb = rss.stop();
    console.info(
      `[ftp attack] 1 GiB lines: ${(report.bytesSent / 1048576).toFixed(0)} MiB sent, max RSS ${(maxKb / 1024).toFixed(1)} MiB`,
    );
    expect(during.code).toBe(0);
    expect(during.stdout).toContain('pub');
    expect(maxKb).toBeLessThan(MAX_ATTACK_RSS_KB);
  });

  it('answers 10 000 pipelined PASV one listener at a time instead of opening 10 000', async () => {
    const before = openFds();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, openFds())), 20);
    const received = await new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: proc.port });
      let text = '';
      s.on('data', (d) => {
        text += d.toString('latin1');
        if ((text.match(/^227 /gm)?.length ?? 0) >= 10_000 || text.includes('421 ')) s.destroy();
      });
      s.on('error', () => undefined);
      s.once('close', () => resolve(text));
      s.once('connect', () => s.write(`USER anonymous\r\nPASS x\r\n${'PASV\r\n'.repeat(10_000)}`));
      setTimeout(() => s.destroy(), 30_000).unref();
    });
    clearInterval(sampler);
    console.info(
      `[ftp attack] PASV flood: ${received.match(/^227 /gm)?.length ?? 0} replies, fds ${before} -> peak ${peak}`,
    );
    expect(received.match(/^227 /gm)?.length ?? 0).toBe(10_000);
    expect(peak - before).toBeLessThan(20);
  });
});

describe('the FTP bundle has a wall-clock command deadline', () => {
  it('cuts a 1-byte-per-5-s command line at the deadline (±2 s) with 421', async () => {
    const r = await slow;
    console.info(`[ftp attack] trickle cut after ${r.closedAfterMs} ms`);
    expect(Math.abs((r.closedAfterMs ?? Infinity) - COMMAND_DEADLINE_S * 1000)).toBeLessThanOrEqual(2_000);
    expect(r.received).toMatch(/421 Timeout\.\r\n$/);
    await proc.events.waitFor((e) => e.type === 'deadline_exceeded' && e.fields['deadline'] === 'command');
  });
});

describe('the FTP bundle stays fair under an idle horde', () => {
  it('lists for curl from a new address within 5 s while 600 idle connections from 20 addresses hold it', async () => {
    const r = await duringIdleHorde(proc.port, list);
    console.info(`[ftp attack] horde: ${r.opened} opened, ${r.stillOpen} still open, listed in ${r.ms} ms`);
    expect(r.result.code).toBe(0);
    expect(r.ms).toBeLessThan(NEWCOMER_DEADLINE_MS);
    // At least the 88 connections beyond the 512 cap were shed to make room (events come through stdout).
    await proc.events.waitFor(
      (e) => e.type === 'connection_shed' && /_limit$/.test(e.fields['reason'] ?? ''),
      600 - 512,
    );
    expect(proc.events.bad).toEqual([]);
  });
});
