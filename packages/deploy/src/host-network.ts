// This host's network as the kernel reports it: the IPv4 routing table (/proc/net/route), the
// default-route interface and its on-link LAN, and an interface's own address. Fleet defaults.
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { formatCidr, formatIpv4 } from '@decnet/topology';

/** Interface named when no default route exists. */
export const FALLBACK_INTERFACE = 'eth0';

/** Subnet a dry run uses when the interface's LAN cannot be read (no routes, e.g. a sandbox). */
export const FALLBACK_SUBNET = '192.168.1.0/24';

/** Where the kernel lists IPv4 routes. */
const PROC_NET_ROUTE = '/proc/net/route';

/** One parsed line of /proc/net/route. */
export interface Route {
  iface: string;
  destination: number;
  gateway: number;
  mask: number;
}

function hexToIp(hex: string): number {
  // /proc/net/route prints addresses as little-endian hex.
  const n = Number.parseInt(hex, 16) >>> 0;
  return (((n & 0xff) << 24) | (((n >>> 8) & 0xff) << 16) | (((n >>> 16) & 0xff) << 8) | ((n >>> 24) & 0xff)) >>> 0;
}

/** Parses /proc/net/route text; malformed lines are skipped. */
export function parseRoutes(text: string): Route[] {
  const routes: Route[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !/^[0-9A-Fa-f]{8}$/.test(f[1] ?? '') || !/^[0-9A-Fa-f]{8}$/.test(f[2] ?? '') || !/^[0-9A-Fa-f]{8}$/.test(f[7] ?? '')) continue;
    routes.push({ iface: f[0] as string, destination: hexToIp(f[1] as string), gateway: hexToIp(f[2] as string), mask: hexToIp(f[7] as string) });
  }
  return routes;
}

/** The interface of the default route, or undefined. */
export function defaultRouteInterface(routes: readonly Route[]): string | undefined {
  return routes.find((r) => r.destination === 0 && r.mask === 0)?.iface;
}

/** The on-link LAN of `iface` (subnet and default gateway) from the routing table, when known. */
export function lanOfInterface(routes: readonly Route[], iface: string): { subnet: string; gateway?: string } | undefined {
  const link = routes.find((r) => r.iface === iface && r.gateway === 0 && r.mask !== 0 && r.mask !== 0xffffffff);
  if (!link) return undefined;
  let prefix = 0;
  while (prefix < 32 && ((link.mask >>> (31 - prefix)) & 1) === 1) prefix++;
  const gw = routes.find((r) => r.iface === iface && r.destination === 0 && r.mask === 0)?.gateway;
  return { subnet: formatCidr({ network: link.destination & link.mask, prefix }), ...(gw ? { gateway: formatIpv4(gw) } : {}) };
}

/** This host's IPv4 routes; none when the table cannot be read. */
export function readRoutes(): Route[] {
  try {
    return parseRoutes(readFileSync(PROC_NET_ROUTE, 'utf8'));
  } catch {
    return [];
  }
}

/** The first non-internal IPv4 address of `iface`, or null. */
export function hostAddress(iface: string): string | null {
  return networkInterfaces()[iface]?.find((a) => a.family === 'IPv4' && !a.internal)?.address ?? null;
}
