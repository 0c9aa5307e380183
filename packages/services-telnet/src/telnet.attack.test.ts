// The telnet bundle under issue 20's attacks: a subnegotiation that never ends (1 GiB after
// IAC SB) before login and 1 GiB typed into the shell after it, each on three connections, a
// trickle against the login deadline, and 600 idle connections from 20 addresses, while the real
// telnet client logs in.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Shortened from login(1)'s 60 s so the trickle finishes quickly. */
const LOGIN_DEADLINE_S = 10;

const proc = useServiceBundle({
  slug: 'telnet',
  portEnv: 'TELNET_PORT',
  clients: ['telnet', 'expect'],
  env: { DECNET_SERVICE_IDLE_TIMEOUT_S: '120', TELNET_LOGIN_TIMEOUT_S: String(LOGIN_DEADLINE_S) },
});

let slow: Promise<TrickleReport>;
beforeAll(() => {
  slow = trickle({ port: proc.port, bytes: Buffer.from('root\r'), intervalMs: 5_000, giveUpMs: 60_000 });
});

/** Logs in with the real telnet client (driven by expect) and runs `hostname`; exit 1 on any timeout. */
function login(tag: string): Promise<{ code: number | null }> {
  const script = join(mkdtempSync(join(tmpdir(), 'telnet-attack-')), 'login.exp');
  writeFileSync(
    script,
    [
      'set timeout 8',
      `spawn telnet 127.0.0.1 ${proc.port}`,
      'expect "login: " {} timeout {exit 1}',
      'send "root\\r"',
      'expect "Password: " {} timeout {exit 1}',
      'send "admin\\r"',
      'expect "# " {} timeout {exit 1}',
      `send "echo ${tag}\\r"`,
      `expect "${tag}" {} timeout {exit 1}`,
      'send "exit\\r"',
      'expect eof',
      '',
    ].join('\n'),
  );
  return runClient('expect', [script], { timeoutMs: 30_000 });
}

const IAC_SB_TTYPE = Buffer.from([255, 250, 24]);

describe('the telnet bundle bounds memory before and after login', () => {
  it('holds a never-ending subnegotiation (1 GiB after IAC SB) on 3 connections under 150 MiB while telnet logs in', async () => {
    const rss = sampleRss(proc.pid);
    const attack = streamAttack({
      port: proc.port,
      prefix: IAC_SB_TTYPE,
      connections: 3,
      maxDurationMs: 6_000,
      fill: 0x41,
    });
    await new Promise((r) => setTimeout(r, 500));
    const during = await login('during-sb');
    const report = await attack;
    const maxKb = rss.stop();
    console.info(
      `[telnet attack] IAC SB: ${(report.bytesSent / 1048576).toFixed(0)} MiB sent, max RSS ${(maxKb / 1024).toFixed(1)} MiB`,
    );
    expect(during.code).toBe(0);
    await proc.events.waitFor((e) => e.type === 'command' && e.fields['cmd'] === 'echo during-sb');
    expect(maxKb).toBeLessThan(MAX_ATTACK_RSS_KB);
  });

  it('holds 1 GiB typed into the shell after login on 3 connections under 150 MiB', async () => {
    const rss = sampleRss(proc.pid);
    const attack = streamAttack({
      port: proc.port,
      prefix: Buffer.from('root\r\nadmin\r\n'),
      connections: 3,
      maxDurationMs: 6_000,
      fill: 0x41,
    });
    await new Promise((r) => setTimeout(r, 500));
    const during = await login('during-typing');
    const report = await attack;
    const maxKb = rss.stop();
    console.info(
      `[telnet attack] shell typing: ${(report.bytesSent / 1048576).toFixed(0)} MiB sent, max RSS ${(maxKb / 1024).toFixed(1)} MiB`,
    );
    expect(during.code).toBe(0);
    expect(maxKb).toBeLessThan(MAX_ATTACK_RSS_KB);
    expect(
      proc.events.ofType('auth_attempt').filter((e) => e.fields['outcome'] === 'success').length,
    ).toBeGreaterThanOrEqual(4);
  });
});

describe('the telnet bundle has a wall-clock login deadline', () => {
  it('cuts a 1-byte-per-5-s login at the deadline (±2 s) like login(1)', async () => {
    const r = await slow;
    console.info(`[telnet attack] trickle cut ${r.sinceConnectMs} ms after connect`);
    expect(Math.abs((r.sinceConnectMs ?? Infinity) - LOGIN_DEADLINE_S * 1000)).toBeLessThanOrEqual(2_000);
    expect(r.received).toContain(`Login timed out after ${LOGIN_DEADLINE_S} seconds.`);
    await proc.events.waitFor((e) => e.type === 'deadline_exceeded' && e.fields['deadline'] === 'login');
  });
});

describe('the telnet bundle stays fair under an idle horde', () => {
  it('lets telnet from a new address log in within 5 s while 600 idle connections from 20 addresses hold it', async () => {
    const r = await duringIdleHorde(proc.port, () => login('during-horde'));
    console.info(`[telnet attack] horde: ${r.opened} opened, ${r.stillOpen} still open, logged in in ${r.ms} ms`);
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
