// The fake shell's command table: one small pure function per command, given its arguments, its
// stdin and the session state. Nothing here touches the network or the host: wget/curl only
// record a download attempt and fail the way an egress-filtered server would.
import type { FakeFilesystem, FsNode } from './filesystem.js';
import { KERNEL_BUILD, type MachineProfile } from './profile.js';

/** Output of one command. */
export interface CommandOutput {
  out: string;
  err: string;
  code: number;
}

/** Facts a command reports besides its output. */
export type CommandEffect = { kind: 'download'; url: string; tool: string } | { kind: 'exit' } | { kind: 'clear' };

/** What a command may read and change. */
export interface CommandContext {
  readonly profile: MachineProfile;
  readonly fs: FakeFilesystem;
  cwd: string;
  readonly env: Map<string, string>;
  readonly history: readonly string[];
  /** Runs a nested command line (`sh -c`, `sudo`); depth-limited by the shell. */
  runNested(line: string): CommandOutput;
  effect(effect: CommandEffect): void;
}

/** A command implementation. */
export type CommandFn = (ctx: CommandContext, args: readonly string[], stdin: string) => CommandOutput;

const ok = (out = ''): CommandOutput => ({ out, err: '', code: 0 });
const fail = (err: string, code = 1): CommandOutput => ({ out: '', err, code });

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

function hhmm(d: Date): string {
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}

function uptimeText(p: MachineProfile): string {
  const now = p.now();
  const up = Math.max(0, Math.floor((now.getTime() - p.bootedAt.getTime()) / 60_000));
  const days = Math.floor(up / 1440);
  const h = Math.floor((up % 1440) / 60);
  const m = up % 60;
  const span = `${days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : ''}${h > 0 ? `${String(h).padStart(2)}:${pad2(m)}` : `${m} min`}`;
  return ` ${hhmm(now)}:${pad2(now.getUTCSeconds())} up ${span},  1 user,  load average: 0.08, 0.03, 0.01`;
}

