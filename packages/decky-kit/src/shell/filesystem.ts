// The fake shell's filesystem: a plausible Ubuntu 22.04 server tree built per session from the
// machine profile, plus a small bounded overlay for what the attacker writes (echo > file,
// touch, mkdir), so a honeypot check like `echo x > /tmp/t; cat /tmp/t` answers like a real box.
import { KERNEL_BUILD, type MachineProfile } from './profile.js';

/** A file, directory or symlink. */
export interface FsNode {
  readonly kind: 'file' | 'dir' | 'link';
  /** `-rw-r--r--`-style permission string without the type letter. */
  readonly mode: string;
  readonly owner: string;
  readonly group: string;
  /** File content (files), target (links). */
  content: string;
  /** Children by name (directories). */
  readonly children?: Map<string, FsNode>;
  /** Reading the file needs root (`/etc/shadow`). */
  readonly rootOnly?: boolean;
  mtime: Date;
}

/** Total bytes an attacker may write into the overlay per session; beyond, writes fail with ENOSPC. */
export const MAX_OVERLAY_BYTES = 256 * 1024;
/** Entries an attacker may create per session. */
export const MAX_OVERLAY_ENTRIES = 256;

const BINARIES = [
  'apt', 'apt-get', 'awk', 'base64', 'bash', 'cat', 'chmod', 'chown', 'cp', 'crontab', 'curl', 'cut', 'date', 'dd', 'df', 'dpkg',
  'du', 'echo', 'env', 'find', 'free', 'grep', 'gzip', 'head', 'hostname', 'id', 'ip', 'kill', 'ln', 'ls', 'mkdir', 'mount', 'mv', 'nproc', 'perl', 'ping', 'ps', 'pwd', 'python3', 'rm', 'scp', 'sed', 'sh', 'sleep', 'sort',
  'ssh', 'sudo', 'tail', 'tar', 'touch', 'uname', 'uniq', 'uptime', 'w', 'wc', 'wget', 'which', 'whoami', 'xargs',
];

function dir(owner = 'root', mode = 'rwxr-xr-x', group = owner): FsNode {
  return { kind: 'dir', mode, owner, group, content: '', children: new Map(), mtime: new Date(Date.UTC(2024, 1, 16, 9, 12)) };
}

function file(content: string, owner = 'root', mode = 'rw-r--r--', rootOnly = false, group = owner): FsNode {
  return { kind: 'file', mode, owner, group, content, rootOnly, mtime: new Date(Date.UTC(2024, 1, 16, 9, 12)) };
}

function link(target: string): FsNode {
  return { kind: 'link', mode: 'rwxrwxrwx', owner: 'root', group: 'root', content: target, mtime: new Date(Date.UTC(2024, 1, 16, 9, 12)) };
}

/** The fake filesystem of one session. */
export class FakeFilesystem {
  readonly root: FsNode = dir();
  private overlayBytes = 0;
  private overlayEntries = 0;

  constructor(readonly profile: MachineProfile) {
    this.build();
  }

  /** Resolves `path` against `cwd` to a normalised absolute path (`~` is the user's home). */
  resolvePath(cwd: string, path: string): string {
    let p = path;
    if (p === '~' || p.startsWith('~/')) p = this.profile.home + p.slice(1);
    const parts = (p.startsWith('/') ? p : `${cwd}/${p}`).split('/');
    const out: string[] = [];
    for (const part of parts) {
      if (part === '' || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return `/${out.join('/')}`;
  }

  /** The node at an absolute path (symlinks followed up to 8 times), or `null`. */
  lookup(path: string, followLast = true, depth = 0): FsNode | null {
    if (depth > 8) return null;
    const parts = path.split('/').filter((p) => p !== '');
    let node: FsNode = this.root;
    let here = '';
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i] as string;
      const child = node.children?.get(name);
      if (!child) return null;
      here += `/${name}`;
      if (child.kind === 'link' && (followLast || i < parts.length - 1)) {
        const target = this.resolvePath(here.slice(0, here.lastIndexOf('/')) || '/', child.content);
        const resolved = this.lookup(target, true, depth + 1);
        if (!resolved) return null;
        node = resolved;
      } else {
        node = child;
      }
    }
    return node;
  }

  /**
   * Writes (or appends to) a file in the overlay. Fails with a bash-style reason when the parent is
   * missing, the target is a directory, or the session's overlay budget is spent.
   */
  writeFile(path: string, content: string, append: boolean): 'ok' | 'enoent' | 'eisdir' | 'enospc' | 'eacces' {
    const parent = this.lookup(path.slice(0, path.lastIndexOf('/')) || '/');
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (!parent || parent.kind !== 'dir' || name === '') return 'enoent';
    if (!this.canWrite(parent)) return 'eacces';
    const existing = parent.children?.get(name);
    if (existing?.kind === 'dir') return 'eisdir';
    const grow = content.length;
    if (this.overlayBytes + grow > MAX_OVERLAY_BYTES || (!existing && this.overlayEntries >= MAX_OVERLAY_ENTRIES)) return 'enospc';
    this.overlayBytes += grow;
    if (existing && existing.kind === 'file') {
      existing.content = append ? existing.content + content : content;
      existing.mtime = this.profile.now();
    } else {
      this.overlayEntries++;
      const f = file(content, this.profile.user, 'rw-rw-r--');
      f.mtime = this.profile.now();
      parent.children?.set(name, f);
    }
    return 'ok';
  }

