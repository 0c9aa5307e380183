import { SERVICE_EVENTS } from '@decnet/decky-kit';
import { FUZZ_RUNS, mutatedExchange } from '@decnet/decky-kit/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFtpMachine, type FtpMachine } from './protocol.js';

const OPTIONS = { banner: '(vsFTPd 3.0.5)', accept: [{ username: 'admin', password: 's3cret' }], anonymous: true, maxLineBytes: 512, now: () => new Date('2024-06-10T00:00:00Z') };

function text(step: { replies: readonly (string | Uint8Array)[] }): string {
  return step.replies.map((r) => (typeof r === 'string' ? r : Buffer.from(r).toString('utf8'))).join('');
}

function feed(m: FtpMachine, s: string) {
  return m.feed(Buffer.from(s));
}

describe('the FTP machine answers like vsftpd and captures every login', () => {
  it('greets with the configured banner', () => {
    expect(text(createFtpMachine(OPTIONS).start())).toBe('220 (vsFTPd 3.0.5)\r\n');
  });

  it('logs USER then PASS as an auth_attempt with the exact password bytes', () => {
    const m = createFtpMachine(OPTIONS);
    const a = feed(m, 'USER admin\r\n');
    expect(text(a)).toBe('331 Please specify the password.\r\n');
    expect(a.events).toEqual([{ type: 'user', fields: { username: 'admin' } }]);
    const b = m.feed(Buffer.concat([Buffer.from('PASS s3'), Buffer.from([0xff]), Buffer.from('cret\r\n')]));
    expect(text(b)).toBe('530 Login incorrect.\r\n');
    const ev = b.events[0];
    expect(ev?.type).toBe('auth_attempt');
    expect(Buffer.from(String(ev?.fields?.['secret_b64']), 'base64')).toEqual(Buffer.from([0x73, 0x33, 0xff, 0x63, 0x72, 0x65, 0x74]));
    expect(ev?.fields?.['secret_printable']).toBe('s3?cret');
    expect(ev?.fields?.['outcome']).toBe('failure');
  });

  it('hangs up after three failed logins', () => {
    const m = createFtpMachine(OPTIONS);
    let last;
    for (let i = 0; i < 3; i++) last = feed(m, 'USER root\r\nPASS x\r\n');
    expect(last?.close).toBe(true);
    expect(text(feed(m, 'USER root\r\n'))).toBe('');
  });

  it('requires a login before file commands', () => {
    const m = createFtpMachine(OPTIONS);
    expect(text(feed(m, 'LIST\r\n'))).toBe('530 Please login with USER and PASS.\r\n');
  });

  it('asks the server for a passive listener and announces it in PASV and EPSV form', () => {
    const m = createFtpMachine(OPTIONS);
    feed(m, 'USER anonymous\r\nPASS x\r\n');
    const pasv = feed(m, 'PASV\r\n');
    expect(pasv.actions).toEqual([{ kind: 'open_passive', extended: false }]);
    expect(text(m.passiveOpened({ ok: true, host: '10.0.0.2', port: 40001 }, false))).toBe('227 Entering Passive Mode (10,0,0,2,156,65).\r\n');
    expect(text(m.passiveOpened({ ok: true, host: '10.0.0.2', port: 40001 }, true))).toBe('229 Entering Extended Passive Mode (|||40001|)\r\n');
  });

  it('sends RETR data through a send action and logs a download_attempt', () => {
    const m = createFtpMachine(OPTIONS);
    feed(m, 'USER ftp\r\nPASS x\r\nTYPE I\r\nPASV\r\n');
    m.passiveOpened({ ok: true, host: '127.0.0.1', port: 1025 }, false);
    const r = feed(m, 'RETR /pub/README.txt\r\n');
    expect(text(r)).toMatch(/^150 Opening BINARY mode data connection for README\.txt \(\d+ bytes\)\.\r\n$/);
    expect(r.actions?.[0]?.kind).toBe('send');
    expect(r.events.map((e) => e.type)).toEqual(['command', 'download_attempt']);
    expect(text(m.transferFinished({ ok: true, bytes: 10 }))).toBe('226 Transfer complete.\r\n');
  });

  it('refuses active mode and records the requested target', () => {
    const m = createFtpMachine(OPTIONS);
    feed(m, 'USER ftp\r\nPASS x\r\n');
    const r = feed(m, 'PORT 203,0,113,9,4,1\r\n');
    expect(text(r)).toBe('500 Illegal PORT command.\r\n');
    expect(r.events.find((e) => e.type === 'active_mode_refused')?.fields).toEqual({ target: '203,0,113,9,4,1' });
  });

  it('answers an overlong line with 500 and keeps working', () => {
    const m = createFtpMachine(OPTIONS);
    expect(text(feed(m, `USER ${'a'.repeat(2000)}\r\nNOOP\r\n`))).toBe('500 Input line too long.\r\n200 NOOP ok.\r\n');
  });
});

const CURL_EXCHANGE = ['USER anonymous', 'PASS ftp@example.com', 'PWD', 'CWD pub', 'EPSV', 'PASV', 'TYPE I', 'SIZE README.txt', 'RETR README.txt', 'LIST -la', 'STOR x.bin', 'QUIT'];
const KNOWN_EVENTS = new Set(Object.keys(SERVICE_EVENTS.ftp));

describe('the FTP machine survives any mutation of a real exchange', () => {
  it('never throws, replies only in well-formed lines, emits catalogued events and stays silent after close', () => {
    fc.assert(
      fc.property(mutatedExchange(CURL_EXCHANGE), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), (chunks, flips) => {
        const m = createFtpMachine(OPTIONS);
        let closed = false;
        let hook = 0;
        const check = (step: ReturnType<FtpMachine['feed']>): void => {
          const t = text(step);
          if (closed) expect(t).toBe('');
          if (t !== '') expect(t).toMatch(/^(\d{3}[ -][^\r\n]*\r\n|[ \w-][^\r\n]*\r\n)+$/);
          for (const e of step.events) {
            expect(KNOWN_EVENTS.has(e.type)).toBe(true);
            if (e.type === 'auth_attempt') expect(typeof e.fields?.['secret_b64']).toBe('string');
          }
          for (const a of step.actions ?? []) {
            const ok = flips[hook++ % flips.length];
            if (a.kind === 'open_passive') check(m.passiveOpened(ok ? { ok: true, host: '127.0.0.1', port: 2000 } : { ok: false }, a.extended));
            if (a.kind === 'send' || a.kind === 'receive') check(m.transferFinished(ok ? { ok: true, bytes: 1, sha256: 'ab' } : { ok: false }));
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

  it('buffers at most one line whatever arrives without a line end', () => {
    const m = createFtpMachine(OPTIONS);
    for (let i = 0; i < 100; i++) m.feed(Buffer.alloc(10_000, 0x41));
    expect(text(m.feed(Buffer.from('\r\nNOOP\r\n')))).toBe('200 NOOP ok.\r\n');
  });
});
