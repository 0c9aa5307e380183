// `decnet deploy`: builds a fleet from flags or an INI file, renders the compose file, checks it
// against the Compose Specification, writes it, and (without --dry-run) starts it with
// `docker compose`. Bad input exits 2 and writes nothing; no Docker engine exits 1. Also home
// of what `decnet topology` shares with it: the engine probe, the compose-file writer, and the
// TopologyDriver that shells out to the docker CLI.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DecnetError } from '@decnet/core';
import {
  ComposeSchemaError,
  FLEET_NETWORK,
  FLEET_PROJECT,
  TopologyInputError,
  assertValidCompose,
  buildFleet,
  composeToYaml,
  formatCidr,
  formatIpv4,
  freshSeed,
  readFleetIni,
  renderFleetCompose,
  splitList,
  type ContainerState,
  type FleetIni,
  type RenderPaths,
  type TopologyDriver,
} from '@decnet/topology';
import { UsageError, parseCommandArgs, type CommandIO } from '../io.js';

/** Default output file, as upstream. */
export const DEFAULT_COMPOSE_FILE = 'decnet-compose.yml';

/** Interface named when no default route exists. */
export const FALLBACK_INTERFACE = 'eth0';

/** Subnet a dry run uses when the interface's LAN cannot be read (no routes, e.g. a sandbox). */
export const FALLBACK_SUBNET = '192.168.1.0/24';

/** How long the Docker engine gets to answer its ping. */
const DOCKER_PING_TIMEOUT_MS = 3_000;

/** Where the kernel lists IPv4 routes. */
const PROC_NET_ROUTE = '/proc/net/route';

export function help(): string {
  return [
    'Usage: decnet deploy --deckies N (--services a,b | --archetype A | --randomize-services) [options]',
    '       decnet deploy --config FLEET.ini [options]',
    '',
    'Renders the fleet compose file (one base container per decky owning its IP, hostname and OS',
    'fingerprint, one container per service in its network namespace), validates it against the',
    'Compose Specification, writes it, and starts it with docker compose unless --dry-run.',
    '',
    'Options:',
    '  -n, --deckies N            number of deckies (decky-01, decky-02, ...)',
    '      --services a,b         services every decky runs (see decnet services)',
    '      --randomize-services   1-3 random services per decky',
    '  -a, --archetype A          machine role (see decnet archetypes)',
    '      --distro a,b           distros, cycled (see decnet distros)',
    '      --randomize-distros    a random distro per decky',
    '      --subnet CIDR          decoy LAN (default: the LAN of the interface)',
    '      --gateway IP           LAN gateway (default: the default route, else the first host)',
    '      --ip-start IP          first address to hand out',
    '  -i, --interface IF         host NIC the macvlan hangs off (default: the default-route interface)',
    '      --ipvlan               ipvlan L2 instead of macvlan (Wi-Fi, some clouds)',
    '      --log-target HOST:PORT where services send their logs (LOG_TARGET)',
    '      --seed N               random seed; the same seed gives a byte-identical file',
    '  -o, --out FILE             compose file to write (default decnet-compose.yml)',
    '  -c, --config FILE          fleet INI file ([general] net/gw/interface/log_target, one [section] per decky)',
    '      --dry-run              write the file only: no Docker needed',
    '      --json                 print the summary as JSON',
    '',
    'Environment: DOCKER_HOST, DECNET_TEMPLATES_DIR (service build contexts), DECNET_ARTIFACTS_ROOT.',
    '',
  ].join('\n');
}

