// Fleet generation for `decnet deploy`: turns flags (or a fleet INI file) into a list of
// deckies with IPs, distros, hostnames and services, and renders the fleet compose file. One
// seeded random source drives every draw, so the same inputs give the same file.
import { getArchetype } from './catalog/archetypes.js';
import { DISTROS, buildBaseImageRef, distroImageRef, generateHostname, getDistro } from './catalog/distros.js';
import { type OsFamily, osSysctls } from './catalog/os-profiles.js';
import { type ConfigValue, DECKY_SERVICE_SLUGS, coerceServiceConfig, getService, isDeckyService } from './catalog/services.js';
import {
  CONTAINER_LOGGING,
  type ComposeFile,
  type ComposeService,
  DEFAULT_ARTIFACTS_ROOT,
  DEFAULT_TEMPLATES_ROOT,
  serviceFragment,
} from './compose.js';
import { TopologyInputError } from './errors.js';
import { type CustomServiceDef, type FleetIni, NAME_PATTERN, isHostPort } from './fleet-ini.js';
import { type Cidr, broadcastOf, cidrContains, defaultGateway, formatCidr, formatIpv4, parseCidr, parseIpv4, smallestCovering } from './net.js';
import { type Rng, createRng } from './random.js';

/** Most deckies one fleet may hold: a single host cannot run more, and a typo must not render millions. */
export const MAX_FLEET_DECKIES = 4096;

/** Redraws of a random service set that repeats an earlier decky's set. */
export const SERVICE_REDRAWS = 20;

/** Redraws of a hostname already used in the fleet before a numeric suffix is added. */
export const HOSTNAME_REDRAWS = 50;

/** Name of the macvlan/ipvlan network every fleet decky joins. */
export const FLEET_NETWORK = 'decnet_lan';

/** Compose project name of the fleet, passed as `docker compose -p` (compose files carry no `name:`). */
export const FLEET_PROJECT = 'decnet';

/** One fleet decky, fully decided. */
export interface FleetDecky {
  readonly name: string;
  readonly ip: string;
  readonly services: readonly string[];
  readonly distro: string;
  readonly hostname: string;
  readonly archetype: string | null;
  readonly nmapOs: OsFamily;
  /** Per service: coerced config values. */
  readonly serviceConfig: Readonly<Record<string, Readonly<Record<string, ConfigValue>>>>;
  readonly mutateInterval: number | null;
}

/** A fleet ready to render. */
export interface FleetPlan {
  readonly seed: number;
  readonly interface: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly hostIp: string | null;
  readonly ipvlan: boolean;
  readonly logTarget?: string;
  readonly deckies: readonly FleetDecky[];
  readonly customServices: readonly CustomServiceDef[];
}

/** What a fleet is built from: `decnet deploy` flags, optionally with a parsed INI file. */
export interface FleetOptions {
  readonly seed: number;
  /** Host interface the macvlan/ipvlan network hangs off. */
  readonly interface: string;
  /** Decoy LAN CIDR (the INI's `net` is used when this is absent). */
  readonly subnet?: string;
  /** @default the first host of the subnet */
  readonly gateway?: string;
  /** The host's own address on that LAN: never handed to a decky. */
  readonly hostIp?: string | null;
  /** First address to hand out. @default the first host of the subnet */
  readonly ipStart?: string;
  /** @default false (macvlan) */
  readonly ipvlan?: boolean;
  /** `host:port` the services send their logs to (LOG_TARGET). */
  readonly logTarget?: string;
  readonly deckies?: number;
  readonly services?: readonly string[];
  readonly randomizeServices?: boolean;
  readonly archetype?: string;
  readonly distros?: readonly string[];
  readonly randomizeDistros?: boolean;
  readonly ini?: FleetIni;
}

const bad = (field: string, msg: string): never => {
  throw new TopologyInputError(field, msg);
};

