import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { composeProblems } from '@decnet/topology';
import type { CommandIO } from '../io.js';
import { main } from '../main.js';

const url = process.env['DECNET_TEST_DATABASE_URL'];
const dir = mkdtempSync(join(tmpdir(), 'decnet-topology-'));
const tag = randomBytes(3).toString('hex');
const nameOf = (n: string) => `${n}-${tag}`;

async function topo(args: string[], env: Record<string, string | undefined> = { DATABASE_URL: url }) {
  const io: CommandIO & { out: string; err: string } = { out: '', err: '', env, stdout: (t) => void (io.out += t), stderr: (t) => void (io.err += t) };
  const code = await main(['topology', ...args], io);
  return { code, out: io.out, err: io.err };
}

const client = new pg.Client({ connectionString: url });
let connected = false;
async function count(sql: string, params: unknown[]): Promise<number> {
  if (!connected) {
    await client.connect();
    connected = true;
  }
  const r = await client.query<{ n: number }>(sql, params);
  return r.rows[0]!.n;
}
afterAll(async () => {
  if (connected) await client.end();
});

describe('decnet topology create stores a generated topology in Postgres', () => {
  it('creates, lists and shows a topology', async () => {
    const name = nameOf('alpha');
    const c = await topo(['create', '--name', name, '--depth', '2', '--branching', '2', '--seed', '5', '--json']);
    expect(c.code).toBe(0);
    const created = JSON.parse(c.out) as { id: string; status: string; version: number; lans: number };
    expect(created).toMatchObject({ status: 'pending', version: 1 });
    expect(await count('SELECT count(*)::int AS n FROM lans WHERE topology_id = $1', [created.id])).toBe(created.lans);
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
    const overlap = await count('SELECT count(*)::int AS n FROM lans x JOIN lans y ON x.subnet = y.subnet WHERE x.topology_id = $1 AND y.topology_id = $2', [a.id, b.id]);
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
    expect(await count(`SELECT count(*)::int AS n FROM topologies WHERE name LIKE $1`, [`bad%-${tag}`])).toBe(0);
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
    expect(r.out).toContain(`Compose file written -> ${file} (project decnet-topo-${created.id.slice(0, 8)})`);
    const doc = parse(readFileSync(file, 'utf8'));
    expect(composeProblems(doc)).toEqual([]);
    expect(doc.name).toBe(`decnet-topo-${created.id.slice(0, 8)}`);
    for (const s of Object.values(doc.services) as { container_name: string }[]) expect(s.container_name.startsWith(`decnet_t_${created.id.slice(0, 8)}_`)).toBe(true);
    // Rendering twice gives the same bytes.
    const again = join(dir, 'topo2.yml');
    await topo(['render', created.id, '--out', again]);
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(file, 'utf8'));
  });
  it('reports validation errors with exit 1 and renders nothing for an invalid topology', async () => {
    const name = nameOf('broken');
    const created = JSON.parse((await topo(['create', '--name', name, '--json'])).out) as { id: string };
    await count(`UPDATE topology_deckies SET services = '["gopher"]'::jsonb WHERE topology_id = $1 AND name = 'decky-001' RETURNING 1 AS n`, [created.id]);
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
    await count(`UPDATE topologies SET status = 'active' WHERE id = $1 RETURNING 1 AS n`, [created.id]);
    const refused = await topo(['delete', name]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('is active; tear it down first');
    expect((await topo(['delete', name, '--force'])).code).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM topologies WHERE id = $1', [created.id])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM topology_deckies WHERE topology_id = $1', [created.id])).toBe(0);
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
