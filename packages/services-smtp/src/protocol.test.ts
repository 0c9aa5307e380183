import { SERVICE_EVENTS } from '@decnet/decky-kit';
import { FUZZ_RUNS, mutatedExchange } from '@decnet/decky-kit/testing';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSmtpMachine, parseHeaders } from './protocol.js';

const OPTIONS = { hostname: 'mail', accept: [{ username: 'admin', password: 's3cret' }], maxLineBytes: 512, maxMessageBytes: 4096, queueId: () => 'ABCDEF0123' };

type Step = ReturnType<ReturnType<typeof createSmtpMachine>['feed']>;
const text = (step: Step): string => step.replies.map((r) => (typeof r === 'string' ? r : Buffer.from(r).toString('utf8'))).join('');
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

describe('the SMTP machine answers like Postfix and captures every AUTH', () => {
  it('greets as Postfix and advertises AUTH but not STARTTLS', () => {
    const m = createSmtpMachine(OPTIONS);
    expect(text(m.start())).toBe('220 mail ESMTP Postfix (Ubuntu)\r\n');
    const ehlo = m.feed(Buffer.from('EHLO client.example\r\n'));
    expect(text(ehlo)).toContain('250-AUTH PLAIN LOGIN\r\n');
    expect(text(ehlo)).not.toContain('STARTTLS');
    expect(ehlo.events).toEqual([{ type: 'ehlo', fields: { domain: 'client.example', verb: 'EHLO' } }]);
    expect(text(m.feed(Buffer.from('STARTTLS\r\n')))).toBe('454 4.7.0 TLS not available due to local problem\r\n');
  });

  it('captures AUTH PLAIN with the exact password bytes and refuses a wrong one with 535', () => {
    const m = createSmtpMachine(OPTIONS);
    m.feed(Buffer.from('EHLO x\r\n'));
    const r = m.feed(Buffer.from(`AUTH PLAIN ${b64(Buffer.from([0, 0x72, 0x6f, 0x6f, 0x74, 0, 0x70, 0xff, 0x77]))}\r\n`));
    expect(text(r)).toBe('535 5.7.8 Error: authentication failed: authentication failure\r\n');
    expect(r.events[0]?.type).toBe('auth_attempt');
    expect(r.events[0]?.fields).toMatchObject({ username: 'root', mechanism: 'PLAIN', principal: 'root', secret_printable: 'p?w', outcome: 'failure' });
    expect(Buffer.from(String(r.events[0]?.fields?.['secret_b64']), 'base64')).toEqual(Buffer.from([0x70, 0xff, 0x77]));
  });

  it('walks AUTH LOGIN through both 334 prompts and accepts a configured login', () => {
    const m = createSmtpMachine(OPTIONS);
    m.feed(Buffer.from('EHLO x\r\n'));
    expect(text(m.feed(Buffer.from('AUTH LOGIN\r\n')))).toBe('334 VXNlcm5hbWU6\r\n');
    expect(text(m.feed(Buffer.from(`${b64('admin')}\r\n`)))).toBe('334 UGFzc3dvcmQ6\r\n');
    const r = m.feed(Buffer.from(`${b64('s3cret')}\r\n`));
    expect(text(r)).toBe('235 2.7.0 Authentication successful\r\n');
    expect(r.events[0]?.fields).toMatchObject({ username: 'admin', mechanism: 'LOGIN', secret_printable: 's3cret', outcome: 'success' });
  });

  it('hashes a message, logs its envelope and headers, and queues it', () => {
    const m = createSmtpMachine(OPTIONS);
    const body = 'Subject: hello\r\nFrom: a@x.org\r\nTo: b@y.org\r\n\r\nline\r\n..dot\r\n';
    const r = m.feed(Buffer.from(`HELO x\r\nMAIL FROM:<a@x.org> SIZE=10\r\nRCPT TO:<b@y.org>\r\nDATA\r\n${body}.\r\n`));
    expect(text(r)).toBe('250 mail\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as ABCDEF0123\r\n');
    expect(r.events.map((e) => e.type)).toEqual(['ehlo', 'mail_from', 'rcpt_to', 'message_accepted', 'message_stored']);
    expect(r.events[1]?.fields).toEqual({ value: 'a@x.org', mail_from: 'a@x.org', domain: 'x.org' });
    const stored = r.events[4]?.fields;
    expect(stored).toMatchObject({ subject: 'hello', from_hdr: 'a@x.org', to_hdr: 'b@y.org', msg_id: 'ABCDEF0123', truncated: false, rcpt_to: 'b@y.org' });
    const unstuffed = body.replace('..dot', '.dot');
    expect(stored?.['size']).toBe(unstuffed.length);
    expect(stored?.['sha256']).toBe(createHash('sha256').update(unstuffed).digest('hex'));
  });

  it('refuses a message over the size limit with 552 after reading it to the end', () => {
    const m = createSmtpMachine(OPTIONS);
    m.feed(Buffer.from('HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<b@y.org>\r\nDATA\r\n'));
    for (let i = 0; i < 20; i++) m.feed(Buffer.from(`${'z'.repeat(400)}\r\n`));
    const r = m.feed(Buffer.from('.\r\nNOOP\r\n'));
    expect(text(r)).toBe('552 5.3.4 Error: message file too big\r\n250 2.0.0 Ok\r\n');
    expect(r.events[0]?.fields).toMatchObject({ truncated: true, accepted: false });
  });

  it('enforces command order and hangs up after too many errors', () => {
    const m = createSmtpMachine(OPTIONS);
    expect(text(m.feed(Buffer.from('MAIL FROM:<a@b>\r\n')))).toBe('503 5.5.1 Error: send HELO/EHLO first\r\n');
    let last: Step | undefined;
    for (let i = 0; i < 25; i++) last = m.feed(Buffer.from('BOGUS\r\n'));
    expect(last?.replies).toEqual([]);
    expect(createSmtpMachine(OPTIONS).feed(Buffer.from('BOGUS\r\n'.repeat(20))).close).toBe(true);
  });

  it('reads the headers it reports, unfolding continuation lines', () => {
    expect(parseHeaders('Subject: a\r\n b\r\nX-Mailer: swaks\r\nbad line\r\n')).toEqual({ subject: 'a b', 'x-mailer': 'swaks' });
  });
});

