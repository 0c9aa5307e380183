// The checks around topology deploy, teardown and render: nothing moves without an engine or with
// validation errors, a pending topology is torn down without Docker, and render writes valid compose.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { MemoryTopologyRepository, composeProblems, hydrateTopology, persistTopology, type TopologySummary } from '@decnet/topology';
import { RecordingDriver, tinyTopology } from '@decnet/topology/testing';
import { connectDocker, deployStoredTopology, renderTopologyFile, teardownStoredTopology, type DockerConnection } from './topology-ops.js';

async function stored(): Promise<{ repo: MemoryTopologyRepository; t: TopologySummary }> {
  const repo = new MemoryTopologyRepository();
  const t = await persistTopology(repo, tinyTopology(`tiny-${Math.random().toString(36).slice(2, 8)}`));
  return { repo, t };
}

const noEngine = (): Promise<DockerConnection> => Promise.resolve({ ok: false, message: 'no Docker engine reachable at unix:///nowhere' });

describe('deployStoredTopology', () => {
  it('changes nothing without an engine, and deploys through the driver when there is one', async () => {
    const { repo, t } = await stored();
    const h = (await hydrateTopology(repo, t.id))!;
    expect(await deployStoredTopology(repo, t, h, noEngine, {})).toEqual({ kind: 'no-engine', message: 'no Docker engine reachable at unix:///nowhere' });
    expect((await repo.getTopology(t.id))?.status).toBe('pending');

    const driver = new RecordingDriver();
    const result = await deployStoredTopology(repo, t, h, () => Promise.resolve({ ok: true, driver }), {});
    expect(result).toMatchObject({ kind: 'deployed', project: `decnet-topo-${t.id.slice(0, 8)}`, outcome: { status: 'active' } });
    expect(driver.calls.some((c) => c.startsWith('composeUp'))).toBe(true);
  });

  it('refuses a topology that is not pending before asking for Docker', async () => {
    const { repo, t } = await stored();
    const h = (await hydrateTopology(repo, t.id))!;
    let asked = false;
    const connect = (): Promise<DockerConnection> => {
      asked = true;
      return noEngine();
    };
    expect(await deployStoredTopology(repo, { ...t, status: 'active' }, h, connect, {})).toEqual({ kind: 'wrong-status', status: 'active' });
    expect(asked).toBe(false);
  });
});

describe('teardownStoredTopology', () => {
  it('tears a never-deployed topology down without Docker', async () => {
    const { repo, t } = await stored();
    expect(await teardownStoredTopology(repo, t, noEngine)).toEqual({ kind: 'done', status: 'torn_down', reason: null });
  });

  it('needs an engine for a deployed topology, and leaves it unchanged without one', async () => {
    const { repo, t } = await stored();
    const driver = new RecordingDriver();
    const h = (await hydrateTopology(repo, t.id))!;
    await deployStoredTopology(repo, t, h, () => Promise.resolve({ ok: true, driver }), {});
    const active = (await repo.getTopology(t.id))!;
    expect(await teardownStoredTopology(repo, active, noEngine)).toMatchObject({ kind: 'no-engine' });
    expect((await repo.getTopology(t.id))?.status).toBe('active');
    expect(await teardownStoredTopology(repo, active, () => Promise.resolve({ ok: true, driver }))).toEqual({ kind: 'done', status: 'torn_down', reason: null });
  });
});

describe('renderTopologyFile', () => {
  it('writes a valid compose file named after the topology and returns the project to run it with', async () => {
    const { repo, t } = await stored();
    const h = (await hydrateTopology(repo, t.id))!;
    const out = join(mkdtempSync(join(tmpdir(), 'decnet-render-')), 'topo.yml');
    const result = renderTopologyFile(h, {}, { out });
    expect(result).toMatchObject({ kind: 'written', file: out, project: `decnet-topo-${t.id.slice(0, 8)}` });
    expect(composeProblems(parse(readFileSync(out, 'utf8')))).toEqual([]);
  });
});

describe('connectDocker', () => {
  it('reports where it looked when no engine answers', async () => {
    const env = { DOCKER_HOST: `unix://${join(tmpdir(), 'decnet-no-docker-here.sock')}` };
    const connection = await connectDocker(env, tmpdir());
    expect(connection.ok).toBe(false);
    expect(connection.ok ? '' : connection.message).toMatch(/^no Docker engine reachable at unix:\/\/.*decnet-no-docker-here\.sock \(ENOENT; from DOCKER_HOST\)$/);
  });
});