function lsDate(d: Date, now: Date): string {
  const recent = Math.abs(now.getTime() - d.getTime()) < 180 * 86400_000;
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${recent ? hhmm(d) : ` ${d.getUTCFullYear()}`}`;
}

function typeChar(n: FsNode): string {
  return n.kind === 'dir' ? 'd' : n.kind === 'link' ? 'l' : '-';
}

function nodeSize(n: FsNode): number {
  return n.kind === 'dir' ? 4096 : n.kind === 'link' ? n.content.length : Buffer.byteLength(n.content);
}

function longLine(name: string, n: FsNode, now: Date): string {
  const links = n.kind === 'dir' ? 2 + [...(n.children?.values() ?? [])].filter((c) => c.kind === 'dir').length : 1;
  const size = nodeSize(n) === 4 && n.content === '\u007fELF' ? 35328 : nodeSize(n);
  return `${typeChar(n)}${n.mode} ${String(links).padStart(2)} ${n.owner.padEnd(5)} ${n.group.padEnd(5)} ${String(size).padStart(6)} ${lsDate(n.mtime, now)} ${name}${n.kind === 'link' ? ` -> ${n.content}` : ''}`;
}

function splitFlags(args: readonly string[]): { flags: Set<string>; operands: string[] } {
  const flags = new Set<string>();
  const operands: string[] = [];
  let done = false;
  for (const a of args) {
    if (!done && a === '--') done = true;
    else if (!done && a.startsWith('--') && a.length > 2) flags.add(a);
    else if (!done && a.startsWith('-') && a.length > 1) for (const c of a.slice(1)) flags.add(c);
    else operands.push(a);
  }
  return { flags, operands };
}

function readable(ctx: CommandContext, n: FsNode): boolean {
  return !n.rootOnly || ctx.profile.uid === 0;
}

const ls: CommandFn = (ctx, args) => {
  const { flags, operands } = splitFlags(args);
  const all = flags.has('a') || flags.has('A');
  const long = flags.has('l');
  const targets = operands.length > 0 ? operands : ['.'];
  const now = ctx.profile.now();
  let out = '';
  let err = '';
  let code = 0;
  for (const t of targets) {
    const path = ctx.fs.resolvePath(ctx.cwd, t);
    const node = ctx.fs.lookup(path, !long || t.endsWith('/'));
    if (!node) {
      err += `ls: cannot access '${t}': No such file or directory\n`;
      code = 2;
      continue;
    }
    if (node.kind !== 'dir') {
      out += long ? `${longLine(t, node, now)}\n` : `${t}\n`;
      continue;
    }
    if (node.owner !== ctx.profile.user && ctx.profile.uid !== 0 && node.mode.charAt(6) !== 'r') {
      err += `ls: cannot open directory '${t}': Permission denied\n`;
      code = 2;
      continue;
    }
    if (targets.length > 1) out += `${t}:\n`;
    const names = [...(node.children?.keys() ?? [])].filter((n) => all || !n.startsWith('.')).sort();
    if (long) {
      out += `total ${names.length * 4}\n`;
      if (all) out += `${longLine('.', node, now)}\n${longLine('..', node, now)}\n`;
      for (const name of names) out += `${longLine(name, node.children?.get(name) as FsNode, now)}\n`;
    } else {
      const shown = all ? ['.', '..', ...names] : names;
      if (shown.length > 0) out += `${shown.join('  ')}\n`;
    }
  }
  return { out, err, code };
};

const cat: CommandFn = (ctx, args, stdin) => {
  const { operands } = splitFlags(args);
  if (operands.length === 0) return ok(stdin);
  let out = '';
  let err = '';
  let code = 0;
  for (const t of operands) {
    if (t === '-') {
      out += stdin;
      continue;
    }
    const node = ctx.fs.lookup(ctx.fs.resolvePath(ctx.cwd, t));
    if (!node) {
      err += `cat: ${t}: No such file or directory\n`;
      code = 1;
    } else if (node.kind === 'dir') {
      err += `cat: ${t}: Is a directory\n`;
      code = 1;
    } else if (!readable(ctx, node)) {
      err += `cat: ${t}: Permission denied\n`;
      code = 1;
    } else {
      out += node.content;
    }
  }
  return { out, err, code };
};

const cd: CommandFn = (ctx, args) => {
  const target = args[0] === undefined || args[0] === '~' ? ctx.profile.home : args[0] === '-' ? (ctx.env.get('OLDPWD') ?? ctx.cwd) : args[0];
  const path = ctx.fs.resolvePath(ctx.cwd, target);
  const node = ctx.fs.lookup(path);
  if (!node) return fail(`-bash: cd: ${target}: No such file or directory\n`);
  if (node.kind !== 'dir') return fail(`-bash: cd: ${target}: Not a directory\n`);
  if (ctx.profile.uid !== 0 && node.owner !== ctx.profile.user && node.mode.charAt(8) !== 'x') return fail(`-bash: cd: ${target}: Permission denied\n`);
  ctx.env.set('OLDPWD', ctx.cwd);
  ctx.cwd = path;
  ctx.env.set('PWD', path);
  return ok();
};

const echo: CommandFn = (_ctx, args) => {
  let newline = true;
  let escapes = false;
  let i = 0;
  while (i < args.length && /^-[neE]+$/.test(args[i] as string)) {
    const f = args[i] as string;
    if (f.includes('n')) newline = false;
    if (f.includes('e')) escapes = true;
    if (f.includes('E')) escapes = false;
    i++;
  }
  let text = args.slice(i).join(' ');
  if (escapes) {
    text = text.replace(/\\(x[0-9a-fA-F]{1,2}|0[0-7]{0,3}|[nrtab\\])/g, (_m, e: string) => {
      if (e.startsWith('x')) return String.fromCharCode(parseInt(e.slice(1), 16));
      if (e.startsWith('0')) return String.fromCharCode(parseInt(e.slice(1) || '0', 8));
      return ({ n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', '\\': '\\' } as Record<string, string>)[e] ?? e;
    });
  }
  return ok(newline ? `${text}\n` : text);
};

const uname: CommandFn = (ctx, args) => {
  const { flags } = splitFlags(args);
  const p = ctx.profile;
  const parts: string[] = [];
  const want = (f: string): boolean => flags.has('a') || flags.has(f);
  if (want('s') || flags.size === 0) parts.push('Linux');
  if (want('n')) parts.push(p.hostname);
  if (want('r')) parts.push(p.kernel);
  if (want('v')) parts.push(KERNEL_BUILD);
  if (want('m')) parts.push('x86_64');
  if (flags.has('p') || flags.has('a')) parts.push('x86_64');
  if (flags.has('i') || flags.has('a')) parts.push('x86_64');
  if (want('o')) parts.push('GNU/Linux');
  return ok(`${parts.join(' ')}\n`);
};

const id: CommandFn = (ctx) => {
  const p = ctx.profile;
  return ok(
    p.uid === 0
      ? 'uid=0(root) gid=0(root) groups=0(root)\n'
      : `uid=${p.uid}(${p.user}) gid=${p.uid}(${p.user}) groups=${p.uid}(${p.user}),4(adm),24(cdrom),27(sudo),30(dip),46(plugdev),110(lxd)\n`,
  );
};

const ps: CommandFn = (ctx, args) => {
  const p = ctx.profile;
  const full = args.some((a) => /a|e|x|f/.test(a.replace(/^-/, '')));
  const tty = 'pts/0';
  if (!full) return ok(`    PID TTY          TIME CMD\n   2431 ${tty}    00:00:00 bash\n   2468 ${tty}    00:00:00 ps\n`);
  const rows: [string, number, string, string][] = [
    ['root', 1, '?', '/sbin/init'],
    ['root', 2, '?', '[kthreadd]'],
    ['root', 412, '?', '/lib/systemd/systemd-journald'],
    ['root', 455, '?', '/lib/systemd/systemd-udevd'],
    ['systemd+', 612, '?', '/lib/systemd/systemd-networkd'],
    ['systemd+', 614, '?', '/lib/systemd/systemd-resolved'],
    ['root', 701, '?', '/usr/sbin/cron -f -P'],
    ['message+', 702, '?', '@dbus-daemon --system --address=systemd: --nofork --nopidfile --systemd-activation --syslog-only'],
    ['syslog', 709, '?', '/usr/sbin/rsyslogd -n -iNONE'],
    ['root', 733, '?', 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'],
    ['root', 741, 'tty1', '/sbin/agetty -o -p -- \\u --noclear tty1 linux'],
    ['root', 2403, '?', `sshd: ${p.user} [priv]`],
    [p.user, 2431, tty, '-bash'],
    [p.user, 2468, tty, `ps ${args.join(' ')}`.trim()],
  ];
  if (args.some((a) => a.includes('e') || a === '-f')) {
    return ok(`UID          PID    PPID  C STIME TTY          TIME CMD\n${rows.map(([u, pid, t, c]) => `${u.padEnd(8)} ${String(pid).padStart(7)} ${String(pid === 1 ? 0 : 1).padStart(7)}  0 ${hhmm(p.bootedAt)} ${t.padEnd(8)} 00:00:00 ${c}`).join('\n')}\n`);
  }
  return ok(
    `USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\n${rows
      .map(([u, pid, t, c]) => `${u.padEnd(8)} ${String(pid).padStart(7)}  0.0  0.1 ${String(16000 + pid * 7).padStart(6)} ${String(4000 + pid).padStart(5)} ${t.padEnd(8)} Ss   ${hhmm(p.bootedAt)}   0:00 ${c}`)
      .join('\n')}\n`,
  );
};

const w: CommandFn = (ctx) => {
  const p = ctx.profile;
  return ok(
    `${uptimeText(p)}\nUSER     TTY      FROM             LOGIN@   IDLE   JCPU   PCPU WHAT\n${p.user.padEnd(8)} pts/0    ${p.clientIp.padEnd(16)} ${hhmm(p.now())}    0.00s  0.02s  0.00s w\n`,
  );
};

function mac(ip: string): string {
  const octets = ip.split('.').map((o) => Number(o) || 0);
  return `52:54:00:${octets.slice(1).map((o) => o.toString(16).padStart(2, '0')).join(':')}`;
}

const ifconfig: CommandFn = (ctx) => {
  const ip = ctx.profile.ip;
  const bcast = ip.replace(/\.\d+$/, '.255');
  return ok(
    `eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n        inet ${ip}  netmask 255.255.255.0  broadcast ${bcast}\n        ether ${mac(ip)}  txqueuelen 1000  (Ethernet)\n` +
      '        RX packets 1843215  bytes 512733218 (512.7 MB)\n        RX errors 0  dropped 12  overruns 0  frame 0\n        TX packets 1120043  bytes 198420337 (198.4 MB)\n        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n' +
      'lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536\n        inet 127.0.0.1  netmask 255.0.0.0\n        inet6 ::1  prefixlen 128  scopeid 0x10<host>\n        loop  txqueuelen 1000  (Local Loopback)\n' +
      '        RX packets 5120  bytes 412300 (412.3 KB)\n        RX errors 0  dropped 0  overruns 0  frame 0\n        TX packets 5120  bytes 412300 (412.3 KB)\n        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n',
  );
};

const ip: CommandFn = (ctx, args) => {
  const addr = ctx.profile.ip;
  const sub = args.find((a) => !a.startsWith('-')) ?? '';
  if (sub === '' || sub === 'help') return fail('Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { address | link | route | neigh | rule }\n', 255);
  if ('address'.startsWith(sub) || sub === 'a') {
    return ok(
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n' +
        `2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP group default qlen 1000\n    link/ether ${mac(addr)} brd ff:ff:ff:ff:ff:ff\n    inet ${addr}/24 brd ${addr.replace(/\.\d+$/, '.255')} scope global eth0\n       valid_lft forever preferred_lft forever\n`,
    );
  }
  if ('route'.startsWith(sub)) {
    const net = addr.replace(/\.\d+$/, '.0');
    return ok(`default via ${addr.replace(/\.\d+$/, '.1')} dev eth0 proto static\n${net}/24 dev eth0 proto kernel scope link src ${addr}\n`);
  }
  if ('link'.startsWith(sub)) {
    return ok(`1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc fq_codel state UP mode DEFAULT group default qlen 1000\n    link/ether ${mac(addr)} brd ff:ff:ff:ff:ff:ff\n`);
  }
  return fail(`Object "${sub}" is unknown, try "ip help".\n`, 1);
};

function urlHost(url: string): string {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/)?(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(url);
  return m?.[1] ?? url;
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}

function wgetOut(ctx: CommandContext, url: string): string {
  const now = ctx.profile.now();
  const stamp = `${now.getUTCFullYear()}-${pad2(now.getUTCMonth() + 1)}-${pad2(now.getUTCDate())} ${hhmm(now)}:${pad2(now.getUTCSeconds())}`;
  const host = urlHost(url);
  const full = /^[a-z]+:\/\//i.test(url) ? url : `http://${url}`;
  if (isIpLiteral(host)) return `--${stamp}--  ${full}\nConnecting to ${host}:80... failed: Connection timed out.\nRetrying.\n\n`;
  return `--${stamp}--  ${full}\nResolving ${host} (${host})... failed: Temporary failure in name resolution.\nwget: unable to resolve host address '${host}'\n`;
}

