// The machine a fake shell pretends to be: host name, logged-in user, kernel, hardware and
// addresses. One profile per session; the clock is injected so the shell stays pure.

/** What the fake shell shows about the machine and the user. */
export interface MachineProfile {
  readonly hostname: string;
  readonly user: string;
  readonly uid: number;
  readonly home: string;
  /** `uname -r`. */
  readonly kernel: string;
  readonly cpus: number;
  readonly memKb: number;
  /** The decky's address shown by ifconfig / ip a. */
  readonly ip: string;
  /** Where the session comes from (shown by `w`). */
  readonly clientIp: string;
  /** The clock (uptime, date, file times). */
  readonly now: () => Date;
  /** When the machine "booted" (uptime). */
  readonly bootedAt: Date;
}

/** Inputs of {@link makeProfile}; everything but the names has a plausible default. */
export interface ProfileInput {
  hostname: string;
  user: string;
  clientIp?: string;
  ip?: string;
  now?: () => Date;
  kernel?: string;
  cpus?: number;
  memKb?: number;
  /** Seconds the machine has been up at session start. @default 3 days 4 h (a patched server) */
  uptimeS?: number;
}

/** `uname -v`: the build string of the default kernel, also in /proc/version. */
export const KERNEL_BUILD = '#123-Ubuntu SMP Mon Jun 10 08:16:17 UTC 2024';

/** Address shown when the decky's real address is loopback (local runs): a LAN address looks real. */
export const FALLBACK_LAN_IP = '192.168.1.23';

/** Builds a profile; `root` gets uid 0 and `/root`, others uid 1000 and `/home/<user>`. */
export function makeProfile(input: ProfileInput): MachineProfile {
  const now = input.now ?? (() => new Date());
  const user = input.user || 'root';
  const uid = user === 'root' ? 0 : 1000;
  const ip = !input.ip || input.ip.startsWith('127.') || input.ip === '::1' || input.ip.includes(':') ? FALLBACK_LAN_IP : input.ip;
  return {
    hostname: input.hostname,
    user,
    uid,
    home: uid === 0 ? '/root' : `/home/${user}`,
    kernel: input.kernel ?? '5.15.0-113-generic',
    cpus: input.cpus ?? 2,
    memKb: input.memKb ?? 4015096,
    ip,
    clientIp: input.clientIp ?? '10.0.0.1',
    now,
    bootedAt: new Date(now().getTime() - (input.uptimeS ?? 3 * 86400 + 4 * 3600 + 17 * 60) * 1000),
  };
}
