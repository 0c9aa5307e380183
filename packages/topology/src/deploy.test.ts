import { describe, expect, it } from 'vitest';
import { deployTopology, teardownTopology } from './deploy.js';
import { TopologyInvalidError, TopologyStatusError } from './errors.js';
import { MemoryTopologyRepository } from './memory-repository.js';
import { persistTopology, transitionStatus } from './persist.js';
import { RecordingDriver, mediumTopology, tinyTopology } from './testing.js';

async function setup(gen = tinyTopology()) {
  const repo = new MemoryTopologyRepository();
  const t = await persistTopology(repo, gen);
  return { repo, t, driver: new RecordingDriver(), id8: t.id.slice(0, 8) };
}

describe('deploy validates before anything moves', () => {
  it('raises for an invalid topology before Docker is touched, leaving status pending', async () => {
    const { repo, t, driver } = await setup();
    const d = (await repo.listDeckies(t.id))[0]!;
    await repo.updateDecky(t.id, d.uuid, { services: ['gopher'] });
    await expect(deployTopology(repo, t.id, driver)).rejects.toBeInstanceOf(TopologyInvalidError);
    expect(driver.calls).toEqual([]);
    expect((await repo.getTopology(t.id))!.status).toBe('pending');
    expect(await repo.listStatusEvents(t.id)).toEqual([]);
  });
  it('renders on a dry run without Docker and leaves status pending', async () => {
    const { repo, t, driver, id8 } = await setup();
    const out = await deployTopology(repo, t.id, driver, { dryRun: true });
    expect(out.status).toBe('pending');
    expect(out.yaml).toContain(`  project: decnet-topo-${id8}\n`);
    expect(out.yaml).not.toMatch(/^name:/m);
    expect(driver.calls).toEqual([]);
    expect((await repo.getTopology(t.id))!.status).toBe('pending');
  });
  it('refuses to deploy a topology that is already active', async () => {
    const { repo, t, driver } = await setup();
    await deployTopology(repo, t.id, driver);
    await expect(deployTopology(repo, t.id, new RecordingDriver())).rejects.toBeInstanceOf(TopologyStatusError);
  });
});

describe('deploy brings a topology up and records the outcome', () => {
  it('creates one bridge per LAN (internal unless DMZ), runs compose and ends ACTIVE', async () => {
    const { repo, t, driver, id8 } = await setup();
    const out = await deployTopology(repo, t.id, driver);
    expect(out.status).toBe('active');
    expect(driver.calls).toEqual([
      `createNetwork decnet_t_${id8}_lan-00 172.16.0.0/24`,
      `createNetwork decnet_t_${id8}_lan-01 172.16.1.0/24 internal`,
      `composeUp decnet-topo-${id8}`,
      `composePs decnet-topo-${id8}`,
    ]);
    expect((await repo.listLans(t.id)).map((l) => l.docker_network_id)).toEqual([`net-decnet_t_${id8}_lan-00`, `net-decnet_t_${id8}_lan-01`]);
    expect((await repo.listDeckies(t.id)).map((d) => [d.state, d.compose_hash])).toEqual([
      ['running', out.hash],
      ['running', out.hash],
    ]);
    expect((await repo.listStatusEvents(t.id)).map((e) => e.to_status)).toEqual(['active', 'deploying']);
  });
  it('on a Docker failure rolls back the networks created so far and ends FAILED with the error', async () => {
    const { repo, t, driver, id8 } = await setup();
    driver.failOn = { method: 'composeUp', message: 'build failed: no space left' };
    const out = await deployTopology(repo, t.id, driver);
    expect(out).toMatchObject({ status: 'failed', reason: 'build failed: no space left' });
    expect(driver.calls.slice(2)).toEqual([`composeUp decnet-topo-${id8}`, `composeDown decnet-topo-${id8}`, `removeNetwork decnet_t_${id8}_lan-01`, `removeNetwork decnet_t_${id8}_lan-00`]);
    expect(driver.networks.size).toBe(0);
    const [last] = await repo.listStatusEvents(t.id);
    expect(last).toMatchObject({ from_status: 'deploying', to_status: 'failed', reason: 'build failed: no space left' });
  });
  it('ends DEGRADED naming containers that are not running, at most eight of them', async () => {
    const { repo, t, driver } = await setup(mediumTopology('deg', 3, { services_explicit: ['ssh'] }));
    const deckies = await repo.listDeckies(t.id);
    driver.states = deckies.map((d, i) => ({ service: d.name, state: i < 10 ? 'exited' : 'running', exitCode: i < 10 ? 137 : null }));
    const out = await deployTopology(repo, t.id, driver);
    expect(out.status).toBe('degraded');
    expect(out.reason).toMatch(/^post-deploy check: decky-001=exited \(exit=137\), /);
    expect(out.reason).toMatch(/, \+\d+ more$/);
    expect((await repo.listDeckies(t.id)).filter((d) => d.state === 'failed')).toHaveLength(10);
  });
});

describe('teardown', () => {
  it('tears an active topology down leaf-first to TORN_DOWN', async () => {
    const { repo, t, driver, id8 } = await setup(mediumTopology('td', 5));
    await deployTopology(repo, t.id, driver);
    const td = new RecordingDriver();
    expect(await teardownTopology(repo, t.id, td)).toBe('torn_down');
    const removed = td.calls.filter((c) => c.startsWith('removeNetwork')).map((c) => c.split(' ')[1]);
    expect(td.calls[0]).toBe(`composeDown decnet-topo-${id8}`);
    expect(removed).toEqual([...removed].sort().reverse());
    expect(removed.at(-1)).toBe(`decnet_t_${id8}_lan-00`);
    expect((await repo.listDeckies(t.id)).every((d) => d.state === 'torn_down')).toBe(true);
  });
  it('tears a failed topology down to TORN_DOWN', async () => {
    const { repo, t, driver } = await setup();
    driver.failOn = { method: 'createNetwork', message: 'pool overlaps' };
    expect((await deployTopology(repo, t.id, driver)).status).toBe('failed');
    expect(await teardownTopology(repo, t.id, new RecordingDriver())).toBe('torn_down');
    expect((await repo.getTopology(t.id))!.status).toBe('torn_down');
  });
  it('marks a pending topology torn down without calling Docker, after which it is terminal', async () => {
    const { repo, t, driver } = await setup();
    expect(await teardownTopology(repo, t.id, driver)).toBe('torn_down');
    expect(driver.calls).toEqual([]);
    await expect(transitionStatus(repo, t.id, 'deploying')).rejects.toBeInstanceOf(TopologyStatusError);
  });
  it('leaves the topology DEGRADED when Docker fails during teardown', async () => {
    const { repo, t, driver } = await setup();
    await deployTopology(repo, t.id, driver);
    const td = new RecordingDriver();
    td.failOn = { method: 'composeDown', message: 'daemon gone' };
    expect(await teardownTopology(repo, t.id, td)).toBe('degraded');
    expect((await repo.listStatusEvents(t.id))[0]).toMatchObject({ to_status: 'degraded', reason: 'teardown failed: daemon gone' });
  });
});
