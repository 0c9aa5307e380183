// The Postgres TopologyRepository meets the same behaviour contract as the in-memory one, on a
// scratch database migrated from the committed SQL; each test starts from empty tables.
import { describeTopologyRepositoryContract, tinyTopology } from '@decnet/topology/testing';
import { generateTopology, persistTopology, TopologyNotFoundError } from '@decnet/topology';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import type { Database } from '../connection.js';
import { migratedScratchDatabase } from '../testing.js';
import { PostgresTopologyRepository } from './topology-repository.js';

let scratch: ScratchDatabase;
let database: Database;

beforeAll(async () => {
  ({ scratch, database } = await migratedScratchDatabase());
});

afterAll(async () => {
  await database?.close();
  await scratch?.drop();
});

describeTopologyRepositoryContract('PostgresTopologyRepository', async () => {
  await database.pool.query('TRUNCATE topologies CASCADE');
  return new PostgresTopologyRepository(database.db);
});

describe('PostgresTopologyRepository treats malformed ids as unknown', () => {
  it('returns null or NotFound for ids that are not UUIDs instead of a SQL error', async () => {
    const repo = new PostgresTopologyRepository(database.db);
    expect(await repo.getTopology('not-a-uuid')).toBeNull();
    expect(await repo.deleteTopology('not-a-uuid')).toBe(false);
    await expect(repo.listLans('not-a-uuid')).rejects.toBeInstanceOf(TopologyNotFoundError);
    await expect(repo.updateTopologyStatus('nope', 'deploying')).rejects.toBeInstanceOf(TopologyNotFoundError);
    const t = await persistTopology(repo, tinyTopology('malformed-ids'));
    await expect(repo.deleteLan(t.id, 'x')).rejects.toBeInstanceOf(TopologyNotFoundError);
    await expect(repo.updateDecky(t.id, 'x', { x: 1 })).rejects.toBeInstanceOf(TopologyNotFoundError);
    await expect(repo.markMutationApplied('x')).rejects.toBeInstanceOf(TopologyNotFoundError);
  });
  it('stores a 4096-LAN-scale graph in chunks within one transaction', async () => {
    const repo = new PostgresTopologyRepository(database.db);
    const gen = generateTopology({ name: 'wide', depth: 2, branching_factor: 8, deckies_per_lan_min: 32, deckies_per_lan_max: 32, services_explicit: ['ssh'], seed: 1 });
    const t = await persistTopology(repo, gen);
    expect((await repo.listDeckies(t.id)).length).toBe(gen.deckies.length);
    expect(gen.deckies.length).toBeGreaterThan(1000);
  });
});
