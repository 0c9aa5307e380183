import { createHash } from 'node:crypto';
import { decodeSecret, ensureClients, runClient, startTestService, type TestService, type CapturedEvent } from '@decnet/decky-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { service } from './index.js';

let svc: TestService;

beforeAll(async () => {
  await ensureClients('mysql');
  svc = await startTestService(service, {});
});
afterAll(async () => {
  await svc?.close();
});

const sha1 = (...parts: Buffer[]): Buffer => createHash('sha1').update(Buffer.concat(parts)).digest();

/** The mysql_native_password scramble of `password` under `saltHex`: what an offline cracker recomputes. */
function nativeScramble(password: string, saltHex: string): Buffer {
  const stage1 = sha1(Buffer.from(password));
  const mask = sha1(Buffer.from(saltHex, 'hex'), sha1(stage1));
  return Buffer.from(stage1.map((b, i) => b ^ (mask[i] as number)));
}

const mysql = (user: string, password: string, ...extra: string[]) =>
  runClient('mysql', ['--protocol=TCP', '-h', '127.0.0.1', '-P', String(svc.port), '-u', user, `-p${password}`, '--connect-timeout=5', ...extra, '-e', 'select 1'], { timeoutMs: 15_000 });

function secretBytes(e: CapturedEvent | undefined): Buffer {
  return Buffer.from(String(e?.fields['secret_b64']), 'base64');
}

describe('the mysql client logs in to the MySQL emulator and every scramble is captured crackably', () => {
  it('gets ERROR 1045 and the event holds a mysql_native_password scramble that verifies against the salt', async () => {
    const r = await mysql('root', 'Winter2024!', 'shop');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ERROR 1045 (28000): Access denied for user 'root'@'127.0.0.1' (using password: YES)");
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth' && e.fields['username'] === 'root');
    expect(auth?.fields).toMatchObject({ principal: 'root', secret_kind: 'mysql_native_password', outcome: 'failure', database: 'shop', src_ip: '127.0.0.1' });
    expect(auth?.fields['secret_printable']).toBe(secretBytes(auth).toString('hex'));
    expect(secretBytes(auth)).toEqual(nativeScramble('Winter2024!', String(auth?.fields['salt'])));
    expect(secretBytes(auth)).not.toEqual(nativeScramble('Winter2025!', String(auth?.fields['salt'])));
    expect(auth?.service).toBe('mysql');
    expect(svc.events.bad).toEqual([]);
  });

  it('switches a client that chose caching_sha2_password back to mysql_native_password and still captures it', async () => {
    const r = await mysql('admin', 'hunter2', '--default-auth=caching_sha2_password');
    expect(r.stderr).toContain('ERROR 1045 (28000)');
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth' && e.fields['username'] === 'admin');
    expect(auth?.fields).toMatchObject({ switched: 'true', client_plugin: 'caching_sha2_password' });
    expect(secretBytes(auth)).toEqual(nativeScramble('hunter2', String(auth?.fields['salt'])));
  });

  it('records an empty password as an empty secret and the connection lifecycle with its connection id', async () => {
    const r = await runClient('mysql', ['--protocol=TCP', '-h', '127.0.0.1', '-P', String(svc.port), '-u', 'guest', '-e', 'select 1'], { timeoutMs: 15_000 });
    expect(r.stderr).toContain('(using password: NO)');
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth' && e.fields['username'] === 'guest');
    expect(decodeSecret(auth)).toBe('');
    const sid = auth?.fields['sid'];
    await svc.events.waitFor((e) => e.type === 'disconnect' && e.fields['sid'] === sid);
    const ofSession = svc.events.events.filter((e) => e.fields['sid'] === sid);
    expect(ofSession.map((e) => e.type)).toEqual(['connect', 'auth', 'disconnect']);
    expect(ofSession[0]?.fields['connection_id']).toBe(auth?.fields['connection_id']);
  });
});