/** One parsed line of /proc/net/route. */
interface Route {
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

function readRoutes(): Route[] {
  try {
    return parseRoutes(readFileSync(PROC_NET_ROUTE, 'utf8'));
  } catch {
    return [];
  }
}

function hostAddress(iface: string): string | null {
  return networkInterfaces()[iface]?.find((a) => a.family === 'IPv4' && !a.internal)?.address ?? null;
}

/** Result of probing the Docker engine. */
export type DockerProbe = { ok: true; endpoint: string } | { ok: false; endpoint: string; reason: string };

/**
 * Pings the Docker engine named by DOCKER_HOST (unix:// or tcp://), else the default socket,
 * with GET /_ping. Resolves ok only for a 200 "OK" answer; never rejects.
 */
export function probeDocker(env: Record<string, string | undefined>, timeoutMs = DOCKER_PING_TIMEOUT_MS): Promise<DockerProbe> {
  const endpoint = env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
  let target: { socketPath: string } | { host: string; port: number };
  if (endpoint.startsWith('unix://')) target = { socketPath: endpoint.slice('unix://'.length) };
  else if (endpoint.startsWith('tcp://')) {
    const u = new URL(`http://${endpoint.slice('tcp://'.length)}`);
    target = { host: u.hostname, port: Number(u.port || 2375) };
  } else return Promise.resolve({ ok: false, endpoint, reason: 'unsupported DOCKER_HOST scheme (use unix:// or tcp://)' });
  return new Promise((done) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c.slice(0, 64)));
      res.on('end', () => {
        if (res.statusCode === 200 && body.trim() === 'OK') done({ ok: true, endpoint });
        else done({ ok: false, endpoint, reason: `unexpected answer to /_ping (HTTP ${res.statusCode ?? '?'})` });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => done({ ok: false, endpoint, reason: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end();
  });
}

/** The one-line error for an unreachable engine, naming where decnet looked and how to change it. */
export function noEngineMessage(probe: DockerProbe & { ok: false }, env: Record<string, string | undefined>): string {
  const source = env['DOCKER_HOST'] ? 'from DOCKER_HOST' : 'the default socket; set DOCKER_HOST to use another engine';
  return `no Docker engine reachable at ${probe.endpoint} (${probe.reason}; ${source})`;
}

/** How long a docker query (inspect, rm, ps, network create) may take before it is killed. */
export const DOCKER_QUERY_TIMEOUT_MS = 60_000;

/** Captured stdout kept per docker command; beyond this the head is dropped (ps of ~1000 containers fits). */
const MAX_CAPTURE_CHARS = 8 * 1024 * 1024;

/** Captured stderr kept per docker command for error messages (the tail, where docker says why). */
const MAX_STDERR_CHARS = 16 * 1024;

/** Thrown when a docker command cannot be started or exits non-zero; `stderr` is its tail. */
export class DockerCommandError extends DecnetError {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(`docker ${args.slice(0, 3).join(' ')}${args.length > 3 ? ' ...' : ''} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${summarise(args, stderr)}`, options);
  }
}

function summarise(args: readonly string[], stderr: string): string {
  // Without the Compose plugin the docker CLI reads `compose -p` as its own (unknown) flag.
  if (args[0] === 'compose' && /unknown (command|shorthand flag)/.test(stderr)) return 'the docker compose plugin is not installed';
  // `docker network rm` ends with a bare "exit status 1" after the line that says why.
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^exit status \d+$/.test(l));
  return (lines.at(-1) ?? 'no error output').slice(0, 300);
}

/** What a docker command printed and how it ended. */
export interface DockerResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runDocker}. */
export interface RunDockerOptions {
  /** Receives output as it arrives (progress of a long `compose up`). */
  readonly onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Kill the command after this long; `undefined` waits forever (builds can take many minutes). */
  readonly timeoutMs?: number;
}

/**
 * Runs `docker <args>` with `env` and resolves with its exit status and output, whatever the
 * status. Rejects with DockerCommandError only when docker cannot be started at all.
 */
