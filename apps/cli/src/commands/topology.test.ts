import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import type { Database } from '@decnet/db';
import { composeProblems } from '@decnet/topology';
import { RecordingDriver } from '@decnet/topology/testing';
import type { CommandIO } from '../io.js';
import { main } from '../main.js';
import { DockerCommandError, DockerComposeDriver } from '@decnet/deploy';
import { run as topologyRun, type DockerConnection } from './topology.js';

const url = process.env['DECNET_TEST_DATABASE_URL'];
const dir = mkdtempSync(join(tmpdir(), 'decnet-topology-'));
const tag = randomBytes(3).toString('hex');
const nameOf = (n: string) => `${n}-${tag}`;

async function topo(args: string[], env: Record<string, string | undefined> = { DATABASE_URL: url }) {
  const io: CommandIO & { out: string; err: string } = { out: '', err: '', env, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
  const code = await main(['topology', ...args], io);
  return { code, out: io.out, err: io.err };
}

/** Runs the topology command with Docker replaced by `connect` (see the RecordingDriver tests). */
async function topoWith(connect: () => Promise<DockerConnection>, args: string[], env: Record<string, string | undefined> = { DATABASE_URL: url }) {
  const io: CommandIO & { out: string; err: string } = { out: '', err: '', env, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
  const code = await topologyRun(args, io, { connectDocker: connect });
  return { code, out: io.out, err: io.err };
}

// A DOCKER_HOST that certainly has no engine behind it, and a DECNET_HOME of our own.
const home = mkdtempSync(join(tmpdir(), 'decnet-topology-home-'));
const DEAD_SOCKET = `unix://${join(tmpdir(), 'decnet-no-docker-here.sock')}`;
const NO_ENGINE = { DATABASE_URL: url, DOCKER_HOST: DEAD_SOCKET, DECNET_HOME: home };

// The CLI loads the database layer lazily; tests do the same.
const { lans, openDatabase, topologies, topology_deckies, topology_status_events } = await import('@decnet/db');
const { countRows, tableRows, updateRows } = await import('@decnet/db/testing');
let opened: Database | undefined;
async function database(): Promise<Database> {
  if (!url) throw new Error('DECNET_TEST_DATABASE_URL unset: the vitest preset sets it');
  opened ??= await openDatabase(testConfig({ DATABASE_URL: url }), silentLogger, { retry: false, poolMax: 1 });
  return opened;
}
afterAll(async () => {
  await opened?.close();
});

describe('decnet topology create stores a generated topology in Postgres', () => {
  it('creates, lists and shows a topology', async () => {
    const name = nameOf('alpha');
    const c = await topo(['create', '--name', name, '--depth', '2', '--branching', '2', '--seed', '5', '--json']);
    expect(c.code).toBe(0);
    const created = JSON.parse(c.out) as { id: string; status: string; version: number; lans: number };
    expect(created).toMatchObject({ status: 'pending', version: 1 });
    expect(await countRows(await database(), lans, { topology_id: created.id })).toBe(created.lans);
    const list = await topo(['list']);
    expect(list.out).toMatch(new RegExp(`^${created.id.slice(0, 8)}\\s+${name}\\s+pending\\s+unihost\\s+1`, 'm'));
    const show = await topo(['show', name]);
    expect(show.out).toContain(`Topology ${name} (${created.id})`);
    expect(show.out).toMatch(/^LAN-00\s+172\.\d+\.\d+\.0\/24\s+yes/m);
    const json = JSON.parse((await topo(['show', created.id, '--json'])).out);
    expect(json.lans).toHaveLength(created.lans);
  });
  it('gives a second topology subnets disjoint from the first', async () => {
    const a = JSON.parse((await topo(['create', '--name', nameOf('disj-a'), '--seed', '1', '--json'])).out) as { id: string };
    const b = JSON.parse((await topo(['create', '--name', nameOf('disj-b'), '--seed', '1', '--json'])).out) as { id: string };
    const subnetsOfA = new Set((await tableRows(await database(), lans, { match: { topology_id: a.id } })).map((l) => l.subnet));
    const overlap = (await tableRows(await database(), lans, { match: { topology_id: b.id } })).filter((l) => subnetsOfA.has(l.subnet)).length;
    expect(overlap).toBe(0);
  });
  it('rejects bad input with exit 2, one line and no row', async () => {
    const cases: [string[], string][] = [
      [['--name', nameOf('bad1'), '--services', 'ssh,nope'], 'unknown service "nope"'],
      [['--name', nameOf('bad2'), '--depth', '40'], 'depth must be <= 16'],
      [['--name', nameOf('bad3'), '--deckies-per-lan', '5-2'], 'min 5 is greater than max 2'],
      [['--name', nameOf('bad4'), '--subnet-base', '10.0.0.0/30'], 'narrower than /24'],
      [['--name', nameOf('bad5'), '--no-randomize-services'], 'set services or enable randomized services'],
      [['--name', 'bad name'], 'invalid characters'],
    ];
    for (const [args, reason] of cases) {
      const r = await topo(['create', ...args]);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toContain(reason);
    }
    expect((await tableRows(await database(), topologies)).filter((t) => new RegExp(`^bad.*-${tag}$`, 's').test(t.name))).toHaveLength(0);
  });
  it('refuses a taken name with exit 2', async () => {
    const name = nameOf('twice');
    expect((await topo(['create', '--name', name])).code).toBe(0);
    const r = await topo(['create', '--name', name]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`topology name "${name}" is already taken`);
  });
  it('treats a missing --name or a bad number as a usage error', async () => {
    expect((await topo(['create'])).code).toBe(2);
    expect((await topo(['create', '--name', 'x', '--depth', 'deep'])).code).toBe(2);
    expect((await topo(['frob'])).code).toBe(2);
    expect((await topo(['list', '--status', 'sleeping'])).code).toBe(2);
  });
});

describe('decnet topology validate, render and delete', () => {
  it('validates a stored topology and renders its compose file', async () => {
    const name = nameOf('render');
    const created = JSON.parse((await topo(['create', '--name', name, '--services', 'ssh,http', '--seed', '9', '--cross-edge-p', '0.5', '--json'])).out) as { id: string };
    expect(await topo(['validate', name])).toMatchObject({ code: 0, out: `${name}: valid\n` });
    const file = join(dir, 'topo.yml');
    const r = await topo(['render', name, '--out', file]);
    expect(r.code).toBe(0);
    const project = `decnet-topo-${created.id.slice(0, 8)}`;
    expect(r.out).toContain(`Compose file written -> ${file} (project ${project}: docker compose -p ${project} -f ${file} up -d)`);
    const doc = parse(readFileSync(file, 'utf8'));
    expect(composeProblems(doc)).toEqual([]);
    // The official schema rejects a top-level `name:`; the project travels as -p.
    expect(doc.name).toBeUndefined();
    expect(doc['x-decnet'].project).toBe(project);
    for (const s of Object.values(doc.services) as { container_name: string }[]) expect(s.container_name.startsWith(`decnet_t_${created.id.slice(0, 8)}_`)).toBe(true);
    // Rendering twice gives the same bytes.
    const again = join(dir, 'topo2.yml');
    await topo(['render', created.id, '--out', again]);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(file, 'utf8'));
  });
  it('reports validation errors with exit 1 and renders nothing for an invalid topology', async () => {
    const name = nameOf('broken');
    const created = JSON.parse((await topo(['create', '--name', name, '--json'])).out) as { id: string };
    expect(await updateRows(await database(), topology_deckies, { services: ['gopher'] }, { topology_id: created.id, name: 'decky-001' })).toBe(1);
    const v = await topo(['validate', name, '--json']);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.out).issues[0]).toMatchObject({ code: 'UNKNOWN_SERVICE', target: 'decky-001' });
    const file = join(dir, 'broken.yml');
    const r = await topo(['render', name, '--out', file]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('UNKNOWN_SERVICE');
    expect(existsSync(file)).toBe(false);
  });
  it('deletes a pending topology and refuses an active one without --force', async () => {
    const name = nameOf('del');
    const created = JSON.parse((await topo(['create', '--name', name, '--json'])).out) as { id: string };
    expect(await updateRows(await database(), topologies, { status: 'active' }, { id: created.id })).toBe(1);
    const refused = await topo(['delete', name]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('is active; tear it down first');
    expect((await topo(['delete', name, '--force'])).code).toBe(0);
    expect(await countRows(await database(), topologies, { id: created.id })).toBe(0);
    expect(await countRows(await database(), topology_deckies, { topology_id: created.id })).toBe(0);
    expect((await topo(['show', name])).code).toBe(1);
  });
  it('exits 1 when the topology does not exist', async () => {
    const r = await topo(['show', 'no-such-topology']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no topology with id or name "no-such-topology"');
  });
  it('reports an unreachable database with exit 1', async () => {
    const r = await topo(['list'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^decnet topology list: cannot open the database/);
  });
});

async function createTopology(label: string, extra: string[] = []): Promise<{ id: string; name: string }> {
  const name = nameOf(label);
  const r = await topo(['create', '--name', name, '--services', 'ssh', '--seed', '3', ...extra, '--json']);
  expect(r.code).toBe(0);
  return { id: (JSON.parse(r.out) as { id: string }).id, name };
}
const statusOf = async (id: string) => (await tableRows(await database(), topologies, { match: { id } }))[0]?.status;
const eventsOf = async (id: string) =>
  (await tableRows(await database(), topology_status_events, { match: { topology_id: id }, orderBy: [topology_status_events.at, topology_status_events.id] })).map((e) => ({
    from_status: e.from_status,
    to_status: e.to_status,
    reason: e.reason,
  }));
const lansOf = async (id: string) => tableRows(await database(), lans, { match: { topology_id: id } });
const deckiesOf = async (id: string) => tableRows(await database(), topology_deckies, { match: { topology_id: id } });

describe('decnet topology deploy and teardown change nothing without a Docker engine', () => {
  it('refuses deploy with exit 1 naming the DOCKER_HOST endpoint, leaving status, events and networks as they were', async () => {
    const { id, name } = await createTopology('nodock');
    const r = await topo(['deploy', name], NO_ENGINE);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`decnet topology deploy: no Docker engine reachable at ${DEAD_SOCKET} (ENOENT; from DOCKER_HOST); ${name} stays pending\n`);
    expect(r.out).toBe('');
    expect(await statusOf(id)).toBe('pending');
    expect(await eventsOf(id)).toEqual([]);
    expect((await lansOf(id)).filter((l) => l.docker_network_id !== null)).toHaveLength(0);
    expect(existsSync(join(home, 'topologies')) ? readdirSync(join(home, 'topologies')) : []).toEqual([]);
  });
  // Only meaningful where the default socket is absent (as on this machine): elsewhere it would deploy for real.
  it.skipIf(existsSync('/var/run/docker.sock'))('names the default socket and DOCKER_HOST when DOCKER_HOST is unset', async () => {
    const { id, name } = await createTopology('nodock-default');
    const r = await topo(['deploy', id], { DATABASE_URL: url, DECNET_HOME: home });
    expect(r.code).toBe(1);
    expect(r.err).toContain('no Docker engine reachable at unix:///var/run/docker.sock (ENOENT; the default socket; set DOCKER_HOST to use another engine)');
    expect(r.err).toContain(`${name} stays pending`);
    expect(await statusOf(id)).toBe('pending');
  });
  it('refuses teardown of an active topology with exit 1 and leaves it active', async () => {
    const { id, name } = await createTopology('nodock-td');
    expect(await updateRows(await database(), topologies, { status: 'active' }, { id })).toBe(1);
    const r = await topo(['teardown', name], NO_ENGINE);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^decnet topology teardown: no Docker engine reachable at .*; .* stays active\n$/);
    expect(await statusOf(id)).toBe('active');
    expect(await eventsOf(id)).toEqual([]);
  });
  it('tears down a never-deployed topology without an engine', async () => {
    const { id, name } = await createTopology('nodock-pending');
    const r = await topo(['teardown', name, '--json'], NO_ENGINE);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ id, status: 'torn_down', reason: null });
    expect(await eventsOf(id)).toEqual([{ from_status: 'pending', to_status: 'torn_down', reason: 'torn down before deploy' }]);
  });
  it('reports an invalid topology before looking for Docker, and a non-pending one, with exit 1', async () => {
    const { id, name } = await createTopology('nodock-invalid');
    expect(await updateRows(await database(), topology_deckies, { services: ['gopher'] }, { topology_id: id, name: 'decky-001' })).toBe(1);
    const bad = await topo(['deploy', name], NO_ENGINE);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('UNKNOWN_SERVICE decky-001');
    expect(bad.err).not.toContain('Docker');
    expect(await statusOf(id)).toBe('pending');
    expect(await updateRows(await database(), topologies, { status: 'torn_down' }, { id })).toBe(1);
    const gone = await topo(['deploy', name], NO_ENGINE);
    expect(gone).toMatchObject({ code: 1, err: `decnet topology deploy: ${name} is torn_down; only a pending topology can be deployed\n` });
    expect((await topo(['teardown', name], NO_ENGINE)).err).toContain('is torn_down; nothing to tear down');
  });
  it('treats a missing <id|name> as a usage error', async () => {
    expect((await topo(['deploy'], NO_ENGINE)).code).toBe(2);
    expect((await topo(['teardown', 'a', 'b'], NO_ENGINE)).code).toBe(2);
  });
});

