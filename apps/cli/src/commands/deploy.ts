// `decnet deploy`: builds a fleet from flags or an INI file, renders the compose file, checks it
// against the Compose Specification, writes it, and (without --dry-run) starts it with
// `docker compose`. Bad input exits 2 and writes nothing; no Docker engine exits 1. The fleet logic
// and the Docker driver live in @decnet/deploy; this file parses flags and prints.
import { resolve } from 'node:path';
import {
  DEFAULT_COMPOSE_FILE,
  FleetInputError,
  probeDocker,
  readFleetIniFile,
  renderFleet,
  startFleet,
  writeAtomically,
  type RenderedFleet,
} from '@decnet/deploy';
import { ComposeSchemaError, FLEET_NETWORK, TopologyInputError, freshSeed, splitList, type FleetIni } from '@decnet/topology';
import { UsageError, parseCommandArgs, type CommandIO } from '../io.js';

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
    '      --services a,b         services every decky runs (see decnet service catalog)',
    '      --randomize-services   1-3 random services per decky',
    '  -a, --archetype A          machine role (see decnet archetype)',
    '      --distro a,b           distros, cycled (see decnet distro)',
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

  if (values.config !== undefined) {
    const clash = (['deckies', 'services', 'archetype', 'randomize-services'] as const).find((k) => values[k] !== undefined && values[k] !== false);
    if (clash) throw new UsageError(`--${clash} cannot be combined with --config (the INI file defines the deckies)`, 'deploy');
  }
  let fleet: RenderedFleet;
  try {
    const ini: FleetIni | undefined = values.config !== undefined ? readFleetIniFile(values.config) : undefined;
    fleet = renderFleet({
      seed,
      ...(values.interface !== undefined ? { interface: values.interface } : {}),
      ...(values.subnet !== undefined ? { subnet: values.subnet } : {}),
      ...(values.gateway !== undefined ? { gateway: values.gateway } : {}),
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
      dryRun,
      env: io.env,
    });
  } catch (err) {
    if (err instanceof TopologyInputError || err instanceof FleetInputError) return fail(err.message);
    if (err instanceof ComposeSchemaError) {
      io.stderr(`decnet deploy: internal error, the rendered file is not valid compose: ${err.problems.join('; ')}\n`);
      return 1;
    }
    throw err;
  }
  const { plan, notes, containers } = fleet;
  const iface = fleet.interface;

  if (!dryRun) {
    const docker = await probeDocker(io.env);
    if (!docker.ok) {
      io.stderr(`decnet deploy: no Docker engine reachable at ${docker.endpoint} (${docker.reason}); nothing was written. Start Docker, set DOCKER_HOST, or use --dry-run.\n`);
      return 1;
    }
  }

  const out = resolve(values.out ?? DEFAULT_COMPOSE_FILE);
  try {
    writeAtomically(out, fleet.yaml);
  } catch (err) {
    io.stderr(`decnet deploy: cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    return 1;
  }
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
  let code: number;
  try {
    code = await startFleet(out, { ...process.env, ...io.env }, (t, stream) => (stream === 'stdout' ? io.stdout(t) : io.stderr(t)));
  } catch (err) {
    io.stderr(`decnet deploy: cannot run docker compose: ${(err as Error).message}\n`);
    return 1;
  }
  if (code !== 0) {
    io.stderr(`decnet deploy: docker compose up failed (exit ${code}); the compose file is kept at ${out}\n`);
    return 1;
  }
  return 0;
}