const wget: CommandFn = (ctx, args) => {
  const urls = args.filter((a, i) => !a.startsWith('-') && /[./]/.test(a) && !['-O', '-o', '-P', '-U', '-T', '-t', '--output-document', '--user-agent'].includes(args[i - 1] ?? ''));
  if (urls.length === 0) return fail("wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n");
  let err = '';
  for (const u of urls) {
    ctx.effect({ kind: 'download', url: u, tool: 'wget' });
    if (!args.includes('-q')) err += wgetOut(ctx, u);
  }
  return { out: '', err, code: 4 };
};

const curl: CommandFn = (ctx, args) => {
  const urls = args.filter((a, i) => !a.startsWith('-') && /[./]/.test(a) && !['-o', '--output', '-H', '--header', '-d', '--data', '-A', '-u', '-X', '-e', '-x', '--proxy'].includes(args[i - 1] ?? ''));
  if (urls.length === 0) return fail("curl: try 'curl --help' or 'curl --manual' for more information\n", 2);
  const silent = args.some((a) => /^-[a-zA-Z]*s/.test(a) && !a.startsWith('--')) && !args.some((a) => /^-[a-zA-Z]*S/.test(a));
  let err = '';
  let code = 6;
  for (const u of urls) {
    ctx.effect({ kind: 'download', url: u, tool: 'curl' });
    const host = urlHost(u);
    if (isIpLiteral(host)) {
      code = 28;
      if (!silent) err += `curl: (28) Failed to connect to ${host} port 80 after 130914 ms: Connection timed out\n`;
    } else if (!silent) {
      err += `curl: (6) Could not resolve host: ${host}\n`;
    }
  }
  return { out: '', err, code };
};

