// The MySQL bundle under issue 20's attacks: a 16 MiB packet length streamed on three
// connections, a trickled handshake against connect_timeout, and 600 idle connections from 20
// addresses, while the real mysql client gets its Access denied.
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

/** MySQL's connect_timeout, the default of MYSQL_CONNECT_TIMEOUT_S. */
const CONNECT_DEADLINE_S = 10;

const proc = useServiceBundle({
  slug: 'mysql',
  portEnv: 'MYSQL_PORT',
  clients: ['mysql'],
  env: { DECNET_SERVICE_IDLE_TIMEOUT_S: '120' },
});

let slow: Promise<TrickleReport>;
beforeAll(() => {
  // A HandshakeResponse41 header announcing 64 bytes, then one byte every 5 s.
  slow = trickle({
    port: proc.port,
    bytes: Buffer.concat([Buffer.from([64, 0, 0, 1]), Buffer.alloc(64, 0x41)]),
    intervalMs: 5_000,
    giveUpMs: 60_000,
  });
});

const deny = (user: string) =>
  runClient(
    'mysql',
    [
      '--protocol=TCP',
      '-h',
      '127.0.0.1',
      '-P',
      String(proc.port),
      '-u',
      user,
      '-px',
      '--connect-timeout=5',
      '-e',
      'select 1',
    ],
    { timeoutMs: 15_000 },
  );

describe('the MySQL bundle bounds memory per connection', () => {
  it('refuses a 16 MiB packet length streamed on 3 connections under 150 MiB while mysql is answered', async () => {
    const rss = sampleRss(proc.pid);
    const attack = streamAttack({
      port: proc.port,
      prefix: Buffer.from([0xff, 0xff, 0xff, 0x01]),
      connections: 3,
      maxDurationMs: 6_000,
    });
    await new Promise((r) => setTimeout(r, 500));
    const during = await deny('duringattack');
    const report = await attack;
    const maxKb = rss.stop();
    console.info(
      `[mysql attack] 0xffffff length: ${(report.bytesSent / 1048576).toFixed(0)} MiB over ${report.connectionsOpened} connections, max RSS ${(maxKb / 1024).toFixed(1)} MiB`,
    );
    expect(during.stderr).toContain('ERROR 1045 (28000)');
    await proc.events.waitFor((e) => e.type === 'auth' && e.fields['username'] === 'duringattack');
    expect(maxKb).toBeLessThan(MAX_ATTACK_RSS_KB);
    expect(report.closedByDecoy).toBeGreaterThanOrEqual(report.connectionsOpened - 3);
  });
});

describe('the MySQL bundle has a wall-clock handshake deadline', () => {
  it('cuts a 1-byte-per-5-s handshake at connect_timeout (±2 s)', async () => {
    const r = await slow;
    console.info(`[mysql attack] trickle cut ${r.sinceConnectMs} ms after connect`);
    expect(Math.abs((r.sinceConnectMs ?? Infinity) - CONNECT_DEADLINE_S * 1000)).toBeLessThanOrEqual(2_000);
    await proc.events.waitFor((e) => e.type === 'deadline_exceeded' && e.fields['deadline'] === 'handshake');
  });
});

describe('the MySQL bundle stays fair under an idle horde', () => {
  it('answers mysql from a new address within 5 s while 600 idle connections from 20 addresses hold it', async () => {
    const r = await duringIdleHorde(proc.port, () => deny('duringhorde'));
    console.info(`[mysql attack] horde: ${r.opened} opened, ${r.stillOpen} still open, answered in ${r.ms} ms`);
    expect(r.result.stderr).toContain('ERROR 1045 (28000)');
    expect(r.ms).toBeLessThan(NEWCOMER_DEADLINE_MS);
    // At least the 88 connections beyond the 512 cap were shed to make room (events come through stdout).
    await proc.events.waitFor(
      (e) => e.type === 'connection_shed' && /_limit$/.test(e.fields['reason'] ?? ''),
      600 - 512,
    );
    expect(proc.events.bad).toEqual([]);
  });
});