const CURL_EXCHANGE = [
  'EHLO client',
  `AUTH PLAIN ${b64('\0root\0toor')}`,
  'AUTH LOGIN',
  b64('admin'),
  b64('s3cret'),
  'MAIL FROM:<a@x.org>',
  'RCPT TO:<b@y.org>',
  'DATA',
  'Subject: hi',
  '',
  'body',
  '.',
  'VRFY root',
  'RSET',
  'QUIT',
];
const KNOWN_EVENTS = new Set(Object.keys(SERVICE_EVENTS.smtp));

describe('the SMTP machine survives any mutation of a real exchange', () => {
  it('never throws, replies in well-formed lines, emits catalogued events and stays silent after close', () => {
    fc.assert(
      fc.property(mutatedExchange(CURL_EXCHANGE), (chunks) => {
        const m = createSmtpMachine(OPTIONS);
        let closed = false;
        const check = (step: Step): void => {
          const t = text(step);
          if (closed) expect(t).toBe('');
          if (t !== '') expect(t).toMatch(/^(\d{3}[ -][^\r\n]*\r\n)+$/);
          for (const e of step.events) {
            expect(KNOWN_EVENTS.has(e.type)).toBe(true);
            if (e.type === 'auth_attempt') expect(typeof e.fields?.['secret_b64']).toBe('string');
          }
          if (step.close) closed = true;
        };
        check(m.start());
        for (const c of chunks) check(m.feed(c));
        check(m.end('peer_closed'));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