  /** Creates a directory in the overlay. */
  makeDir(path: string): 'ok' | 'enoent' | 'eexist' | 'enospc' | 'eacces' {
    const parent = this.lookup(path.slice(0, path.lastIndexOf('/')) || '/');
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (!parent || parent.kind !== 'dir' || name === '') return 'enoent';
    if (parent.children?.has(name)) return 'eexist';
    if (!this.canWrite(parent)) return 'eacces';
    if (this.overlayEntries >= MAX_OVERLAY_ENTRIES) return 'enospc';
    this.overlayEntries++;
    const d = dir(this.profile.user, 'rwxrwxr-x');
    d.mtime = this.profile.now();
    parent.children?.set(name, d);
    return 'ok';
  }

  /** Removes an entry (rm); directories only when `recursive`. */
  remove(path: string, recursive: boolean): 'ok' | 'enoent' | 'eisdir' | 'eacces' {
    const parent = this.lookup(path.slice(0, path.lastIndexOf('/')) || '/');
    const name = path.slice(path.lastIndexOf('/') + 1);
    const node = parent?.children?.get(name);
    if (!parent || !node) return 'enoent';
    if (node.kind === 'dir' && !recursive) return 'eisdir';
    if (!this.canWrite(parent)) return 'eacces';
    parent.children?.delete(name);
    return 'ok';
  }

  private canWrite(node: FsNode): boolean {
    return this.profile.uid === 0 || node.owner === this.profile.user || node.mode.charAt(7) === 'w';
  }