const notFoundDownloader =
  (tool: string): CommandFn =>
  (ctx, args) => {
    const url = args.find((a) => /\d+\.\d+\.\d+\.\d+|[a-z0-9-]+\.[a-z]{2,}/i.test(a));
    if (url) ctx.effect({ kind: 'download', url, tool });
    return fail(`-bash: ${tool}: command not found\n`, 127);
  };

const headTail =
  (tail: boolean): CommandFn =>
  (ctx, args, stdin) => {
    const name = tail ? 'tail' : 'head';
    let count = 10;
    const files: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as string;
      if (a === '-n') {
        count = Number(args[i + 1]);
        i++;
      } else if (/^-n?\d+$/.test(a)) {
        count = Number(a.replace(/^-n?/, ''));
      } else if (!a.startsWith('-')) {
        files.push(a);
      }
    }
    if (!Number.isFinite(count) || count < 0) return fail(`${name}: invalid number of lines\n`);
    count = Math.min(count, 100_000);
    let input = stdin;
    const file = files[0];
    if (file !== undefined) {
      const node = ctx.fs.lookup(ctx.fs.resolvePath(ctx.cwd, file));
      if (!node) return fail(`${name}: cannot open '${file}' for reading: No such file or directory\n`);
      if (node.kind === 'file' && !readable(ctx, node)) return fail(`${name}: cannot open '${file}' for reading: Permission denied\n`);
      input = node.kind === 'file' ? node.content : '';
    }
    const lines = input.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const out = tail ? lines.slice(Math.max(0, lines.length - count)) : lines.slice(0, count);
    return ok(out.length > 0 ? `${out.join('\n')}\n` : '');
  };

