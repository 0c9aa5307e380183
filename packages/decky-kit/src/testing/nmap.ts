// `nmap -sV` against one loopback port, reduced to what nmap names the service: the check that
// an emulator looks like what it claims to scanners, not just to clients.
import { runClient } from './clients.js';

/** What nmap's version detection reported for a port. */
export interface NmapFinding {
  readonly state: string;
  /** nmap's service name (`ssh`, `http`, `ftp`, `telnet`). */
  readonly service: string;
  /** The VERSION column (`OpenSSH 8.9p1 Ubuntu 3ubuntu0.10 (Ubuntu Linux; protocol 2.0)`). */
  readonly version: string;
  /** nmap's whole output, for the report when the finding is unexpected. */
  readonly output: string;
}

/** Longest an `nmap -sV` of one port may run (its probes wait up to several seconds each). */
export const NMAP_TIMEOUT_MS = 120_000;

/**
 * Runs `nmap -sV -Pn -p <port> 127.0.0.1` (call `ensureClients('nmap')` first).
 * @returns the finding for the port, or `null` when nmap printed no port line.
 */
export async function nmapVersionScan(port: number): Promise<NmapFinding | null> {
  const r = await runClient('nmap', ['-sV', '-Pn', '-n', '-p', String(port), '127.0.0.1'], { timeoutMs: NMAP_TIMEOUT_MS });
  const m = new RegExp(`^${port}/tcp\\s+(\\S+)\\s+(\\S+)\\s*(.*)$`, 'm').exec(r.stdout);
  if (!m) return null;
  return { state: m[1] ?? '', service: m[2] ?? '', version: (m[3] ?? '').trim(), output: r.stdout };
}