function checkServices(list: readonly string[], field: string, custom: ReadonlySet<string>): string[] {
  if (list.length === 0) bad(field, 'service list is empty');
  const seen = new Set<string>();
  for (const s of list) {
    if (getService(s)?.singleton) bad(field, `service "${s}" is a fleet singleton and cannot run inside a decky`);
    if (!isDeckyService(s) && !custom.has(s)) bad(field, `unknown service "${s}" (run "decnet service catalog" for the list)`);
    if (seen.has(s)) bad(field, `service "${s}" is listed twice`);
    seen.add(s);
  }
  return [...list].sort();
}

function randomServices(rng: Rng, used: Set<string>): string[] {
  let pick: string[] = [];
  for (let i = 0; i < SERVICE_REDRAWS; i++) {
    pick = rng.sample(DECKY_SERVICE_SLUGS, rng.int(1, 3)).sort();
    if (!used.has(pick.join(','))) break;
  }
  used.add(pick.join(','));
  return pick;
}

function uniqueHostname(distro: string, rng: Rng, used: Set<string>): string {
  let name = generateHostname(distro, rng);
  for (let i = 0; i < HOSTNAME_REDRAWS && used.has(name); i++) name = generateHostname(distro, rng);
  if (used.has(name)) {
    let n = 2;
    while (used.has(`${name}-${n}`)) n++;
    name = `${name}-${n}`;
  }
  used.add(name);
  return name;
}

/**
 * Hands out `count` addresses of `subnet` from `start`, skipping the network, broadcast,
 * gateway and host addresses and every address in `taken`. Throws TopologyInputError naming
 * the subnet when it holds fewer free addresses than asked.
 */
export function allocateFleetIps(subnet: Cidr, opts: { count: number; start: number; gateway: number; hostIp: number | null; taken: ReadonlySet<number> }): string[] {
  const out: string[] = [];
  const last = broadcastOf(subnet) - 1;
  for (let ip = Math.max(opts.start, subnet.network + 1); ip <= last && out.length < opts.count; ip++) {
    if (ip === opts.gateway || ip === opts.hostIp || opts.taken.has(ip)) continue;
    out.push(formatIpv4(ip));
  }
  if (out.length < opts.count) {
    bad('deckies', `subnet ${formatCidr(subnet)} has only ${out.length} free addresses from ${formatIpv4(opts.start)}, ${opts.count} deckies requested`);
  }
  return out;
}

interface DeckyDraft {
  name: string;
  ip?: string;
  services?: readonly string[];
  archetype?: string;
  distro?: string;
  nmapOs?: OsFamily;
  mutateInterval?: number;
  serviceConfig: Readonly<Record<string, Readonly<Record<string, string>>>>;
  field: string;
}

/**
 * Decides every decky of a fleet. Throws TopologyInputError (one line naming the problem) for
 * an unknown service, archetype or distro, a bad CIDR or address, duplicate names, a fleet
 * larger than the subnet, or a missing service source (`--services`, `--archetype` or
 * `--randomize-services`).
 */
