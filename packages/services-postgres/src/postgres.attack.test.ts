// The PostgreSQL bundle under issue 20's attacks: a 0x7fffffff startup length and a
// 0x7fffffff password-message length streamed on three connections, a trickled start-up against
// authentication_timeout, and 600 idle connections from 20 addresses, while psql is answered.
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

/** Shortened from authentication_timeout's 60 s so the trickle finishes quickly. */
const AUTH_DEADLINE_S = 10;

const proc = useServiceBundle({
  slug: 'postgres',
  portEnv: 'POSTGRES_PORT',
  clients: ['psql'],
  env: { DECNET_SERVICE_IDLE_TIMEOUT_S: '120', POSTGRES_AUTH_TIMEOUT_S: String(AUTH_DEADLINE_S) },
});

/** A v3 StartupMessage for `user`. */
function startup(user: string): Buffer {
  const body = Buffer.from(`user\0${user}\0database\0db\0\0`);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length + 8, 0);
  head.writeUInt32BE(0x00030000, 4);
  return Buffer.concat([head, body]);
}

let slow: Promise<TrickleReport>;
beforeAll(() => {
  slow = trickle({ port: proc.port, bytes: startup('slowpoke'), intervalMs: 5_000, giveUpMs: 60_000 });
});

const psql = (user: string) =>
  runClient('psql', ['-h', '127.0.0.1', '-p', String(proc.port), '-U', user, '-d', 'db', '-w', '-c', 'select 1'], {
    env: { PGPASSWORD: 'x', PGCONNECT_TIMEOUT: '5' },
    timeoutMs: 15_000,
  });

describe('the PostgreSQL bundle bounds memory before and after the startup packet', () => {
  it('refuses 0x7fffffff startup and password lengths streamed on 3 connections under 150 MiB while psql is answered', async () => {
    const rss = sampleRss(proc.pid);
    const attacks = Promise.all([
      streamAttack({
        port: proc.port,
        prefix: Buffer.from([0x7f, 0xff, 0xff, 0xff]),
        connections: 2,
        maxDurationMs: 6_000,
      }),
      streamAttack({
        port: proc.port,
        prefix: Buffer.concat([startup('attacker'), Buffer.from([0x70, 0x7f, 0xff, 0xff, 0xff])]),
        connections: 1,
        maxDurationMs: 6_000,
      }),
    ]);
    await new Promise((r) => setTimeout(r, 500));
    const during = await psql('duringattack');
    const [start, password] = await attacks;
    const maxKb = rss.stop();
    console.info(
      `[postgres attack] startup ${(start.bytesSent / 1048576).toFixed(0)} MiB, password ${(password.bytesSent / 1048576).toFixed(0)} MiB sent, max RSS ${(maxKb / 1024).toFixed(1)} MiB`,
    );
    expect(during.stderr).toContain('password authentication failed for user "duringattack"');
    expect(maxKb).toBeLessThan(MAX_ATTACK_RSS_KB);
    expect(start.closedByDecoy + password.closedByDecoy).toBeGreaterThanOrEqual(
      start.connectionsOpened + password.connectionsOpened - 3,
    );
  });
});

describe('the PostgreSQL bundle has a wall-clock authentication deadline', () => {
  it('cuts a 1-byte-per-5-s start-up at authentication_timeout (±2 s)', async () => {
    const r = await slow;
    console.info(`[postgres attack] trickle cut ${r.sinceConnectMs} ms after connect`);
    expect(Math.abs((r.sinceConnectMs ?? Infinity) - AUTH_DEADLINE_S * 1000)).toBeLessThanOrEqual(2_000);
    expect(r.received).toContain('canceling authentication due to timeout');
    await proc.events.waitFor((e) => e.type === 'deadline_exceeded' && e.fields['deadline'] === 'authentication');
  });
});

describe('the PostgreSQL bundle stays fair under an idle horde', () => {
  it('answers psql from a new address within 5 s while 600 idle connections from 20 addresses hold it', async () => {
    const r = await duringIdleHorde(proc.port, () => psql('duringhorde'));
    console.info(`[postgres attack] horde: ${r.opened} opened, ${r.stillOpen} still open, answered in ${r.ms} ms`);
    expect(r.result.stderr).toContain('password authentication failed for user "duringhorde"');
    expect(r.ms).toBeLessThan(NEWCOMER_DEADLINE_MS);
    // At least the 88 connections beyond the 512 cap were shed to make room (events come through stdout).
    await proc.events.waitFor(
      (e) => e.type === 'connection_shed' && /_limit$/.test(e.fields['reason'] ?? ''),
      600 - 512,
    );
    expect(proc.events.bad).toEqual([]);
  });
});