  private put(path: string, node: FsNode): void {
    const parts = path.split('/').filter((p) => p !== '');
    let here = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      const name = parts[i] as string;
      let next = here.children?.get(name);
      if (!next) {
        next = dir();
        here.children?.set(name, next);
      }
      here = next;
    }
    here.children?.set(parts[parts.length - 1] as string, node);
  }

  private build(): void {
    const p = this.profile;
    for (const d of ['boot', 'dev', 'etc', 'home', 'media', 'mnt', 'opt', 'proc', 'root', 'run', 'srv', 'sys', 'usr', 'var']) this.put(`/${d}`, dir());
    this.put('/root', dir('root', 'rwx------'));
    this.put('/tmp', dir('root', 'rwxrwxrwt'));
    for (const l of ['bin', 'lib', 'lib64', 'sbin']) this.put(`/${l}`, link(`usr/${l}`));
    this.put('/usr/bin', dir());
    for (const b of BINARIES) this.put(`/usr/bin/${b}`, file('\u007fELF', 'root', 'rwxr-xr-x'));
    this.put('/usr/sbin', dir());
    this.put('/usr/lib', dir());
    this.put('/usr/lib64', dir());
    this.put('/usr/local/bin', dir());
    this.put('/etc/hostname', file(`${p.hostname}\n`));
    this.put('/etc/hosts', file(`127.0.0.1 localhost\n127.0.1.1 ${p.hostname}\n\n::1     ip6-localhost ip6-loopback\nfe00::0 ip6-localnet\nff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n`));
    this.put(
      '/etc/os-release',
      file(
        'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n' +
          'HOME_URL="https://www.ubuntu.com/"\nSUPPORT_URL="https://help.ubuntu.com/"\nBUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"\n' +
          'PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"\nUBUNTU_CODENAME=jammy\n',
      ),
    );
    this.put('/etc/lsb-release', file('DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.4 LTS"\n'));
    this.put('/etc/issue', file('Ubuntu 22.04.4 LTS \\n \\l\n\n'));
    this.put('/etc/issue.net', file('Ubuntu 22.04.4 LTS\n'));
    this.put('/etc/debian_version', file('bookworm/sid\n'));
    this.put('/etc/resolv.conf', file('nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n'));
    this.put('/etc/shells', file('# /etc/shells: valid login shells\n/bin/sh\n/bin/bash\n/usr/bin/bash\n/bin/dash\n/usr/bin/dash\n'));
    this.put(
      '/etc/passwd',
      file(
        'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\n' +
          'sys:x:3:3:sys:/dev:/usr/sbin/nologin\nsync:x:4:65534:sync:/bin:/bin/sync\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n' +
          'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nsystemd-network:x:100:102:systemd Network Management,,,:/run/systemd:/usr/sbin/nologin\n' +
          'messagebus:x:103:104::/nonexistent:/usr/sbin/nologin\nsshd:x:105:65534::/run/sshd:/usr/sbin/nologin\n' +
          (p.uid === 0 ? '' : `${p.user}:x:${p.uid}:${p.uid}:${p.user},,,:${p.home}:/bin/bash\n`),
      ),
    );
    this.put(
      '/etc/group',
      file(`root:x:0:\nadm:x:4:syslog${p.uid === 0 ? '' : `,${p.user}`}\nsudo:x:27:${p.uid === 0 ? '' : p.user}\nwww-data:x:33:\n${p.uid === 0 ? '' : `${p.user}:x:${p.uid}:\n`}`),
    );
    this.put('/etc/shadow', file('root:$6$Qx1v2...:19769:0:99999:7:::\n', 'root', 'rw-r-----', true, 'shadow'));
    this.put('/etc/crontab', file('SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin\n\n17 *\t* * *\troot\tcd / && run-parts --report /etc/cron.hourly\n'));
    this.put('/etc/ssh/sshd_config', file('Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\nUsePAM yes\nX11Forwarding yes\nPrintMotd no\nAcceptEnv LANG LC_*\nSubsystem sftp /usr/lib/openssh/sftp-server\nPasswordAuthentication yes\n'));
    this.put('/proc/version', file(`Linux version ${p.kernel} (buildd@lcy02-amd64-045) (gcc (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0, GNU ld (GNU Binutils for Ubuntu) 2.38) ${KERNEL_BUILD}\n`));
    this.put('/proc/cpuinfo', file(cpuinfo(p.cpus)));
    this.put('/proc/meminfo', file(`MemTotal:        ${p.memKb} kB\nMemFree:         ${Math.round(p.memKb * 0.41)} kB\nMemAvailable:    ${Math.round(p.memKb * 0.72)} kB\nBuffers:          120532 kB\nCached:          ${Math.round(p.memKb * 0.28)} kB\nSwapCached:            0 kB\nSwapTotal:       2097148 kB\nSwapFree:        2097148 kB\n`));
    this.put('/proc/mounts', file('/dev/sda2 / ext4 rw,relatime 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\ntmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=401536k,mode=755 0 0\n'));
    this.put('/root/.bashrc', file("# ~/.bashrc: executed by bash(1) for non-login shells.\n[ -z \"$PS1\" ] && return\nHISTCONTROL=ignoredups:ignorespace\nshopt -s histappend\nalias ls='ls --color=auto'\n"));
    this.put('/root/.profile', file('# ~/.profile: executed by Bourne-compatible login shells.\nif [ "$BASH" ]; then\n  if [ -f ~/.bashrc ]; then\n    . ~/.bashrc\n  fi\nfi\nmesg n 2> /dev/null || true\n'));
    this.put('/root/.ssh', dir('root', 'rwx------'));
    this.put('/root/.ssh/authorized_keys', file('', 'root', 'rw-------'));
    if (p.uid !== 0) {
      this.put(p.home, dir(p.user, 'rwxr-x---'));
      this.put(`${p.home}/.bashrc`, file("# ~/.bashrc: executed by bash(1) for non-login shells.\ncase $- in\n    *i*) ;;\n      *) return;;\nesac\nalias ll='ls -alF'\n", p.user));
      this.put(`${p.home}/.profile`, file('# ~/.profile: executed by the command interpreter for login shells.\nif [ -n "$BASH_VERSION" ]; then\n    if [ -f "$HOME/.bashrc" ]; then\n\t. "$HOME/.bashrc"\n    fi\nfi\n', p.user));
      this.put(`${p.home}/.bash_logout`, file('# ~/.bash_logout: executed by bash(1) when login shell exits.\n', p.user));
      this.put(`${p.home}/.ssh`, dir(p.user, 'rwx------'));
    }
    this.put('/var/log', dir('root', 'rwxrwxr-x', 'syslog'));
    this.put('/var/log/auth.log', file('', 'syslog', 'rw-r-----', true, 'adm'));
    this.put('/var/log/syslog', file('', 'syslog', 'rw-r-----', true, 'adm'));
    this.put('/var/www/html/index.html', file('<html><body><h1>It works!</h1></body></html>\n'));
    this.put('/var/tmp', dir('root', 'rwxrwxrwt'));
    this.put('/opt/backup', dir());
    this.put('/opt/backup/db_backup.sh', file('#!/bin/sh\nmysqldump -u backup -p"Bkp#2023!" --all-databases | gzip > /opt/backup/all.sql.gz\n', 'root', 'rwxr-x---', true));
    this.put('/srv/.placeholder', file(''));
  }
}

function cpuinfo(cpus: number): string {
  let out = '';
  for (let i = 0; i < cpus; i++) {
    out +=
      `processor\t: ${i}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nmodel name\t: Intel(R) Xeon(R) Gold 6230R CPU @ 2.10GHz\n` +
      `stepping\t: 7\ncpu MHz\t\t: 2095.078\ncache size\t: 36608 KB\nphysical id\t: 0\nsiblings\t: ${cpus}\ncore id\t\t: ${i}\ncpu cores\t: ${cpus}\n` +
      'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology cpuid pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch avx2 avx512f\n' +
      'bogomips\t: 4190.15\naddress sizes\t: 46 bits physical, 48 bits virtual\n\n';
  }
  return out;
}