const grepLines = (lines: string[], args: readonly string[]): string[] => {
  const pattern = args.find((a) => !a.startsWith('-')) ?? '';
  const invert = args.includes('-v');
  const icase = args.includes('-i');
  const p = icase ? pattern.toLowerCase() : pattern;
  return lines.filter((l) => (icase ? l.toLowerCase() : l).includes(p) !== invert);
};

const grep: CommandFn = (ctx, args, stdin) => {
  const words = args.filter((a) => !a.startsWith('-'));
  if (words.length === 0) return fail("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", 2);
  let input = stdin;
  for (const f of words.slice(1)) {
    const node = ctx.fs.lookup(ctx.fs.resolvePath(ctx.cwd, f));
    if (!node) return fail(`grep: ${f}: No such file or directory\n`, 2);
    if (node.kind === 'file' && readable(ctx, node)) input = node.content;
  }
  const lines = input.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out = grepLines(lines, args);
  if (args.includes('-c')) return ok(`${out.length}\n`);
  return { out: out.length > 0 ? `${out.join('\n')}\n` : '', err: '', code: out.length > 0 ? 0 : 1 };
};

const wc: CommandFn = (ctx, args, stdin) => {
  const { flags, operands } = splitFlags(args);
  let input = stdin;
  const file = operands[0];
  if (file !== undefined) {
    const node = ctx.fs.lookup(ctx.fs.resolvePath(ctx.cwd, file));
    if (!node) return fail(`wc: ${file}: No such file or directory\n`);
    input = node.kind === 'file' && readable(ctx, node) ? node.content : '';
  }
  const l = (input.match(/\n/g) ?? []).length;
  const wds = input.split(/\s+/).filter((x) => x !== '').length;
  const c = Buffer.byteLength(input);
  const suffix = file !== undefined ? ` ${file}` : '';
  if (flags.has('l')) return ok(`${l}${suffix}\n`);
  if (flags.has('w')) return ok(`${wds}${suffix}\n`);
  if (flags.has('c')) return ok(`${c}${suffix}\n`);
  return ok(`${String(l).padStart(7)} ${String(wds).padStart(7)} ${String(c).padStart(7)}${suffix}\n`);
};

const touch: CommandFn = (ctx, args) => {
  const { operands } = splitFlags(args);
  if (operands.length === 0) return fail("touch: missing file operand\nTry 'touch --help' for more information.\n");
  for (const t of operands) {
    const path = ctx.fs.resolvePath(ctx.cwd, t);
    if (ctx.fs.lookup(path)) continue;
    const r = ctx.fs.writeFile(path, '', true);
    if (r === 'enoent') return fail(`touch: cannot touch '${t}': No such file or directory\n`);
    if (r === 'eacces') return fail(`touch: cannot touch '${t}': Permission denied\n`);
    if (r === 'enospc') return fail(`touch: cannot touch '${t}': No space left on device\n`);
  }
  return ok();
};

