import { decodeSecret, ensureClients, runClient, startTestService, type TestService } from '@decnet/decky-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { service } from './index.js';

let open: TestService;
let locked: TestService;

beforeAll(async () => {
  await ensureClients('redis-cli');
  open = await startTestService(service, {});
  locked = await startTestService(service, { REDIS_PASSWORD: 'hunter2' });
});
afterAll(async () => {
  await open?.close();
  await locked?.close();
});

const cli = (svc: TestService, ...args: string[]) => runClient('redis-cli', ['-h', '127.0.0.1', '-p', String(svc.port), '--no-auth-warning', ...args], { timeoutMs: 10_000 });

describe('redis-cli talks to the Redis emulator and every command and AUTH is logged', () => {
  it('SETs and GETs a key across connections and logs each command with its arguments', async () => {
    expect((await cli(open, 'SET', 'loot', 'ssh-rsa AAAA attacker')).stdout).toBe('OK\n');
    expect((await cli(open, 'GET', 'loot')).stdout).toBe('ssh-rsa AAAA attacker\n');
    expect((await cli(open, 'KEYS', '*')).stdout.split('\n')).toContain('loot');
    const [set] = await open.events.waitFor((e) => e.type === 'command' && e.fields['cmd'] === 'SET');
    expect(set?.fields).toMatchObject({ args: 'loot ssh-rsa AAAA attacker', src_ip: '127.0.0.1' });
    expect(set?.service).toBe('redis');
    expect(open.events.bad).toEqual([]);
  });

  it('answers INFO and CONFIG GET like a stock Redis 7', async () => {
    const info = await cli(open, 'INFO', 'server');
    expect(info.stdout).toMatch(/^# Server\r?\nredis_version:7\.0\.15\r?\n/);
    expect((await cli(open, 'CONFIG', 'GET', 'dir')).stdout).toBe('dir\n/var/lib/redis\n');
    expect((await cli(open, 'CONFIG', 'SET', 'dir', '/root/.ssh')).stdout).toBe('OK\n');
    expect((await cli(open, 'CONFIG', 'GET', 'dir')).stdout).toBe('dir\n/root/.ssh\n');
    expect((await cli(open, 'PING')).stdout).toBe('PONG\n');
  });

  it('logs the classic attack commands: SLAVEOF, MODULE LOAD and FLUSHALL', async () => {
    expect((await cli(open, 'SLAVEOF', '203.0.113.7', '21000')).stdout).toBe('OK\n');
    expect((await cli(open, 'MODULE', 'LOAD', '/tmp/exp.so')).stdout).toContain('ERR Error loading the extension');
    expect((await cli(open, 'FLUSHALL')).stdout).toBe('OK\n');
    expect((await cli(open, 'DBSIZE')).stdout).toBe('0\n');
    const cmds = await open.events.waitFor((e) => e.type === 'command' && e.fields['cmd'] === 'FLUSHALL');
    expect(cmds.length).toBe(1);
    expect(open.events.events.find((e) => e.fields['cmd'] === 'SLAVEOF')?.fields['args']).toBe('203.0.113.7 21000');
    expect(open.events.events.find((e) => e.fields['cmd'] === 'MODULE')?.fields['args']).toBe('LOAD /tmp/exp.so');
  });

  it('captures a wrong password and an ACL login on a password-protected server', async () => {
    const denied = await cli(locked, '-a', 'wrongpass', 'PING');
    expect(denied.stdout + denied.stderr).toMatch(/NOAUTH|WRONGPASS/);
    const [auth] = await locked.events.waitFor((e) => e.type === 'auth' && decodeSecret(e) === 'wrongpass');
    expect(auth?.fields).toMatchObject({ secret_kind: 'plaintext', outcome: 'failure', secret_printable: 'wrongpass' });
    expect(auth?.fields['principal']).toBeUndefined();
    await cli(locked, '--user', 'admin', '--pass', 'p4ss', 'PING');
    const [acl] = await locked.events.waitFor((e) => e.type === 'auth' && e.fields['principal'] === 'admin');
    expect(decodeSecret(acl)).toBe('p4ss');
    const ok = await cli(locked, '-a', 'hunter2', 'PING');
    expect(ok.stdout).toBe('PONG\n');
    await locked.events.waitFor((e) => e.type === 'auth' && e.fields['outcome'] === 'success');
    expect(locked.events.bad).toEqual([]);
  });
});
