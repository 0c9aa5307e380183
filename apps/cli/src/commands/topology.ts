// `decnet topology create|list|show|validate|render|deploy|teardown|delete`: MazeNET topologies
// generated here, stored in Postgres (DATABASE_URL, else the embedded server), rendered to
// compose and run with docker compose. Bad input exits 2 before the database is touched; a
// missing or invalid topology, or no reachable Docker engine, exits 1 with no status change.
import { join, resolve } from 'node:path';
import { createLogger } from '@decnet/core';
import { loadConfigOrExit } from '@decnet/host';
import {
  NameTakenError,
  TOPOLOGY_STATUSES,
  TopologyInvalidError,
  TopologyStatusError,
  TopologyInputError,
  UNDELETABLE_STATUSES,
  assertValidCompose,
  composeToYaml,
  deployTopology,
  generateTopology,
  hydrateTopology,
  isLegalTransition,
  isTopologyStatus,
  persistTopology,
  readTopologyConfig,
  renderTopologyCompose,
  splitList,
  teardownTopology,
  topologyComposeFileName,
  topologyProject,
  topologyShortId,
  validateTopology,
  type TopologyConfig,
  type TopologyDriver,
  type TopologyRepository,
  type TopologySummary,
} from '@decnet/topology';
import { UsageError, parseCommandArgs, renderJson, renderTable, type CommandIO } from '../io.js';
import { DockerComposeDriver, noEngineMessage, probeDocker, renderPaths, writeAtomically } from './deploy.js';

const SUBCOMMANDS = ['create', 'list', 'show', 'validate', 'render', 'deploy', 'teardown', 'delete'] as const;

/** Directory under DECNET_HOME holding deployed topologies' compose files until teardown. */
export const TOPOLOGY_COMPOSE_DIR = 'topologies';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function help(): string {
  return [
    'Usage: decnet topology <subcommand> [options]',
    '',
    'MazeNET topologies: a DMZ and a tree of internal LANs joined by bridge deckies, stored in',
    'Postgres (DATABASE_URL, else the embedded server under DECNET_HOME).',
    '',
    '  create --name N [--depth 3] [--branching 2] [--deckies-per-lan 1-3] [--bridge-forward-p 1.0]',
    '         [--cross-edge-p 0.0] [--services a,b | --no-randomize-services] [--seed S]',
    '         [--subnet-base 172.16.0.0/12] [--json]',
    '  list [--status S] [--json]',
    '  show <id|name> [--json]',
    '  validate <id|name> [--gateway-check] [--json]     exit 1 when there are errors',
    '  render <id|name> [--out FILE]                      writes decnet-topology-<id8>-compose.yml',
    '  deploy <id|name> [--json]                          bridges + docker compose -p decnet-topo-<id8> up -d',
    '  teardown <id|name> [--json]                        docker compose down, bridges removed, torn_down',
    '  delete <id|name> [--force]                         refused while deploying/active/degraded/tearing_down',
    '',
    'deploy and teardown need a Docker engine (DOCKER_HOST, else /var/run/docker.sock) with the',
    'Compose plugin; without one they exit 1 and change nothing. Compose files of deployed',
    'topologies live in DECNET_HOME/topologies/ until teardown.',
    '',
  ].join('\n');
}

/** Docker access for deploy and teardown, or why there is none. */
export type DockerConnection = { ok: true; driver: TopologyDriver } | { ok: false; message: string };

/** What `run` can be given instead of the real world (tests). */
export interface TopologyCommandDeps {
  /**
   * Returns the driver for deploy/teardown. Default: probe the engine named by DOCKER_HOST (else
   * the default socket) and, when it answers, a DockerComposeDriver writing under
   * `<home>/topologies`.
   */
  readonly connectDocker?: (io: CommandIO, home: string) => Promise<DockerConnection>;
}

const refuseDocker = (): Promise<never> => Promise.reject(new Error('internal error: Docker was called to tear down a pending topology'));

/** Stands in for Docker where no engine is needed: tearing down a never-deployed topology. */
const NO_DRIVER: TopologyDriver = { createNetwork: refuseDocker, removeNetwork: refuseDocker, composeUp: refuseDocker, composeDown: refuseDocker, composePs: refuseDocker };

async function connectRealDocker(io: CommandIO, home: string): Promise<DockerConnection> {
  const probe = await probeDocker(io.env);
  if (!probe.ok) return { ok: false, message: noEngineMessage(probe, io.env) };
  return { ok: true, driver: new DockerComposeDriver({ env: { ...process.env, ...io.env }, composeDir: join(home, TOPOLOGY_COMPOSE_DIR), progress: io.stderr }) };
}

