// OS fingerprint profiles: the kernel sysctls a decky's base container sets so that nmap's
// TCP/IP stack probes see the family the decky pretends to be.

/** The OS families a decky can imitate. */
export const OS_FAMILIES = ['linux', 'windows', 'bsd', 'embedded', 'cisco'] as const;

/** One of {@link OS_FAMILIES}. */
export type OsFamily = (typeof OS_FAMILIES)[number];

/** Sysctl keys every profile sets, all under `net.ipv4.`, in the order they are rendered. */
export const OS_SYSCTL_KEYS = [
  'ip_default_ttl',
  'tcp_syn_retries',
  'tcp_timestamps',
  'tcp_window_scaling',
  'tcp_sack',
  'tcp_ecn',
  'ip_no_pmtu_disc',
  'tcp_fin_timeout',
  'icmp_ratelimit',
  'icmp_ratemask',
] as const;

type Row = readonly [linux: string, windows: string, bsd: string, embedded: string, cisco: string];

// Column order follows OS_FAMILIES; values are strings because compose passes them verbatim.
const TABLE: Readonly<Record<(typeof OS_SYSCTL_KEYS)[number], Row>> = {
  ip_default_ttl: ['64', '128', '64', '255', '255'],
  tcp_syn_retries: ['6', '2', '6', '3', '2'],
  tcp_timestamps: ['1', '0', '1', '0', '0'],
  tcp_window_scaling: ['1', '1', '1', '0', '0'],
  tcp_sack: ['1', '1', '1', '0', '0'],
  tcp_ecn: ['2', '0', '0', '0', '0'],
  ip_no_pmtu_disc: ['0', '0', '0', '1', '1'],
  tcp_fin_timeout: ['60', '30', '60', '15', '15'],
  icmp_ratelimit: ['1000', '0', '250', '0', '0'],
  icmp_ratemask: ['6168', '0', '6168', '0', '0'],
};

/** True when `name` is a known OS family. */
export function isOsFamily(name: string): name is OsFamily {
  return (OS_FAMILIES as readonly string[]).includes(name);
}

/**
 * The sysctls for an OS family as `net.ipv4.<key>` → string value. An unknown family falls back
 * to `linux` (callers that take operator input reject unknown families before this).
 */
export function osSysctls(family: string): Record<string, string> {
  const col = isOsFamily(family) ? OS_FAMILIES.indexOf(family) : 0;
  const out: Record<string, string> = {};
  for (const key of OS_SYSCTL_KEYS) out[`net.ipv4.${key}`] = TABLE[key][col] as string;
  return out;
}
