import { decodeSecret, ensureClients, runClient, startTestService, type TestService } from '@decnet/decky-kit/testing';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { service } from './index.js';

let svc: TestService;

beforeAll(async () => {
  await ensureClients('curl');
  svc = await startTestService(service, { SMTP_ACCEPT: 'admin:s3cret' });
});
afterAll(async () => {
  await svc?.close();
});

const MESSAGE = 'From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: invoice 42\r\n\r\nPlease see attached.\r\n';

describe('curl sends mail through the SMTP emulator and every AUTH is captured', () => {
  it('delivers a message with AUTH PLAIN and logs the credential, envelope and message summary', async () => {
    const r = await runClient(
      'curl',
      ['-sS', '--max-time', '10', `smtp://127.0.0.1:${svc.port}`, '--user', 'admin:s3cret', '--mail-from', 'alice@example.org', '--mail-rcpt', 'bob@example.net', '--upload-file', '-'],
      { input: MESSAGE },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth_attempt' && e.fields['username'] === 'admin');
    expect(auth?.fields).toMatchObject({ principal: 'admin', secret_kind: 'plaintext', outcome: 'success', src_ip: '127.0.0.1' });
    expect(decodeSecret(auth)).toBe('s3cret');
    const [from] = await svc.events.waitFor((e) => e.type === 'mail_from' && e.fields['value'] === 'alice@example.org');
    expect(from?.fields['domain']).toBe('example.org');
    await svc.events.waitFor((e) => e.type === 'rcpt_to' && e.fields['value'] === 'bob@example.net');
    const [stored] = await svc.events.waitFor((e) => e.type === 'message_stored' && e.fields['subject'] === 'invoice 42');
    expect(stored?.fields).toMatchObject({ from_hdr: 'Alice <alice@example.org>', to_hdr: 'bob@example.net', truncated: 'false', size: String(MESSAGE.length) });
    expect(stored?.fields['sha256']).toBe(createHash('sha256').update(MESSAGE).digest('hex'));
    const [accepted] = await svc.events.waitFor((e) => e.type === 'message_accepted' && e.fields['msg_id'] === stored?.fields['msg_id']);
    expect(accepted?.fields).toMatchObject({ mail_from: 'alice@example.org', rcpt_to: 'bob@example.net' });
    expect(svc.events.bad).toEqual([]);
  });

  it('refuses a wrong AUTH LOGIN with 535 and logs it as a failure', async () => {
    const r = await runClient('curl', [
      '-sS', '--max-time', '10', `smtp://127.0.0.1:${svc.port}`, '--user', 'root:toor', '--login-options', 'AUTH=LOGIN',
      '--mail-from', 'x@y.z', '--mail-rcpt', 'a@b.c', '--upload-file', '/dev/null',
    ]);
    expect(r.code).toBe(67);
    const [auth] = await svc.events.waitFor((e) => e.type === 'auth_attempt' && e.fields['username'] === 'root');
    expect(auth?.fields).toMatchObject({ mechanism: 'LOGIN', outcome: 'failure', secret_printable: 'toor', principal: 'root' });
    expect(decodeSecret(auth)).toBe('toor');
  });

  it('records the session lifecycle around an exchange', async () => {
    const r = await runClient('curl', ['-sS', '--max-time', '10', `smtp://127.0.0.1:${svc.port}`, '--mail-from', 'n@o.p', '--mail-rcpt', 'q@r.s', '--upload-file', '-'], { input: 'Subject: s\r\n\r\nx\r\n' });
    expect(r.code).toBe(0);
    const [from] = await svc.events.waitFor((e) => e.type === 'mail_from' && e.fields['value'] === 'n@o.p');
    const sid = from?.fields['sid'];
    await svc.events.waitFor((e) => e.type === 'disconnect' && e.fields['sid'] === sid);
    const ofSession = svc.events.events.filter((e) => e.fields['sid'] === sid).map((e) => e.type);
    expect(ofSession).toEqual(['connect', 'ehlo', 'mail_from', 'rcpt_to', 'message_accepted', 'message_stored', 'disconnect']);
  });
});