/** A repository plus how to release it. */
export interface OpenedRepository {
  readonly repo: TopologyRepository;
  /** DECNET_HOME of the loaded configuration. */
  readonly home: string;
  close(): Promise<void>;
}

/** Opens the configured database, applies migrations and wraps it as a TopologyRepository. */
async function openRepository(io: CommandIO): Promise<OpenedRepository> {
  const config = loadConfigOrExit(io.env);
  // A one-shot command keeps stderr for its own messages unless a log level was asked for.
  const log = createLogger({ level: io.env['DECNET_LOG_LEVEL'] ? config.logLevel : 'warn', name: 'topology' });
  const [{ openDatabase, migrate }, { PostgresTopologyRepository }] = await Promise.all([
    import('@decnet/db'),
    import('@decnet/db/topology'),
  ]);
  // A one-shot command reports an unreachable server instead of waiting for it.
  const database = await openDatabase(config, log, { retry: false, poolMax: 2 });
  try {
    await migrate(database.db, log);
  } catch (err) {
    await database.close();
    throw err;
  }
  return { repo: new PostgresTopologyRepository(database.db), home: config.home, close: () => database.close() };
}

function num(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const ok = integer ? /^\d+$/.test(value) : /^\d+(\.\d+)?$/.test(value);
  if (!ok) throw new UsageError(`--${flag} must be a ${integer ? 'non-negative integer' : 'number'}, got ${JSON.stringify(value)}`, 'topology');
  return Number(value);
}

/** Reads the create flags into a validated config (exit 2 on any problem, before the database). */
function createConfig(values: Record<string, string | boolean | undefined>): TopologyConfig {
  if (typeof values['name'] !== 'string') throw new UsageError('create needs --name NAME', 'topology');
  let min: number | undefined;
  let max: number | undefined;
  const range = values['deckies-per-lan'];
  if (typeof range === 'string') {
    const m = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!m) throw new UsageError(`--deckies-per-lan must be N or MIN-MAX, got ${JSON.stringify(range)}`, 'topology');
    min = Number(m[1]);
    max = Number(m[2] ?? m[1]);
  }
  const services = typeof values['services'] === 'string' ? splitList(values['services']) : undefined;
  const input = {
    name: values['name'],
    ...(values['depth'] !== undefined ? { depth: num('depth', values['depth'] as string, true) } : {}),
    ...(values['branching'] !== undefined ? { branching_factor: num('branching', values['branching'] as string, true) } : {}),
    ...(min !== undefined ? { deckies_per_lan_min: min, deckies_per_lan_max: max } : {}),
    ...(values['bridge-forward-p'] !== undefined ? { bridge_forward_probability: num('bridge-forward-p', values['bridge-forward-p'] as string, false) } : {}),
    ...(values['cross-edge-p'] !== undefined ? { cross_edge_probability: num('cross-edge-p', values['cross-edge-p'] as string, false) } : {}),
    ...(values['seed'] !== undefined ? { seed: num('seed', values['seed'] as string, true) } : {}),
    ...(values['subnet-base'] !== undefined ? { subnet_base_prefix: values['subnet-base'] } : {}),
    ...(services ? { services_explicit: services } : {}),
    ...(values['no-randomize-services'] === true && !services ? { randomize_services: false } : {}),
  };
  return readTopologyConfig(input);
}

async function findTopology(repo: TopologyRepository, key: string): Promise<TopologySummary | null> {
  return UUID.test(key) ? repo.getTopology(key) : repo.getTopologyByName(key);
}