export function buildFleet(opts: FleetOptions): FleetPlan {
  const rng = createRng(opts.seed);
  const ini = opts.ini;
  const subnetText = opts.subnet ?? ini?.general.subnet;
  if (subnetText === undefined) return bad('subnet', 'no subnet given (--subnet or [general] net)');
  const subnetParsed = parseCidr(subnetText);
  if (!subnetParsed.ok) return bad('subnet', `invalid subnet: ${subnetParsed.reason}`);
  const subnet = subnetParsed.value;
  if (subnet.prefix > 30) bad('subnet', `subnet ${subnetText} is too small for deckies (/30 or wider needed)`);
  const ipIn = (text: string | undefined, field: string): number | null => {
    if (text === undefined) return null;
    const n = parseIpv4(text);
    if (n === null) return bad(field, `invalid IPv4 address ${JSON.stringify(text)}`);
    if (!cidrContains(subnet, n)) return bad(field, `${text} is outside subnet ${formatCidr(subnet)}`);
    return n;
  };
  const gateway = ipIn(opts.gateway ?? ini?.general.gateway, 'gateway') ?? defaultGateway(subnet);
  const hostIp = opts.hostIp ? (cidrContains(subnet, parseIpv4(opts.hostIp) ?? -1) ? parseIpv4(opts.hostIp) : null) : null;
  const start = ipIn(opts.ipStart, 'ip-start') ?? subnet.network + 1;
  const logTarget = opts.logTarget ?? ini?.general.logTarget;
  if (logTarget !== undefined && !isHostPort(logTarget)) bad('log-target', `log target must be host:port, got ${JSON.stringify(logTarget)}`);
  const custom = new Map((ini?.customServices ?? []).map((c) => [c.slug, c]));
  for (const slug of custom.keys()) if (getService(slug)) bad('config', `[custom-${slug}] shadows the built-in service "${slug}"`);

  const archetype = opts.archetype !== undefined ? getArchetype(opts.archetype) : undefined;
  if (opts.archetype !== undefined && !archetype) bad('archetype', `unknown archetype "${opts.archetype}" (run "decnet archetype" for the list)`);
  const distroList = opts.distros ?? [];
  for (const d of distroList) if (!getDistro(d)) bad('distro', `unknown distro "${d}" (run "decnet distro" for the list)`);
  const flagServices = opts.services !== undefined ? checkServices(opts.services, 'services', new Set()) : undefined;

  // Drafts: one per decky, from the INI sections (expanded) or from --deckies.
  const drafts: DeckyDraft[] = [];
  if (ini) {
    for (const s of ini.deckies) {
      const base: Omit<DeckyDraft, 'name'> = {
        field: `config [${s.name}]`,
        serviceConfig: s.serviceConfig,
        ...(s.ip !== undefined ? { ip: s.ip } : {}),
        ...(s.services !== undefined ? { services: s.services } : {}),
        ...(s.archetype !== undefined ? { archetype: s.archetype } : {}),
        ...(s.distro !== undefined ? { distro: s.distro } : {}),
        ...(s.nmapOs !== undefined ? { nmapOs: s.nmapOs } : {}),
        ...(s.mutateInterval !== undefined ? { mutateInterval: s.mutateInterval } : {}),
      };
      if (s.amount === 1) drafts.push({ ...base, name: s.name });
      else for (let i = 1; i <= s.amount; i++) drafts.push({ ...base, name: `${s.name}-${String(i).padStart(2, '0')}` });
    }
  } else {
    const n = opts.deckies;
    if (n === undefined) return bad('deckies', '--deckies N is required (or --config FILE)');
    if (!Number.isInteger(n) || n < 1) bad('deckies', `--deckies must be a positive integer, got ${n}`);
    if (!flagServices && !archetype && !opts.randomizeServices) bad('services', 'one of --services, --archetype or --randomize-services is required');
    for (let i = 1; i <= n; i++) drafts.push({ name: `decky-${String(i).padStart(2, '0')}`, field: 'deckies', serviceConfig: {} });
  }
  if (drafts.length > MAX_FLEET_DECKIES) bad('deckies', `${drafts.length} deckies requested; at most ${MAX_FLEET_DECKIES} per fleet`);

  const names = new Set<string>();
  for (const d of drafts) {
    if (!NAME_PATTERN.test(d.name)) bad(d.field, `bad decky name ${JSON.stringify(d.name)}`);
    if (names.has(d.name)) bad(d.field, `duplicate decky name "${d.name}"`);
    names.add(d.name);
  }

  // Addresses: explicit ones are reserved first, then the rest are handed out in order.
  const taken = new Set<number>();
  for (const d of drafts) {
    if (d.ip === undefined) continue;
    const n = ipIn(d.ip, d.field) as number;
    if (n === gateway || n === hostIp || n === subnet.network || n === broadcastOf(subnet)) bad(d.field, `${d.ip} is the network, broadcast, gateway or host address`);
    if (taken.has(n)) bad(d.field, `address ${d.ip} is given to two deckies`);
    taken.add(n);
  }
  const auto = allocateFleetIps(subnet, { count: drafts.filter((d) => d.ip === undefined).length, start, gateway, hostIp, taken });

  const usedCombos = new Set<string>();
  const usedHostnames = new Set<string>();
  const deckies: FleetDecky[] = [];
  let autoIndex = 0;
  for (const [index, d] of drafts.entries()) {
    const arch = d.archetype !== undefined ? getArchetype(d.archetype) : archetype;
    if (d.archetype !== undefined && !arch) bad(d.field, `unknown archetype "${d.archetype}" (run "decnet archetype" for the list)`);
    if (d.distro !== undefined && !getDistro(d.distro)) bad(d.field, `unknown distro "${d.distro}" (run "decnet distro" for the list)`);
    let distro: string;
    if (d.distro !== undefined) distro = d.distro;
    else if (distroList.length > 0) distro = distroList[index % distroList.length] as string;
    else if (opts.randomizeDistros) distro = rng.choice(DISTROS).slug;
    else {
      const pool = arch ? arch.preferredDistros : DISTROS.map((x) => x.slug);
      distro = pool[index % pool.length] as string;
    }
    const hostname = uniqueHostname(distro, rng, usedHostnames);
    let services: string[];
    if (d.services !== undefined) services = checkServices(d.services, d.field, new Set(custom.keys()));
    else if (!ini && flagServices) services = flagServices;
    else if (arch) services = [...arch.services].sort();
    else if (opts.randomizeServices || ini) services = randomServices(rng, usedCombos);
    else return bad('services', 'one of --services, --archetype or --randomize-services is required');
    const serviceConfig: Record<string, Record<string, ConfigValue>> = {};
    for (const [svc, raw] of Object.entries(d.serviceConfig)) {
      if (!services.includes(svc)) bad(d.field, `[${d.name.replace(/-\d\d$/, '')}.${svc}] configures ${svc}, which this decky does not run`);
      if (custom.has(svc)) bad(d.field, `custom service ${svc} takes no [decky.${svc}] config`);
      const c = coerceServiceConfig(svc, raw);
      if (c.unknownKeys.length > 0) {
        const known = getService(svc)?.fields.map((f) => f.key) ?? [];
        bad(d.field, `unknown key "${c.unknownKeys[0]}" for service ${svc} (known: ${known.join(', ') || 'none'})`);
      }
      if (c.problems.length > 0) bad(d.field, c.problems[0] as string);
      serviceConfig[svc] = { ...c.values };
    }
    const ip = d.ip ?? (auto[autoIndex++] as string);
    deckies.push({
      name: d.name,
      ip,
      services,
      distro,
      hostname,
      archetype: arch?.slug ?? null,
      nmapOs: d.nmapOs ?? arch?.nmapOs ?? 'linux',
      serviceConfig,
      mutateInterval: d.mutateInterval ?? null,
    });
  }
  return {
    seed: opts.seed,
    interface: opts.interface,
    subnet: formatCidr(subnet),
    gateway: formatIpv4(gateway),
    hostIp: hostIp === null ? null : formatIpv4(hostIp),
    ipvlan: opts.ipvlan ?? false,
    ...(logTarget !== undefined ? { logTarget } : {}),
    deckies,
    customServices: [...custom.values()],
  };
}