const mkdir: CommandFn = (ctx, args) => {
  const { flags, operands } = splitFlags(args);
  if (operands.length === 0) return fail("mkdir: missing operand\nTry 'mkdir --help' for more information.\n");
  for (const t of operands) {
    const r = ctx.fs.makeDir(ctx.fs.resolvePath(ctx.cwd, t));
    if (r === 'eexist' && !flags.has('p')) return fail(`mkdir: cannot create directory '${t}': File exists\n`);
    if (r === 'enoent') return fail(`mkdir: cannot create directory '${t}': No such file or directory\n`);
    if (r === 'eacces') return fail(`mkdir: cannot create directory '${t}': Permission denied\n`);
    if (r === 'enospc') return fail(`mkdir: cannot create directory '${t}': No space left on device\n`);
  }
  return ok();
};

const rm: CommandFn = (ctx, args) => {
  const { flags, operands } = splitFlags(args);
  const force = flags.has('f');
  for (const t of operands) {
    const r = ctx.fs.remove(ctx.fs.resolvePath(ctx.cwd, t), flags.has('r') || flags.has('R'));
    if (r === 'enoent' && !force) return fail(`rm: cannot remove '${t}': No such file or directory\n`);
    if (r === 'eisdir') return fail(`rm: cannot remove '${t}': Is a directory\n`);
    if (r === 'eacces') return fail(`rm: cannot remove '${t}': Permission denied\n`);
  }
  return ok();
};

const chmod: CommandFn = (ctx, args) => {
  const { operands } = splitFlags(args.filter((a) => !/^[+-][rwxXst]+$/.test(a)));
  const files = operands.filter((o) => !/^[0-7]{3,4}$/.test(o) && !/^[ugoa]*[+-=][rwxXst]*$/.test(o));
  if (files.length === 0) return fail("chmod: missing operand\nTry 'chmod --help' for more information.\n");
  for (const f of files) {
    if (!ctx.fs.lookup(ctx.fs.resolvePath(ctx.cwd, f))) return fail(`chmod: cannot access '${f}': No such file or directory\n`);
  }
  return ok();
};

const which: CommandFn = (ctx, args) => {
  let out = '';
  let code = 0;
  for (const a of args.filter((x) => !x.startsWith('-'))) {
    const node = ctx.fs.lookup(`/usr/bin/${a}`);
    if (node) out += `/usr/bin/${a}\n`;
    else code = 1;
  }
  return { out, err: '', code };
};

const free: CommandFn = (ctx, args) => {
  const kb = ctx.profile.memKb;
  const div = args.includes('-m') ? 1024 : args.includes('-g') ? 1024 * 1024 : 1;
  const v = (n: number): string => String(Math.round(n / div)).padStart(12);
  return ok(
    `               total        used        free      shared  buff/cache   available\nMem: ${v(kb)}${v(kb * 0.22)}${v(kb * 0.41)}${v(1200)}${v(kb * 0.37)}${v(kb * 0.72)}\nSwap:${v(2097148)}${v(0)}${v(2097148)}\n`,
  );
};

const df: CommandFn = () =>
  ok(
    'Filesystem      Size  Used Avail Use% Mounted on\ntmpfs           393M  1.1M  392M   1% /run\n/dev/sda2        49G   11G   36G  23% /\ntmpfs           2.0G     0  2.0G   0% /dev/shm\ntmpfs           5.0M     0  5.0M   0% /run/lock\n/dev/sda1       511M  6.1M  505M   2% /boot/efi\ntmpfs           393M  4.0K  393M   1% /run/user/0\n',
  );

const date: CommandFn = (ctx) => {
  const d = ctx.profile.now();
  return ok(`${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${hhmm(d)}:${pad2(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}\n`);
};

const ping: CommandFn = (_ctx, args) => {
  const host = args.filter((a, i) => !a.startsWith('-') && !['-c', '-W', '-i', '-s'].includes(args[i - 1] ?? '')).pop();
  if (!host) return fail('ping: usage error: Destination address required\n', 2);
  if (!isIpLiteral(host)) return fail(`ping: ${host}: Temporary failure in name resolution\n`, 2);
  return { out: `PING ${host} (${host}) 56(84) bytes of data.\n\n--- ${host} ping statistics ---\n4 packets transmitted, 0 received, 100% packet loss, time 3062ms\n\n`, err: '', code: 1 };
};

