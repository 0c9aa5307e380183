// The universal credential shape: secret_b64 makes an attempt; its hash, principal key and
// column limits; invalid base64 is refused; a batch folds attempts per dedup key.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_LIMITS, extractCredential, foldCredentials, type CredentialAttempt } from './credentials.js';
import type { IngestEvent } from './payload.js';

const event = (fields: Record<string, string>, over: Partial<IngestEvent> = {}): IngestEvent => ({
  eventId: 'e1',
  at: new Date('2026-05-02T06:00:25Z'),
  decky: 'decky-01',
  service: 'ssh',
  eventType: 'auth_attempt',
  attackerIp: '198.51.100.7',
  rawLine: '<134>1 ...',
  fields,
  msg: null,
  sourceWorker: null,
  ...over,
});
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

describe('an event with secret_b64 is a credential attempt', () => {
  it('hashes the decoded bytes and keeps the printable form and principal', () => {
    const c = extractCredential(event({ principal: 'root', secret_printable: 'hunter2', secret_b64: b64('hunter2'), src_ip: '198.51.100.7' })) as CredentialAttempt;
    expect(c).toMatchObject({
      attackerIp: '198.51.100.7',
      deckyName: 'decky-01',
      service: 'ssh',
      principal: 'root',
      principalKey: 'root',
      secretKind: 'plaintext',
      secretSha256: sha('hunter2'),
      secretB64: b64('hunter2'),
      secretPrintable: 'hunter2',
      outcome: null,
      fields: { principal: 'root', src_ip: '198.51.100.7' },
    });
  });
  it('round-trips a non-printable secret losslessly through base64', () => {
    const raw = Buffer.from([0x00, 0xff, 0x10, 0x80]);
    const c = extractCredential(event({ secret_printable: '????', secret_b64: raw.toString('base64') })) as CredentialAttempt;
    expect(c.secretSha256).toBe(sha(raw));
    expect(Buffer.from(c.secretB64 as string, 'base64')).toEqual(raw);
  });
  it('maps a missing or empty principal to null with an empty dedup key (redis)', () => {
    expect(extractCredential(event({ secret_b64: b64('x') }))).toMatchObject({ principal: null, principalKey: '' });
    expect(extractCredential(event({ principal: '', secret_b64: b64('x') }))).toMatchObject({ principal: null, principalKey: '' });
  });
  it('keeps non-plaintext kinds and known outcomes only', () => {
    expect(extractCredential(event({ secret_b64: b64('x'), secret_kind: 'postgres_md5_challenge', outcome: 'success' }))).toMatchObject({
      secretKind: 'postgres_md5_challenge',
      outcome: 'success',
    });
    expect(extractCredential(event({ secret_b64: b64('x'), outcome: 'maybe' }))).toMatchObject({ outcome: null });
  });
  it('gives no credential without secret_b64 (smtp MAIL FROM is not one)', () => {
    expect(extractCredential(event({ mail_from: 'a@b.c' }, { eventType: 'mail_from', service: 'smtp' }))).toBeUndefined();
  });
  it('refuses secret_b64 that is not base64', () => {
    expect(extractCredential(event({ secret_b64: 'not base64!' }))).toBe('bad_base64');
    expect(extractCredential(event({ secret_b64: 'abc' }))).toBe('bad_base64');
  });
  it('cuts values to the column limits and drops an over-long base64 but keeps its hash', () => {
    const long = 'p'.repeat(3000);
    const c = extractCredential(event({ principal: 'u'.repeat(300), secret_printable: long, secret_b64: b64(long) })) as CredentialAttempt;
    expect(c.principal).toHaveLength(CREDENTIAL_LIMITS.principal);
    expect(c.secretPrintable).toHaveLength(CREDENTIAL_LIMITS.secretPrintable);
    expect(c.secretB64).toBeNull();
    expect(c.secretSha256).toBe(sha(long));
  });
});

describe('a batch folds attempts per dedup key, in key order', () => {
  it('counts repeats, keeps the earliest and latest times and the latest outcome', () => {
    const at = (s: string) => new Date(`2026-05-02T06:00:${s}Z`);
    const attempt = (id: string, secs: string, outcome: string, principal = 'root') =>
      extractCredential(event({ principal, secret_b64: b64('pw'), outcome }, { eventId: id, at: at(secs) })) as CredentialAttempt;
    const rows = foldCredentials([attempt('a', '10', 'failure'), attempt('b', '30', 'success'), attempt('c', '20', 'failure'), attempt('d', '05', 'failure', 'admin')]);
    expect(rows).toHaveLength(2);
    const root = rows.find((r) => r.principal === 'root');
    expect(root).toMatchObject({ attempts: 3, firstSeen: at('10'), lastSeen: at('30'), outcome: 'success' });
    expect(rows.find((r) => r.principal === 'admin')?.attempts).toBe(1);
  });
});