/** Where the renderers find service build contexts and per-decky artifact directories. */
export interface RenderPaths {
  /** @default {@link DEFAULT_TEMPLATES_ROOT} */
  readonly templatesRoot?: string;
  /** @default {@link DEFAULT_ARTIFACTS_ROOT} */
  readonly artifactsRoot?: string;
}

function putService(services: Record<string, ComposeService>, key: string, value: ComposeService): void {
  if (key in services) throw new TopologyInputError('deckies', `container "${key}" would be defined twice (rename a decky)`);
  services[key] = value;
}

/**
 * Renders the fleet compose document: per decky a base container that owns the IP, hostname
 * and OS sysctls, and one container per service sharing its network namespace; the
 * macvlan (or ipvlan L2) network is declared with its IPAM so compose creates it.
 */
export function renderFleetCompose(plan: FleetPlan, paths: RenderPaths = {}): ComposeFile {
  const templatesRoot = paths.templatesRoot ?? DEFAULT_TEMPLATES_ROOT;
  const artifactsRoot = paths.artifactsRoot ?? DEFAULT_ARTIFACTS_ROOT;
  const services: Record<string, ComposeService> = {};
  const custom = new Map(plan.customServices.map((c) => [c.slug, c]));
  for (const d of plan.deckies) {
    const distro = getDistro(d.distro) ?? (DISTROS[0] as NonNullable<ReturnType<typeof getDistro>>);
    putService(services, d.name, {
      image: distroImageRef(distro),
      container_name: d.name,
      hostname: d.hostname,
      command: ['sleep', 'infinity'],
      restart: 'unless-stopped',
      networks: { [FLEET_NETWORK]: { ipv4_address: d.ip } },
      sysctls: osSysctls(d.nmapOs),
      cap_add: ['NET_ADMIN'],
      logging: structuredClone(CONTAINER_LOGGING) as ComposeService['logging'],
      labels: { 'decnet.fleet.decky': d.name, 'decnet.fleet.role': 'base' },
    });
    for (const slug of d.services) {
      const labels = { 'decnet.fleet.service': 'true', 'decnet.fleet.decky': d.name, 'decnet.fleet.service_name': slug };
      const c = custom.get(slug);
      if (c) {
        const environment: Record<string, string> = { NODE_NAME: d.name, HOSTNAME: d.hostname };
        if (plan.logTarget !== undefined) environment['LOG_TARGET'] = plan.logTarget;
        putService(services, `${d.name}-${slug}`, {
          image: c.image,
          container_name: `${d.name}-${slug}`,
          ...(c.command ? { command: [...c.command] } : {}),
          restart: 'unless-stopped',
          environment,
          network_mode: `service:${d.name}`,
          depends_on: [d.name],
          logging: structuredClone(CONTAINER_LOGGING) as ComposeService['logging'],
          labels,
        });
        continue;
      }
      const svc = getService(slug);
      if (!svc || svc.singleton) continue;
      putService(
        services,
        `${d.name}-${slug}`,
        serviceFragment({
          svc,
          values: d.serviceConfig[slug] ?? {},
          deckyName: d.name,
          hostname: d.hostname,
          containerName: `${d.name}-${svc.containerSuffix}`,
          baseKey: d.name,
          buildBase: buildBaseImageRef(distro),
          templatesRoot,
          artifactsRoot,
          ...(plan.logTarget !== undefined ? { logTarget: plan.logTarget } : {}),
          labels,
        }),
      );
    }
  }
  const range = smallestCovering(plan.deckies.map((d) => parseIpv4(d.ip) as number));
  return {
    services,
    networks: {
      [FLEET_NETWORK]: {
        name: FLEET_NETWORK,
        driver: plan.ipvlan ? 'ipvlan' : 'macvlan',
        driver_opts: plan.ipvlan ? { parent: plan.interface, ipvlan_mode: 'l2' } : { parent: plan.interface },
        ipam: { config: [{ subnet: plan.subnet, gateway: plan.gateway, ip_range: formatCidr(range) }] },
      },
    },
    'x-decnet': { kind: 'fleet', project: FLEET_PROJECT, seed: plan.seed, deckies: plan.deckies.length },
  };
}