describe('the docker CLI driver turns an unreachable engine into a FAILED topology', () => {
  // The engine can vanish between the probe and the first docker command: this runs the real
  // docker client against a dead socket (no probe) and checks the rollback path in Postgres.
  it('rejects with DockerCommandError from the real docker client', async () => {
    const driver = new DockerComposeDriver({ env: { ...process.env, DOCKER_HOST: DEAD_SOCKET }, composeDir: join(home, 'driver') });
    const err = await driver.createNetwork({ name: `decnet_t_test_${tag}`, subnet: '172.31.250.0/24', internal: true, labels: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerCommandError);
    expect((err as Error).message).toMatch(/Cannot connect to the Docker daemon|cannot run docker/);
    const up = await driver.composeUp(`decnet-topo-${tag}`, 'services: {}\n').catch((e: unknown) => e);
    expect(up).toBeInstanceOf(DockerCommandError);
    // The file is written before compose runs, and a failed down keeps it for the next try.
    expect(readFileSync(driver.composeFile(`decnet-topo-${tag}`), 'utf8')).toBe('services: {}\n');
    await expect(driver.composeDown(`decnet-topo-${tag}`)).rejects.toBeInstanceOf(DockerCommandError);
  });
  it('ends FAILED with the docker error as reason, both transitions persisted', async () => {
    const { id, name } = await createTopology('dead-driver');
    const driver = new DockerComposeDriver({ env: { ...process.env, DOCKER_HOST: DEAD_SOCKET }, composeDir: join(home, 'driver') });
    const r = await topoWith(async () => ({ ok: true, driver }), ['deploy', name, '--json']);
    expect(r.code).toBe(1);
    const outcome = JSON.parse(r.out) as { status: string; reason: string };
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toMatch(/^docker network inspect/);
    expect(await statusOf(id)).toBe('failed');
    expect((await eventsOf(id)).map((e) => e.to_status)).toEqual(['deploying', 'failed']);
  });
});

// The success path needs a running Docker engine, which this machine does not have. Here the
// RecordingDriver from @decnet/topology/testing stands in for Docker: these tests cover the CLI
// verbs and the status machine persisted in Postgres, not Docker itself.
describe('decnet topology deploy and teardown drive the status machine in Postgres', () => {
  it('deploys to ACTIVE and tears down to TORN_DOWN, recording every transition', async () => {
    const { id, name } = await createTopology('rec');
    const driver = new RecordingDriver();
    const up = await topoWith(async () => ({ ok: true, driver }), ['deploy', name]);
    expect(up.code).toBe(0);
    const id8 = id.slice(0, 8);
    expect(up.out).toBe(`Topology ${name} (${id}): active  project decnet-topo-${id8}\n`);
    expect(driver.calls).toContain(`composeUp decnet-topo-${id8}`);
    const yaml = driver.lastYaml as string;
    expect(yaml).not.toMatch(/^name:/m);
    expect(composeProblems(parse(yaml))).toEqual([]);
    expect(await statusOf(id)).toBe('active');
    expect((await lansOf(id)).filter((l) => l.docker_network_id === null)).toHaveLength(0);
    expect((await deckiesOf(id)).filter((d) => d.state !== 'running')).toHaveLength(0);

    const refused = await topoWith(async () => ({ ok: true, driver }), ['deploy', name]);
    expect(refused).toMatchObject({ code: 1, err: `decnet topology deploy: ${name} is active; only a pending topology can be deployed\n` });

    const td = new RecordingDriver();
    const down = await topoWith(async () => ({ ok: true, driver: td }), ['teardown', id, '--json']);
    expect(down.code).toBe(0);
    expect(JSON.parse(down.out)).toMatchObject({ status: 'torn_down', reason: null });
    expect(td.calls[0]).toBe(`composeDown decnet-topo-${id8}`);
    expect((await eventsOf(id)).map((e) => e.to_status)).toEqual(['deploying', 'active', 'tearing_down', 'torn_down']);
    expect((await deckiesOf(id)).filter((d) => d.state !== 'torn_down')).toHaveLength(0);
  });
  it('ends FAILED with exit 1 when compose up fails, and DEGRADED when a teardown step fails', async () => {
    const failing = await createTopology('rec-fail');
    const driver = new RecordingDriver();
    driver.failOn = { method: 'composeUp', message: 'build failed: no space left' };
    const r = await topoWith(async () => ({ ok: true, driver }), ['deploy', failing.name]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(': failed (build failed: no space left)');
    expect(await eventsOf(failing.id)).toEqual([
      { from_status: 'pending', to_status: 'deploying', reason: 'deploy requested' },
      { from_status: 'deploying', to_status: 'failed', reason: 'build failed: no space left' },
    ]);

    const stuck = await createTopology('rec-stuck');
    await topoWith(async () => ({ ok: true, driver: new RecordingDriver() }), ['deploy', stuck.name]);
    const td = new RecordingDriver();
    td.failOn = { method: 'composeDown', message: 'daemon gone' };
    const down = await topoWith(async () => ({ ok: true, driver: td }), ['teardown', stuck.name]);
    expect(down.code).toBe(1);
    expect(down.out).toContain(': degraded (teardown failed: daemon gone)');
    expect(await statusOf(stuck.id)).toBe('degraded');
  });
});