const sudo: CommandFn = (ctx, args) => {
  if (args.length === 0) return fail('usage: sudo -h | -K | -k | -V\n');
  if (ctx.profile.uid === 0) return ctx.runNested(args.filter((a) => !a.startsWith('-')).join(' '));
  return fail(`${ctx.profile.user} is not in the sudoers file.  This incident will be reported.\n`);
};

const shellC: CommandFn = (ctx, args, stdin) => {
  const c = args.indexOf('-c');
  if (c >= 0 && args[c + 1] !== undefined) return ctx.runNested(args[c + 1] as string);
  if (stdin.trim() !== '') return ctx.runNested(stdin.replace(/\n/g, ';'));
  return ok();
};

const history: CommandFn = (ctx) => ok(ctx.history.map((h, i) => `${String(i + 1).padStart(5)}  ${h}`).join('\n') + (ctx.history.length > 0 ? '\n' : ''));

const exportCmd: CommandFn = (ctx, args) => {
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq > 0) ctx.env.set(a.slice(0, eq), a.slice(eq + 1));
  }
  return ok();
};

const nproc: CommandFn = (ctx) => ok(`${ctx.profile.cpus}\n`);

const lscpu: CommandFn = (ctx) =>
  ok(
    `Architecture:            x86_64\n  CPU op-mode(s):        32-bit, 64-bit\n  Address sizes:         46 bits physical, 48 bits virtual\n  Byte Order:            Little Endian\nCPU(s):                  ${ctx.profile.cpus}\n  On-line CPU(s) list:   0-${ctx.profile.cpus - 1}\nVendor ID:               GenuineIntel\n  Model name:            Intel(R) Xeon(R) Gold 6230R CPU @ 2.10GHz\n    CPU family:          6\n    Model:               85\n    Thread(s) per core:  1\n    Core(s) per socket:  ${ctx.profile.cpus}\n    Socket(s):           1\nVirtualization features: \n  Hypervisor vendor:     KVM\n  Virtualization type:   full\n`,
  );

const env: CommandFn = (ctx) => ok([...ctx.env.entries()].map(([k, v]) => `${k}=${v}`).join('\n') + '\n');

/** Commands the fake shell implements. Binaries present in /usr/bin but missing here succeed silently. */
export const COMMANDS: ReadonlyMap<string, CommandFn> = new Map<string, CommandFn>([
  ['cat', cat],
  ['cd', cd],
  ['chmod', chmod],
  ['clear', (ctx) => (ctx.effect({ kind: 'clear' }), ok('\x1b[H\x1b[2J\x1b[3J'))],
  ['curl', curl],
  ['date', date],
  ['df', df],
  ['echo', echo],
  ['env', env],
  ['exit', (ctx) => (ctx.effect({ kind: 'exit' }), ok())],
  ['export', exportCmd],
  ['false', () => ({ out: '', err: '', code: 1 })],
  ['free', free],
  ['ftpget', notFoundDownloader('ftpget')],
  ['grep', grep],
  ['head', headTail(false)],
  ['history', history],
  ['hostname', (ctx) => ok(`${ctx.profile.hostname}\n`)],
  ['id', id],
  ['ifconfig', ifconfig],
  ['ip', ip],
  ['logout', (ctx) => (ctx.effect({ kind: 'exit' }), ok())],
  ['ls', ls],
  ['lscpu', lscpu],
  ['mkdir', mkdir],
  ['nproc', nproc],
  ['ping', ping],
  ['ps', ps],
  ['pwd', (ctx) => ok(`${ctx.cwd}\n`)],
  ['rm', rm],
  ['sh', shellC],
  ['bash', shellC],
  ['sudo', sudo],
  ['tail', headTail(true)],
  ['tftp', notFoundDownloader('tftp')],
  ['touch', touch],
  ['true', () => ok()],
  ['uname', uname],
  ['unset', (ctx, args) => (args.forEach((a) => ctx.env.delete(a)), ok())],
  ['uptime', (ctx) => ok(`${uptimeText(ctx.profile)}\n`)],
  ['w', w],
  ['wc', wc],
  ['wget', wget],
  ['which', which],
  ['whoami', (ctx) => ok(`${ctx.profile.user}\n`)],
]);