export async function run(args: string[], io: CommandIO, deps: TopologyCommandDeps = {}): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new UsageError(sub === undefined ? `expected a subcommand: ${SUBCOMMANDS.join('|')}` : `unknown subcommand "${sub}" (${SUBCOMMANDS.join('|')})`, 'topology');
  }
  const { values, positionals } = parseCommandArgs('topology', rest, {
    name: { type: 'string' },
    depth: { type: 'string' },
    branching: { type: 'string' },
    'deckies-per-lan': { type: 'string' },
    'bridge-forward-p': { type: 'string' },
    'cross-edge-p': { type: 'string' },
    services: { type: 'string' },
    'no-randomize-services': { type: 'boolean' },
    seed: { type: 'string' },
    'subnet-base': { type: 'string' },
    status: { type: 'string' },
    out: { type: 'string', short: 'o' },
    force: { type: 'boolean', default: false },
    'gateway-check': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  const bad = (message: string): number => {
    io.stderr(`decnet topology ${sub}: ${message}\n`);
    return 2;
  };
  const needKey = (): string => {
    if (positionals.length !== 1) throw new UsageError(`${sub} needs exactly one <id|name>`, 'topology');
    return positionals[0] as string;
  };

  // Everything that can be checked without the database is checked first.
  let config: TopologyConfig | undefined;
  if (sub === 'create') {
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`, 'topology');
    try {
      config = createConfig(values);
    } catch (err) {
      if (err instanceof TopologyInputError) return bad(err.message);
      throw err;
    }
  }
  if (sub === 'list' && values.status !== undefined && !isTopologyStatus(values.status)) {
    return bad(`unknown status "${values.status}" (${TOPOLOGY_STATUSES.join(', ')})`);
  }
  const key = sub === 'create' || sub === 'list' ? undefined : needKey();

  let opened: OpenedRepository;
  try {
    opened = await openRepository(io);
  } catch (err) {
    io.stderr(`decnet topology ${sub}: cannot open the database: ${(err as Error).message}\n`);
    return 1;
  }
  const { repo } = opened;
  const connectDocker = deps.connectDocker ?? connectRealDocker;
  try {
    if (sub === 'create') {
      const c = config as TopologyConfig;
      if (await repo.getTopologyByName(c.name)) return bad(`topology name "${c.name}" is already taken`);
      let gen;
      try {
        gen = generateTopology(c, { reservedSubnets: await repo.reservedSubnets() });
      } catch (err) {
        if (err instanceof TopologyInputError) return bad(err.message);
        throw err;
      }
      let t: TopologySummary;
      try {
        t = await persistTopology(repo, gen);
      } catch (err) {
        if (err instanceof NameTakenError) return bad(err.message);
        throw err;
      }
      if (values.json) io.stdout(renderJson({ ...t, lans: gen.lans.length, deckies: gen.deckies.length, edges: gen.edges.length }));
      else {
        io.stdout(`Created topology ${t.name} (${t.id})\n`);
        io.stdout(`LANs: ${gen.lans.length}  Deckies: ${gen.deckies.length}  Edges: ${gen.edges.length}  Seed: ${gen.config.seed}  Status: ${t.status}\n`);
      }
      return 0;
    }

    if (sub === 'list') {
      const list = await repo.listTopologies({ ...(values.status !== undefined ? { status: values.status as TopologySummary['status'] } : {}), limit: 1000 });
      if (values.json) io.stdout(renderJson(list));
      else io.stdout(renderTable(['id', 'name', 'status', 'mode', 'version', 'created'], list.map((t) => [topologyShortId(t.id), t.name, t.status, t.mode, t.version, t.created_at])));
      return 0;
    }

    const t = await findTopology(repo, key as string);
    if (!t) {
      io.stderr(`decnet topology ${sub}: no topology with id or name ${JSON.stringify(key)}\n`);
      return 1;
    }

    if (sub === 'teardown') {
      // A never-deployed topology has nothing in Docker: it is marked torn down without an engine.
      let driver: TopologyDriver | undefined;
      if (t.status !== 'pending') {
        if (!isLegalTransition(t.status, 'tearing_down')) {
          io.stderr(`decnet topology teardown: ${t.name} is ${t.status}; nothing to tear down\n`);
          return 1;
        }
        const docker = await connectDocker(io, opened.home);
        if (!docker.ok) {
          io.stderr(`decnet topology teardown: ${docker.message}; ${t.name} stays ${t.status}\n`);
          return 1;
        }
        driver = docker.driver;
      }
      let status;
      try {
        // teardownTopology never calls the driver for a pending topology.
        status = await teardownTopology(repo, t.id, driver ?? NO_DRIVER);
      } catch (err) {
        if (err instanceof TopologyStatusError) {
          io.stderr(`decnet topology teardown: ${err.message} (status changed meanwhile)\n`);
          return 1;
        }
        throw err;
      }
      const reason = status === 'torn_down' ? null : ((await repo.listStatusEvents(t.id, 1))[0]?.reason ?? null);
      if (values.json) io.stdout(renderJson({ id: t.id, name: t.name, status, reason }));
      else io.stdout(`Topology ${t.name} (${t.id}): ${status}${reason ? ` (${reason})` : ''}\n`);
      return status === 'torn_down' ? 0 : 1;
    }

    if (sub === 'delete') {
      if (UNDELETABLE_STATUSES.includes(t.status) && !values.force) {
        io.stderr(`decnet topology delete: ${t.name} is ${t.status}; tear it down first (or --force to drop only its records)\n`);
        return 1;
      }
      await repo.deleteTopology(t.id);
      io.stdout(`Deleted topology ${t.name} (${t.id})\n`);
      return 0;
    }

    const h = await hydrateTopology(repo, t.id);
    if (!h) {
      io.stderr(`decnet topology ${sub}: topology ${t.id} disappeared\n`);
      return 1;
    }

    if (sub === 'show') {
      if (values.json) {
        io.stdout(renderJson({ ...h, status_events: await repo.listStatusEvents(t.id) }));
        return 0;
      }
      io.stdout(`Topology ${t.name} (${t.id})  status ${t.status}  version ${t.version}  mode ${t.mode}  seed ${String(t.config_snapshot['seed'] ?? '-')}\n\n`);
      io.stdout(renderTable(['lan', 'subnet', 'dmz', 'deckies'], h.lans.map((l) => [l.name, l.subnet, l.is_dmz ? 'yes' : '', h.edges.filter((e) => e.lan_id === l.id).length])));
      io.stdout('\n');
      io.stdout(
        renderTable(
          ['decky', 'services', 'addresses', 'forwards'],
          h.deckies.map((d) => [d.name, d.services.join(','), Object.entries(d.decky_config.ips_by_lan).map(([lan, ip]) => `${lan}=${ip}`).join(' '), d.decky_config.forwards_l3 ? 'yes' : '']),
        ),
      );
      return 0;
    }

    if (sub === 'deploy') {
      if (!isLegalTransition(t.status, 'deploying')) {
        io.stderr(`decnet topology deploy: ${t.name} is ${t.status}; only a pending topology can be deployed\n`);
        return 1;
      }
      const invalid = validateTopology(h).filter((i) => i.severity === 'error');
      if (invalid.length > 0) {
        for (const i of invalid) io.stderr(`decnet topology deploy: ${i.code} ${i.target}: ${i.message}\n`);
        io.stderr(`decnet topology deploy: ${t.name} is invalid; it stays ${t.status}\n`);
        return 1;
      }
      // Probe before the first status change: without an engine nothing moves.
      const docker = await connectDocker(io, opened.home);
      if (!docker.ok) {
        io.stderr(`decnet topology deploy: ${docker.message}; ${t.name} stays ${t.status}\n`);
        return 1;
      }
      let outcome;
      try {
        outcome = await deployTopology(repo, t.id, docker.driver, { paths: renderPaths(io.env) });
      } catch (err) {
        if (err instanceof TopologyStatusError || err instanceof TopologyInvalidError) {
          io.stderr(`decnet topology deploy: ${err.message}\n`);
          return 1;
        }
        throw err;
      }
      const project = topologyProject(t.id);
      if (values.json) io.stdout(renderJson({ id: t.id, name: t.name, project, status: outcome.status, reason: outcome.reason, hash: outcome.hash }));
      else io.stdout(`Topology ${t.name} (${t.id}): ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}  project ${project}\n`);
      return outcome.status === 'active' ? 0 : 1;
    }

    const issues = validateTopology(h, values['gateway-check'] ? ['structure', 'names', 'ips', 'subnets', 'services', 'service_config', 'gateway'] : undefined);
    const errors = issues.filter((i) => i.severity === 'error');

    if (sub === 'validate') {
      if (values.json) io.stdout(renderJson({ valid: errors.length === 0, issues }));
      else if (issues.length === 0) io.stdout(`${t.name}: valid\n`);
      else io.stdout(renderTable(['severity', 'code', 'target', 'message'], issues.map((i) => [i.severity, i.code, i.target, i.message])));
      return errors.length === 0 ? 0 : 1;
    }

    // render
    if (errors.length > 0) {
      for (const i of errors) io.stderr(`decnet topology render: ${i.code} ${i.target}: ${i.message}\n`);
      io.stderr(`decnet topology render: ${t.name} is invalid; nothing was written\n`);
      return 1;
    }
    const { doc, portConflicts } = renderTopologyCompose(h, renderPaths(io.env));
    assertValidCompose(doc);
    const out = resolve(values.out ?? topologyComposeFileName(t.id));
    try {
      writeAtomically(out, composeToYaml(doc));
    } catch (err) {
      io.stderr(`decnet topology render: cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      return 1;
    }
    for (const c of portConflicts) io.stderr(`decnet topology render: warning: ${c.decky} does not publish ${c.port}, already published by ${c.claimedBy}\n`);
    // The file has no `name:` (the Compose Specification schema rejects it): run it with -p.
    const project = topologyProject(t.id);
    io.stdout(`Compose file written -> ${out} (project ${project}: docker compose -p ${project} -f ${out} up -d)\n`);
    return 0;
  } finally {
    await opened.close();
  }
}
