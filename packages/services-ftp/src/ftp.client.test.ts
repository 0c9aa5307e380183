import { decodeSecret, ensureClients, runClient, startTestService, type TestService } from '@decnet/decky-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { service } from './index.js';

let svc: TestService;

beforeAll(async () => {
  await ensureClients('curl');
  svc = await startTestService(service, { FTP_ACCEPT: 'admin:s3cret' });
});
afterAll(async () => {
  await svc?.close();
});

/** curl arguments for `path` logged in as `auth` (user:password). */
const ftp = (path: string, auth = 'anonymous:guest@example.com'): string[] => ['--user', auth, `ftp://127.0.0.1:${svc.port}${path}`];

describe('curl completes FTP exchanges and every login is captured', () => {
  it('lists the root directory after an anonymous login and logs the credential', async () => {
    const r = await runClient('curl', ['-sS', '--max-time', '10', ...ftp('/')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^drwxr-xr-x +2 ftp +ftp +4096 .* pub\r?$/m);
    expect(r.stdout).toContain('backup');
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth_attempt' && e.fields['username'] === 'anonymous');
    expect(auth?.fields).toMatchObject({ principal: 'anonymous', secret_kind: 'plaintext', outcome: 'success', src_ip: '127.0.0.1' });
    expect(decodeSecret(auth)).toBe('guest@example.com');
    expect(auth?.service).toBe('ftp');
    expect(auth?.decky).toBe('test-decky');
    expect(svc.events.bad).toEqual([]);
  });

  it('downloads a bait file with RETR and logs a download_attempt', async () => {
    const r = await runClient('curl', ['-sS', '--max-time', '10', ...ftp('/www/config.php', 'admin:s3cret')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("define('DB_PASSWORD'");
    const [dl] = await svc.events.waitFor((e) => e.type === 'download_attempt' && e.fields['path'] === '/www/config.php');
    expect(Number(dl?.fields['size'])).toBe(r.stdout.length);
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth_attempt' && e.fields['username'] === 'admin');
    expect(decodeSecret(auth)).toBe('s3cret');
    expect(auth?.fields['outcome']).toBe('success');
  });

  it('refuses a wrong password with 530 and logs the attempt as a failure', async () => {
    const r = await runClient('curl', ['-sS', '--max-time', '10', ...ftp('/', 'root:toor')]);
    expect(r.code).toBe(67);
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth_attempt' && e.fields['username'] === 'root');
    expect(auth?.fields).toMatchObject({ outcome: 'failure', secret_printable: 'toor', principal: 'root' });
  });

  it('uses classic PASV when EPSV is disabled, and records session lifecycle events', async () => {
    const r = await runClient('curl', ['-sS', '--max-time', '10', '--disable-epsv', ...ftp('/pub/README.txt')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Public file area');
    const cmds = await svc.events.waitFor((e) => e.type === 'command' && e.fields['cmd'] === 'PASV');
    expect(cmds.length).toBeGreaterThan(0);
    const sid = cmds[0]?.fields['sid'];
    await svc.events.waitFor((e) => e.type === 'disconnect' && e.fields['sid'] === sid);
    const ofSession = svc.events.events.filter((e) => e.fields['sid'] === sid).map((e) => e.type);
    expect(ofSession[0]).toBe('connection');
    expect(ofSession).toContain('user');
    expect(ofSession.at(-1)).toBe('disconnect');
  });
});