export function runDocker(args: readonly string[], env: Record<string, string | undefined>, options: RunDockerOptions = {}): Promise<DockerResult> {
  return new Promise((done, fail) => {
    const child = spawn('docker', args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      options.onOutput?.(c, 'stdout');
      stdout = (stdout + c).slice(-MAX_CAPTURE_CHARS);
    });
    child.stderr.on('data', (c: string) => {
      options.onOutput?.(c, 'stderr');
      stderr = (stderr + c).slice(-MAX_STDERR_CHARS);
    });
    child.on('error', (err) => fail(new DockerCommandError(args, null, `cannot run docker: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err })));
    child.on('close', (code, signal) => done({ code: code ?? 1, stdout, stderr: signal ? `${stderr}\nkilled by ${signal} (timeout ${options.timeoutMs ?? '-'} ms)` : stderr }));
  });
}

/**
 * Reads `docker compose ps --format json`: a JSON array (older Compose) or one object per line
 * (Compose 2.21+). Lines that are not container objects are skipped; never throws.
 */
export function parseComposePs(text: string): ContainerState[] {
  const trimmed = text.trim();
  let items: unknown[] = [];
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) items = parsed;
    } catch {
      items = [];
    }
  } else {
    for (const line of trimmed.split('\n')) {
      try {
        items.push(JSON.parse(line));
      } catch {
        // Not JSON: a warning line or garbage.
      }
    }
  }
  const states: ContainerState[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const { Service, State, ExitCode } = item as Record<string, unknown>;
    if (typeof Service !== 'string' || typeof State !== 'string') continue;
    states.push({ service: Service, state: State.toLowerCase(), exitCode: typeof ExitCode === 'number' && State.toLowerCase() !== 'running' ? ExitCode : null });
  }
  return states;
}

/** Options of {@link DockerComposeDriver}. */
export interface DockerDriverOptions {
  /** Environment of every docker command (DOCKER_HOST, DOCKER_CONTEXT, PATH...). */
  readonly env: Record<string, string | undefined>;
  /** Where compose files live between deploy and teardown: `<dir>/<project>.yml`. */
  readonly composeDir: string;
  /** Receives `docker compose up` / `down` output as it arrives. */
  readonly progress?: (text: string) => void;
}

/**
 * The TopologyDriver for a real engine: every operation is one docker CLI command. Bridges are
 * created with `docker network create` (an existing network with the same subnet is reused), the
 * compose file is written to `<composeDir>/<project>.yml` and run with
 * `docker compose -p <project> -f <file> up -d --build`; `down` removes the file afterwards.
 * Every failure rejects with DockerCommandError (or a plain message for a subnet clash).
 */
export class DockerComposeDriver implements TopologyDriver {
  constructor(private readonly options: DockerDriverOptions) {}

  /** Path of a project's compose file. */
  composeFile(project: string): string {
    return join(this.options.composeDir, `${project}.yml`);
  }

  private async run(args: string[], timeoutMs: number | undefined, stream = false): Promise<DockerResult> {
    const progress = this.options.progress;
    const result = await runDocker(args, this.options.env, {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(stream && progress ? { onOutput: (t: string) => progress(t) } : {}),
    });
    if (result.code !== 0) throw new DockerCommandError(args, result.code, result.stderr);
    return result;
  }

  async createNetwork(spec: { name: string; subnet: string; internal: boolean; labels: Record<string, string> }): Promise<string> {
    const inspect = await runDocker(['network', 'inspect', spec.name], this.options.env, { timeoutMs: DOCKER_QUERY_TIMEOUT_MS });
    if (inspect.code === 0) {
      const existing = parseNetworkInspect(inspect.stdout);
      if (existing && existing.subnets.includes(spec.subnet)) return existing.id;
      throw new DockerCommandError(['network', 'create', spec.name], null, `network ${spec.name} already exists with subnet ${existing?.subnets.join(',') || 'unknown'}, not ${spec.subnet}`);
    }
    if (!/no such network|not found/i.test(inspect.stderr)) throw new DockerCommandError(['network', 'inspect', spec.name], inspect.code, inspect.stderr);
    const args = ['network', 'create', '--driver', 'bridge', '--subnet', spec.subnet];
    if (spec.internal) args.push('--internal');
    for (const [k, v] of Object.entries(spec.labels)) args.push('--label', `${k}=${v}`);
    args.push(spec.name);
    return (await this.run(args, DOCKER_QUERY_TIMEOUT_MS)).stdout.trim();
  }

  async removeNetwork(name: string): Promise<void> {
    const r = await runDocker(['network', 'rm', name], this.options.env, { timeoutMs: DOCKER_QUERY_TIMEOUT_MS });
    // Already gone is what teardown wants.
    if (r.code !== 0 && !/no such network|not found/i.test(r.stderr)) throw new DockerCommandError(['network', 'rm', name], r.code, r.stderr);
  }

  async composeUp(project: string, yaml: string): Promise<void> {
    const file = this.composeFile(project);
    mkdirSync(this.options.composeDir, { recursive: true });
    writeAtomically(file, yaml);
    await this.run(['compose', '-p', project, '-f', file, 'up', '-d', '--build'], undefined, true);
  }

  async composeDown(project: string): Promise<void> {
    const file = this.composeFile(project);
    // Without its file compose still finds the project's containers by their project label.
    const args = ['compose', '-p', project, ...(existsSync(file) ? ['-f', file] : []), 'down', '--remove-orphans'];
    await this.run(args, undefined, true);
    try {
      unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  async composePs(project: string): Promise<ContainerState[]> {
    const file = this.composeFile(project);
    const r = await this.run(['compose', '-p', project, ...(existsSync(file) ? ['-f', file] : []), 'ps', '-a', '--format', 'json'], DOCKER_QUERY_TIMEOUT_MS);
    return parseComposePs(r.stdout);
  }
}

/** Id and subnets of a network from `docker network inspect` output; undefined when unreadable. */
export function parseNetworkInspect(text: string): { id: string; subnets: string[] } | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const net = (Array.isArray(parsed) ? parsed[0] : undefined) as { Id?: unknown; IPAM?: { Config?: { Subnet?: unknown }[] | null } } | undefined;
    if (!net || typeof net.Id !== 'string') return undefined;
    const subnets = (net.IPAM?.Config ?? []).map((c) => c.Subnet).filter((x): x is string => typeof x === 'string');
    return { id: net.Id, subnets };
  } catch {
    return undefined;
  }
}

/** Writes `text` to `path` via a temporary file and a rename, so readers never see half a file. */
export function writeAtomically(path: string, text: string): void {
  const tmp = resolve(dirname(path), `.${process.pid}.${Date.now()}.decnet-compose.tmp`);
  writeFileSync(tmp, text);
  try {
    renameSync(tmp, path);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
}

/** Where rendered compose files find service build contexts and artifacts: DECNET_TEMPLATES_DIR, DECNET_ARTIFACTS_ROOT. */
export function renderPaths(env: Record<string, string | undefined>): RenderPaths {
  return {
    ...(env['DECNET_TEMPLATES_DIR'] ? { templatesRoot: env['DECNET_TEMPLATES_DIR'] } : {}),
    ...(env['DECNET_ARTIFACTS_ROOT'] ? { artifactsRoot: env['DECNET_ARTIFACTS_ROOT'] } : {}),
  };
}

// The compose file carries no `name:` (the Compose Specification schema rejects it), so the
// project name is always given here.
async function composeUp(file: string, io: CommandIO): Promise<number> {
  try {
    const r = await runDocker(['compose', '-p', FLEET_PROJECT, '-f', file, 'up', '-d', '--build'], { ...process.env, ...io.env }, {
      onOutput: (t, stream) => (stream === 'stdout' ? io.stdout(t) : io.stderr(t)),
    });
    return r.code;
  } catch (err) {
    io.stderr(`decnet deploy: cannot run docker compose: ${(err as Error).message}\n`);
    return 1;
  }
}

function intFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`, 'deploy');
  return Number(value);
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    'deploy',
    args,
    {
      deckies: { type: 'string', short: 'n' },
      services: { type: 'string' },
      'randomize-services': { type: 'boolean', default: false },
      archetype: { type: 'string', short: 'a' },
      distro: { type: 'string' },
      'randomize-distros': { type: 'boolean', default: false },
      subnet: { type: 'string' },
      gateway: { type: 'string' },
      'ip-start': { type: 'string' },
      interface: { type: 'string', short: 'i' },
      ipvlan: { type: 'boolean', default: false },
      'log-target': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string', short: 'o' },
      config: { type: 'string', short: 'c' },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    false,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, 'deploy');
  const deckies = intFlag('deckies', values.deckies, 1);
  const seed = intFlag('seed', values.seed, 0) ?? freshSeed();
  const dryRun = values['dry-run'];
  const fail = (message: string): number => {
    io.stderr(`decnet deploy: ${message}\n`);
    return 2;
  };

  let ini: FleetIni | undefined;
  if (values.config !== undefined) {
    const clash = (['deckies', 'services', 'archetype', 'randomize-services'] as const).find((k) => values[k] !== undefined && values[k] !== false);
    if (clash) throw new UsageError(`--${clash} cannot be combined with --config (the INI file defines the deckies)`, 'deploy');
    let text: string;
    try {
      text = readFileSync(values.config, 'utf8');
    } catch (err) {
      return fail(`cannot read ${values.config}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      ini = readFleetIni(text, values.config);
    } catch (err) {
      if (err instanceof TopologyInputError) return fail(err.message);
      throw err;
    }
  }

  const routes = readRoutes();
  const iface = values.interface ?? ini?.general.interface ?? defaultRouteInterface(routes) ?? FALLBACK_INTERFACE;
  let subnet = values.subnet ?? ini?.general.subnet;
  let gateway = values.gateway ?? ini?.general.gateway;
  const notes: string[] = [];
  if (subnet === undefined) {
    const lan = lanOfInterface(routes, iface);
    if (lan) {
      subnet = lan.subnet;
      gateway ??= lan.gateway;
    } else if (dryRun) {
      subnet = FALLBACK_SUBNET;
      notes.push(`cannot read the LAN of ${iface}; using ${FALLBACK_SUBNET} (pass --subnet)`);
    } else return fail(`cannot read the LAN of interface ${iface}; pass --subnet CIDR`);
  }

  let yaml: string;
  let plan: ReturnType<typeof buildFleet>;
  try {
    plan = buildFleet({
      seed,
      interface: iface,
      subnet,
      ...(gateway !== undefined ? { gateway } : {}),
      hostIp: hostAddress(iface),
      ...(values['ip-start'] !== undefined ? { ipStart: values['ip-start'] } : {}),
      ipvlan: values.ipvlan,
      ...(values['log-target'] !== undefined ? { logTarget: values['log-target'] } : {}),
      ...(deckies !== undefined ? { deckies } : {}),
      ...(values.services !== undefined ? { services: splitList(values.services) } : {}),
      randomizeServices: values['randomize-services'],
      ...(values.archetype !== undefined ? { archetype: values.archetype } : {}),
      ...(values.distro !== undefined ? { distros: splitList(values.distro) } : {}),
      randomizeDistros: values['randomize-distros'],
      ...(ini ? { ini } : {}),
    });
    const doc = renderFleetCompose(plan, renderPaths(io.env));
    assertValidCompose(doc);
    yaml = composeToYaml(doc);
  } catch (err) {
    if (err instanceof TopologyInputError) return fail(err.message);
    if (err instanceof ComposeSchemaError) {
      io.stderr(`decnet deploy: internal error, the rendered file is not valid compose: ${err.problems.join('; ')}\n`);
      return 1;
    }
    throw err;
  }

  if (!dryRun) {
    const docker = await probeDocker(io.env);
    if (!docker.ok) {
      io.stderr(`decnet deploy: no Docker engine reachable at ${docker.endpoint} (${docker.reason}); nothing was written. Start Docker, set DOCKER_HOST, or use --dry-run.\n`);
      return 1;
    }
  }

  const out = resolve(values.out ?? DEFAULT_COMPOSE_FILE);
  try {
    writeAtomically(out, yaml);
  } catch (err) {
    io.stderr(`decnet deploy: cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 1;
  }
  const containers = plan.deckies.reduce((n, d) => n + 1 + d.services.length, 0);
  if (values.json) {
    io.stdout(
      JSON.stringify({
        file: out,
        dry_run: dryRun,
        seed,
        interface: iface,
        subnet: plan.subnet,
        gateway: plan.gateway,
        host_ip: plan.hostIp,
        network: { name: FLEET_NETWORK, driver: plan.ipvlan ? 'ipvlan' : 'macvlan' },
        deckies: plan.deckies.map((d) => ({ name: d.name, ip: d.ip, hostname: d.hostname, distro: d.distro, services: d.services, archetype: d.archetype, nmap_os: d.nmapOs })),
        containers,
        notes,
      }) + '\n',
    );
  } else {
    for (const n of notes) io.stderr(`decnet deploy: note: ${n}\n`);
    if (values.config !== undefined) io.stdout(`Config: ${values.config}\n`);
    io.stdout(`Interface: ${iface}  Subnet: ${plan.subnet}  Gateway: ${plan.gateway}  Host IP: ${plan.hostIp ?? '-'}\n`);
    io.stdout(`Network: ${FLEET_NETWORK} (${plan.ipvlan ? 'ipvlan L2' : 'macvlan'} on ${iface})\n`);
    io.stdout(`Deckies: ${plan.deckies.length}  Containers: ${containers}  Seed: ${seed}\n`);
    io.stdout(`Compose file written -> ${out}\n`);
  }
  if (dryRun) {
    if (!values.json) io.stdout('Dry run: no containers started.\n');
    return 0;
  }
  const code = await composeUp(out, io);
  if (code !== 0) {
    io.stderr(`decnet deploy: docker compose up failed (exit ${code}); the compose file is kept at ${out}\n`);
    return 1;
  }
  return 0;
}
