import { createHash } from 'node:crypto';
import { decodeSecret, ensureClients, runClient, startTestService, type TestService } from '@decnet/decky-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { service } from './index.js';

let svc: TestService;

beforeAll(async () => {
  await ensureClients('psql');
  svc = await startTestService(service, {});
});
afterAll(async () => {
  await svc?.close();
});

const md5 = (s: string | Buffer): string => createHash('md5').update(s).digest('hex');

const psql = (user: string, password: string, db: string, sslmode = 'prefer') =>
  runClient('psql', ['-h', '127.0.0.1', '-p', String(svc.port), '-U', user, '-d', db, '-w', '-c', 'select 1'], {
    env: { PGPASSWORD: password, PGSSLMODE: sslmode, PGCONNECT_TIMEOUT: '5', PGAPPNAME: 'psql' },
    timeoutMs: 15_000,
  });

describe('psql logs in to the PostgreSQL emulator and every MD5 challenge is captured crackably', () => {
  it('gets 28P01 after an SSLRequest refusal and the secret verifies offline against the salt', async () => {
    const r = await psql('admin', 'Sup3rS3cret', 'payroll');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('FATAL:  password authentication failed for user "admin"');
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth' && e.fields['username'] === 'admin');
    expect(auth?.fields).toMatchObject({ principal: 'admin', database: 'payroll', secret_kind: 'postgres_md5_challenge', outcome: 'failure', application_name: 'psql', src_ip: '127.0.0.1' });
    const salt = String(auth?.fields['salt']);
    const expected = md5(Buffer.concat([Buffer.from(md5('Sup3rS3cret' + 'admin')), Buffer.from(salt, 'hex')]));
    expect(auth?.fields['pw_hash']).toBe(`md5${expected}`);
    expect(decodeSecret(auth)).toBe(`$postgres$admin*${salt}*${expected}`);
    expect(auth?.service).toBe('postgres');
    expect(svc.events.bad).toEqual([]);
  });

  it('captures a login without SSL negotiation and records the connection lifecycle', async () => {
    const r = await psql('postgres', 'postgres', 'postgres', 'disable');
    expect(r.stderr).toContain('password authentication failed for user "postgres"');
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth' && e.fields['username'] === 'postgres');
    const sid = auth?.fields['sid'];
    await svc.events.waitFor((e) => e.type === 'disconnect' && e.fields['sid'] === sid);
    expect(svc.events.events.filter((e) => e.fields['sid'] === sid).map((e) => e.type)).toEqual(['connect', 'auth', 'disconnect']);
  });

  it('refuses a client that insists on TLS without logging a credential it never sent', async () => {
    const r = await psql('tlsuser', 'x', 'db', 'require');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/server does not support SSL/);
    expect(svc.events.events.some((e) => e.type === 'auth' && e.fields['username'] === 'tlsuser')).toBe(false);
  });
});
