// The Redis bundle under issue 20's attacks: a 2 GiB bulk length and a 1 GiB inline request
// streamed on three connections, pipelined GETs of a large value read by nobody, and 600 idle
// connections from 20 addresses, while redis-cli gets answers.
import { connect } from 'node:net';
import {
  MAX_ATTACK_RSS_KB,
  NEWCOMER_DEADLINE_MS,
  duringIdleHorde,
  runClient,
  sampleRss,
  streamAttack,
  useServiceBundle,
} from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';

const proc = useServiceBundle({
  slug: 'redis',
  portEnv: 'REDIS_PORT',
  clients: ['redis-cli'],
  env: { DECNET_SERVICE_IDLE_TIMEOUT_S: '120' },
});

const ping = () => runClient('redis-cli', ['-h', '127.0.0.1', '-p', String(proc.port), 'PING'], { timeoutMs: 10_000 });

describe('the Redis bundle bounds memory per connection', () => {
  it('refuses a $2147483647 bulk and a 1 GiB inline request streamed on 3 connections under 150 MiB while redis-cli is answered', async () => {
    const rss = sampleRss(proc.pid);
    const attacks = Promise.all([
      streamAttack({
        port: proc.port,
        prefix: Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2147483647\r\n'),
        connections: 2,
        maxDurationMs: 6_000,
      }),
      streamAttack({
        port: proc.port,
        prefix: Buffer.from('SET k '),
        connections: 1,
        maxDurationMs: 6_000,
        fill: 0x41,
      }),
    ]);
    await new Promise((r) => setTimeout(r, 500));
    const during = await ping();
    const [bulk, inline] = await attacks;
    const maxKb = rss.stop();
    console.info(
      `[redis attack] bulk ${(bulk.bytesSent / 1048576).toFixed(0)} MiB over ${bulk.connectionsOpened} connections, inline ${(inline.bytesSent / 1048576).toFixed(0)} MiB, max RSS ${(maxKb / 1024).toFixed(1)} MiB`,
    );
    expect(during.stdout).toBe('PONG\n');
    expect(maxKb).toBeLessThan(MAX_ATTACK_RSS_KB);
    expect(bulk.closedByDecoy).toBeGreaterThanOrEqual(bulk.connectionsOpened - 2);
  });

  it('answers 20 000 pipelined GETs of a 60 KiB value in bounded steps to a client that does not read', async () => {
    const value = 'v'.repeat(60 * 1024);
    const set = await runClient('redis-cli', ['-h', '127.0.0.1', '-p', String(proc.port), '-x', 'SET', 'big'], {
      input: value,
      timeoutMs: 10_000,
    });
    expect(set.stdout).toBe('OK\n');
    const rss = sampleRss(proc.pid);
    const sockets = [1, 2, 3].map(() => {
      const s = connect({ host: '127.0.0.1', port: proc.port });
      s.on('error', () => undefined);
      // 1.2 GiB of answers requested; nobody reads them.
      s.once('connect', () => {
        s.pause();
        s.write('GET big\r\n'.repeat(20_000));
      });
      return s;
    });
    await new Promise((r) => setTimeout(r, 3_000));
    const during = await ping();
    const maxKb = rss.stop();
    for (const s of sockets) s.destroy();
    console.info(`[redis attack] unread pipelined GETs: max RSS ${(maxKb / 1024).toFixed(1)} MiB`);
    expect(during.stdout).toBe('PONG\n');
    expect(maxKb).toBeLessThan(MAX_ATTACK_RSS_KB);
  });
});

describe('the Redis bundle stays fair under an idle horde', () => {
  it('answers redis-cli from a new address within 5 s while 600 idle connections from 20 addresses hold it', async () => {
    const r = await duringIdleHorde(proc.port, ping);
    console.info(`[redis attack] horde: ${r.opened} opened, ${r.stillOpen} still open, answered in ${r.ms} ms`);
    expect(r.result.stdout).toBe('PONG\n');
    expect(r.ms).toBeLessThan(NEWCOMER_DEADLINE_MS);
    // At least the 88 connections beyond the 512 cap were shed to make room (events come through stdout).
    await proc.events.waitFor(
      (e) => e.type === 'connection_shed' && /_limit$/.test(e.fields['reason'] ?? ''),
      600 - 512,
    );
    expect(proc.events.bad).toEqual([]);
  });
});
