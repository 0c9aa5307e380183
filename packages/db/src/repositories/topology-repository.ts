// The Postgres TopologyRepository: MazeNET topologies, LANs, deckies and edges, the append-only
// status log and the mutation queue, with optimistic versions checked under a row lock.
import {
  NameTakenError,
  OrphanedDeckyError,
  TopologyInputError,
  TopologyNotEditableError,
  TopologyNotFoundError,
  TopologyStatusError,
  VersionConflictError,
  type DeckyConfig,
  type DeckyPatch,
  type DeckyRow,
  type DeckyState,
  type EdgeRow,
  type LanPatch,
  type LanRow,
  type MutationOp,
  type MutationRow,
  type MutationState,
  type NewDecky,
  type NewEdge,
  type NewLan,
  type NewTopology,
  type NewTopologyGraph,
  type StatusEvent,
  type TopologyListFilter,
  type TopologyMode,
  type TopologyRepository,
  type TopologyStatus,
  type TopologySummary,
  type WriteOptions,
} from '@decnet/topology';
import { and, asc, count, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { DecnetDb } from '../connection.js';
import type { JsonObject } from '../schema/columns.js';
import { lans, topologies, topology_deckies, topology_edges, topology_mutations, topology_status_events } from '../schema/topology.js';

/** Rows per multi-row INSERT: stays far below Postgres's 65535 bind parameters. */
const INSERT_CHUNK = 1_000;

/** Default page size of listTopologies. */
const DEFAULT_LIST_LIMIT = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Tx = Parameters<Parameters<DecnetDb['transaction']>[0]>[0];
type Exec = DecnetDb | Tx;

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

function toSummary(r: typeof topologies.$inferSelect): TopologySummary {
  return {
    id: r.id,
    name: r.name,
    mode: r.mode as TopologyMode,
    target_host_uuid: r.target_host_uuid,
    config_snapshot: r.config_snapshot as Record<string, unknown>,
    status: r.status as TopologyStatus,
    status_changed_at: r.status_changed_at.toISOString(),
    created_at: r.created_at.toISOString(),
    version: r.version,
    needs_resync: r.needs_resync,
  };
}

function toLan(r: typeof lans.$inferSelect): LanRow {
  return { id: r.id, topology_id: r.topology_id, name: r.name, docker_network_id: r.docker_network_id, subnet: r.subnet, is_dmz: r.is_dmz, x: r.x, y: r.y };
}

function toDecky(r: typeof topology_deckies.$inferSelect): DeckyRow {
  return {
    uuid: r.uuid,
    topology_id: r.topology_id,
    name: r.name,
    services: [...r.services],
    decky_config: (r.decky_config ?? {}) as unknown as DeckyConfig,
    ip: r.ip,
    state: r.state as DeckyState,
    last_error: r.last_error,
    compose_hash: r.compose_hash,
    last_seen: iso(r.last_seen),
    updated_at: r.updated_at.toISOString(),
    x: r.x,
    y: r.y,
  };
}

function toEdge(r: typeof topology_edges.$inferSelect): EdgeRow {
  return { id: r.id, topology_id: r.topology_id, decky_uuid: r.decky_uuid, lan_id: r.lan_id, is_bridge: r.is_bridge, forwards_l3: r.forwards_l3 };
}

function toEvent(r: typeof topology_status_events.$inferSelect): StatusEvent {
  return { id: r.id, topology_id: r.topology_id, from_status: r.from_status, to_status: r.to_status, at: r.at.toISOString(), reason: r.reason };
}

function toMutation(r: typeof topology_mutations.$inferSelect): MutationRow {
  return {
    id: r.id,
    topology_id: r.topology_id,
    op: r.op as MutationOp,
    payload: r.payload as Record<string, unknown>,
    state: r.state as MutationState,
    requested_at: r.requested_at.toISOString(),
    applied_at: iso(r.applied_at),
    reason: r.reason,
  };
}

/** Maps a unique violation to the domain error naming what clashed; rethrows anything else. */
function translate(err: unknown, names: { topology?: string; lan?: string; decky?: string }): never {
  const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
  const pgErr = e.code ? e : e.cause;
  if (pgErr?.code === '23505') {
    switch (pgErr.constraint) {
      case 'uq_topologies_name':
        throw new NameTakenError('topology', names.topology ?? '?');
      case 'uq_lan_topology_name':
        throw new NameTakenError('lan', names.lan ?? '?');
      case 'uq_topology_decky_name':
        throw new NameTakenError('decky', names.decky ?? '?');
      case 'uq_topology_edges_decky_lan':
        throw new TopologyInputError('edge', 'that decky is already attached to that LAN');
    }
  }
  throw err;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += INSERT_CHUNK) out.push(items.slice(i, i + INSERT_CHUNK));
  return out;
}

/** Columns of a new decky row. */
function deckyValues(topologyId: string, d: NewDecky): typeof topology_deckies.$inferInsert {
  return {
    topology_id: topologyId,
    name: d.name,
    services: [...d.services],
    decky_config: d.decky_config as unknown as JsonObject,
    ip: d.ip ?? null,
    x: d.x ?? null,
    y: d.y ?? null,
  };
}

/** A TopologyRepository on the decnet Postgres schema. */
export class PostgresTopologyRepository implements TopologyRepository {
  constructor(private readonly db: DecnetDb) {}

  /**
   * Locks the topology row, enforces `enforcePending` and `expectedVersion`, and bumps the
   * version when one was expected. Throws TopologyNotFoundError for an unknown id.
   */
  private async guard(tx: Tx, topologyId: string, opts: WriteOptions | undefined, enforcePendingDefault: boolean): Promise<void> {
    if (!UUID.test(topologyId)) throw new TopologyNotFoundError('topology', topologyId);
    const [row] = await tx.select({ status: topologies.status, version: topologies.version }).from(topologies).where(eq(topologies.id, topologyId)).for('update');
    if (!row) throw new TopologyNotFoundError('topology', topologyId);
    if ((opts?.enforcePending ?? enforcePendingDefault) && row.status !== 'pending') throw new TopologyNotEditableError(row.status);
    if (opts?.expectedVersion !== undefined) {
      if (row.version !== opts.expectedVersion) throw new VersionConflictError(row.version, opts.expectedVersion);
      await tx.update(topologies).set({ version: sql`${topologies.version} + 1` }).where(eq(topologies.id, topologyId));
    }
  }

  private async requireTopology(exec: Exec, id: string): Promise<void> {
    if (!UUID.test(id)) throw new TopologyNotFoundError('topology', id);
    const [row] = await exec.select({ id: topologies.id }).from(topologies).where(eq(topologies.id, id));
    if (!row) throw new TopologyNotFoundError('topology', id);
  }

  private topologyValues(input: NewTopology): typeof topologies.$inferInsert {
    return {
      ...(input.id !== undefined ? { id: input.id } : {}),
      name: input.name,
      mode: input.mode ?? 'unihost',
      target_host_uuid: input.target_host_uuid ?? null,
      config_snapshot: input.config_snapshot as JsonObject,
    };
  }

  async createTopology(input: NewTopology): Promise<TopologySummary> {
    try {
      const [row] = await this.db.insert(topologies).values(this.topologyValues(input)).returning();
      return toSummary(row!);
    } catch (err) {
      return translate(err, { topology: input.name });
    }
  }

  async createTopologyGraph(input: NewTopologyGraph): Promise<TopologySummary> {
    let names: { topology?: string; lan?: string; decky?: string } = { topology: input.topology.name };
    try {
      return await this.db.transaction(async (tx) => {
        const [t] = await tx.insert(topologies).values(this.topologyValues(input.topology)).returning();
        const topologyId = t!.id;
        const lanIds = new Map<string, string>();
        for (const part of chunks(input.lans)) {
          names = { lan: findDuplicate(input.lans.map((l) => l.name)) };
          const rows = await tx
            .insert(lans)
            .values(part.map((l) => ({ topology_id: topologyId, name: l.name, subnet: l.subnet, is_dmz: l.is_dmz ?? false, docker_network_id: l.docker_network_id ?? null, x: l.x ?? null, y: l.y ?? null })))
            .returning({ id: lans.id, name: lans.name });
          for (const r of rows) lanIds.set(r.name, r.id);
        }
        const deckyIds = new Map<string, string>();
        for (const part of chunks(input.deckies)) {
          names = { decky: findDuplicate(input.deckies.map((d) => d.name)) };
          const rows = await tx
            .insert(topology_deckies)
            .values(part.map((d) => deckyValues(topologyId, d)))
            .returning({ uuid: topology_deckies.uuid, name: topology_deckies.name });
          for (const r of rows) deckyIds.set(r.name, r.uuid);
        }
        const edges = input.edges.map((e) => {
          const decky_uuid = deckyIds.get(e.decky);
          const lan_id = lanIds.get(e.lan);
          if (!decky_uuid) throw new TopologyNotFoundError('decky', e.decky);
          if (!lan_id) throw new TopologyNotFoundError('lan', e.lan);
          return { topology_id: topologyId, decky_uuid, lan_id, is_bridge: e.is_bridge, forwards_l3: e.forwards_l3 };
        });
        for (const part of chunks(edges)) await tx.insert(topology_edges).values(part);
        return toSummary(t!);
      });
    } catch (err) {
      return translate(err, names);
    }
  }

  async getTopology(id: string): Promise<TopologySummary | null> {
    if (!UUID.test(id)) return null;
    const [row] = await this.db.select().from(topologies).where(eq(topologies.id, id));
    return row ? toSummary(row) : null;
  }

  async getTopologyByName(name: string): Promise<TopologySummary | null> {
    const [row] = await this.db.select().from(topologies).where(eq(topologies.name, name));
    return row ? toSummary(row) : null;
  }

  async listTopologies(filter: TopologyListFilter = {}): Promise<TopologySummary[]> {
    const rows = await this.db
      .select()
      .from(topologies)
      .where(filter.status !== undefined ? eq(topologies.status, filter.status) : undefined)
      .orderBy(desc(topologies.created_at), asc(topologies.name))
      .limit(filter.limit ?? DEFAULT_LIST_LIMIT)
      .offset(filter.offset ?? 0);
    return rows.map(toSummary);
  }

  async countTopologies(status?: TopologyStatus): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(topologies)
      .where(status !== undefined ? eq(topologies.status, status) : undefined);
    return row?.n ?? 0;
  }

  async updateTopologyStatus(id: string, to: TopologyStatus, reason: string | null = null, expectedFrom?: TopologyStatus): Promise<TopologySummary> {
    if (!UUID.test(id)) throw new TopologyNotFoundError('topology', id);
    return this.db.transaction(async (tx) => {
      const [cur] = await tx.select({ status: topologies.status }).from(topologies).where(eq(topologies.id, id)).for('update');
      if (!cur) throw new TopologyNotFoundError('topology', id);
      if (expectedFrom !== undefined && cur.status !== expectedFrom) throw new TopologyStatusError(cur.status, to);
      // clock_timestamp(), not now(): two changes in one transaction still order correctly.
      const [row] = await tx.update(topologies).set({ status: to, status_changed_at: sql`clock_timestamp()` }).where(eq(topologies.id, id)).returning();
      await tx.insert(topology_status_events).values({ topology_id: id, from_status: cur.status, to_status: to, reason, at: sql`clock_timestamp()` });
      return toSummary(row!);
    });
  }

  async setNeedsResync(id: string, value: boolean): Promise<void> {
    await this.requireTopology(this.db, id);
    await this.db.update(topologies).set({ needs_resync: value }).where(eq(topologies.id, id));
  }

  async deleteTopology(id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    // Every child table references topologies ON DELETE CASCADE.
    const rows = await this.db.delete(topologies).where(eq(topologies.id, id)).returning({ id: topologies.id });
    return rows.length > 0;
  }

  async listStatusEvents(id: string, limit = 100): Promise<StatusEvent[]> {
    await this.requireTopology(this.db, id);
    const rows = await this.db
      .select()
      .from(topology_status_events)
      .where(eq(topology_status_events.topology_id, id))
      .orderBy(desc(topology_status_events.at))
      .limit(limit);
    return rows.map(toEvent);
  }

  async reservedSubnets(): Promise<string[]> {
    const rows = await this.db
      .select({ subnet: lans.subnet })
      .from(lans)
      .innerJoin(topologies, eq(lans.topology_id, topologies.id))
      .where(ne(topologies.status, 'torn_down'));
    return rows.map((r) => r.subnet);
  }

  async listLiveTopologyIds(): Promise<string[]> {
    const rows = await this.db.select({ id: topologies.id }).from(topologies).where(inArray(topologies.status, ['active', 'degraded']));
    return rows.map((r) => r.id);
  }

  async addLan(topologyId: string, lan: NewLan, opts?: WriteOptions): Promise<LanRow> {
    try {
      return await this.db.transaction(async (tx) => {
        await this.guard(tx, topologyId, opts, false);
        const [row] = await tx
          .insert(lans)
          .values({ topology_id: topologyId, name: lan.name, subnet: lan.subnet, is_dmz: lan.is_dmz ?? false, docker_network_id: lan.docker_network_id ?? null, x: lan.x ?? null, y: lan.y ?? null })
          .returning();
        return toLan(row!);
      });
    } catch (err) {
      return translate(err, { lan: lan.name });
    }
  }

  async updateLan(topologyId: string, lanId: string, patch: LanPatch, opts?: WriteOptions): Promise<LanRow> {
    try {
      return await this.db.transaction(async (tx) => {
        await this.guard(tx, topologyId, opts, false);
        const rows = UUID.test(lanId)
          ? await tx
              .update(lans)
              .set({ ...patch })
              .where(and(eq(lans.id, lanId), eq(lans.topology_id, topologyId)))
              .returning()
          : [];
        if (!rows[0]) throw new TopologyNotFoundError('lan', lanId);
        return toLan(rows[0]);
      });
    } catch (err) {
      return translate(err, { lan: patch.name ?? '?' });
    }
  }

  async deleteLan(topologyId: string, lanId: string, opts?: WriteOptions): Promise<void> {
    if (!UUID.test(topologyId)) throw new TopologyNotFoundError('topology', topologyId);
    await this.db.transaction(async (tx) => {
      if (!UUID.test(lanId)) throw new TopologyNotFoundError('lan', lanId);
      const [lan] = await tx.select({ name: lans.name }).from(lans).where(and(eq(lans.id, lanId), eq(lans.topology_id, topologyId)));
      if (!lan) {
        await this.requireTopology(tx, topologyId);
        throw new TopologyNotFoundError('lan', lanId);
      }
      const orphan = await tx.execute<{ name: string }>(sql`
        SELECT d.name FROM ${topology_edges} e JOIN ${topology_deckies} d ON d.uuid = e.decky_uuid
        WHERE e.lan_id = ${lanId}
          AND NOT EXISTS (SELECT 1 FROM ${topology_edges} o WHERE o.decky_uuid = e.decky_uuid AND o.lan_id <> ${lanId})
        ORDER BY d.name LIMIT 1`);
      if (orphan.rows[0]) throw new OrphanedDeckyError(lan.name, orphan.rows[0].name);
      await this.guard(tx, topologyId, opts, true);
      // Its edges go with it (ON DELETE CASCADE).
      await tx.delete(lans).where(eq(lans.id, lanId));
    });
  }

  async listLans(topologyId: string): Promise<LanRow[]> {
    await this.requireTopology(this.db, topologyId);
    const rows = await this.db.select().from(lans).where(eq(lans.topology_id, topologyId)).orderBy(asc(lans.name));
    return rows.map(toLan);
  }

  async addDecky(topologyId: string, decky: NewDecky, opts?: WriteOptions): Promise<DeckyRow> {
    try {
      return await this.db.transaction(async (tx) => {
        await this.guard(tx, topologyId, opts, false);
        const [row] = await tx.insert(topology_deckies).values(deckyValues(topologyId, decky)).returning();
        return toDecky(row!);
      });
    } catch (err) {
      return translate(err, { decky: decky.name });
    }
  }

  async updateDecky(topologyId: string, uuid: string, patch: DeckyPatch, opts?: WriteOptions): Promise<DeckyRow> {
    const { last_seen, decky_config, services, ...rest } = patch;
    try {
      return await this.db.transaction(async (tx) => {
        await this.guard(tx, topologyId, opts, false);
        const rows = UUID.test(uuid)
          ? await tx
              .update(topology_deckies)
              .set({
                ...rest,
                ...(services !== undefined ? { services: [...services] } : {}),
                ...(decky_config !== undefined ? { decky_config: decky_config as unknown as JsonObject } : {}),
                ...(last_seen !== undefined ? { last_seen: last_seen === null ? null : new Date(last_seen) } : {}),
                updated_at: sql`clock_timestamp()`,
              })
              .where(and(eq(topology_deckies.uuid, uuid), eq(topology_deckies.topology_id, topologyId)))
              .returning()
          : [];
        if (!rows[0]) throw new TopologyNotFoundError('decky', uuid);
        return toDecky(rows[0]);
      });
    } catch (err) {
      return translate(err, { decky: patch.name ?? '?' });
    }
  }

  async deleteDecky(topologyId: string, uuid: string, opts?: WriteOptions): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.guard(tx, topologyId, opts, true);
      const rows = UUID.test(uuid)
        ? await tx
            .delete(topology_deckies)
            .where(and(eq(topology_deckies.uuid, uuid), eq(topology_deckies.topology_id, topologyId)))
            .returning({ uuid: topology_deckies.uuid })
        : [];
      if (!rows[0]) throw new TopologyNotFoundError('decky', uuid);
    });
  }

  async listDeckies(topologyId: string): Promise<DeckyRow[]> {
    await this.requireTopology(this.db, topologyId);
    const rows = await this.db.select().from(topology_deckies).where(eq(topology_deckies.topology_id, topologyId)).orderBy(asc(topology_deckies.name));
    return rows.map(toDecky);
  }

  async addEdge(topologyId: string, edge: NewEdge, opts?: WriteOptions): Promise<EdgeRow> {
    try {
      return await this.db.transaction(async (tx) => {
        await this.guard(tx, topologyId, opts, false);
        const ok = (id: string) => UUID.test(id);
        const [decky] = ok(edge.decky_uuid)
          ? await tx.select({ uuid: topology_deckies.uuid }).from(topology_deckies).where(and(eq(topology_deckies.uuid, edge.decky_uuid), eq(topology_deckies.topology_id, topologyId)))
          : [];
        if (!decky) throw new TopologyNotFoundError('decky', edge.decky_uuid);
        const [lan] = ok(edge.lan_id) ? await tx.select({ id: lans.id }).from(lans).where(and(eq(lans.id, edge.lan_id), eq(lans.topology_id, topologyId))) : [];
        if (!lan) throw new TopologyNotFoundError('lan', edge.lan_id);
        const [row] = await tx
          .insert(topology_edges)
          .values({ topology_id: topologyId, decky_uuid: edge.decky_uuid, lan_id: edge.lan_id, is_bridge: edge.is_bridge ?? false, forwards_l3: edge.forwards_l3 ?? false })
          .returning();
        return toEdge(row!);
      });
    } catch (err) {
      return translate(err, {});
    }
  }

  async deleteEdge(topologyId: string, edgeId: string, opts?: WriteOptions): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.guard(tx, topologyId, opts, true);
      const rows = UUID.test(edgeId)
        ? await tx
            .delete(topology_edges)
            .where(and(eq(topology_edges.id, edgeId), eq(topology_edges.topology_id, topologyId)))
            .returning({ id: topology_edges.id })
        : [];
      if (!rows[0]) throw new TopologyNotFoundError('edge', edgeId);
    });
  }

  async listEdges(topologyId: string): Promise<EdgeRow[]> {
    await this.requireTopology(this.db, topologyId);
    const rows = await this.db.select().from(topology_edges).where(eq(topology_edges.topology_id, topologyId)).orderBy(asc(topology_edges.id));
    return rows.map(toEdge);
  }

  async enqueueMutation(topologyId: string, op: MutationOp, payload: Record<string, unknown>, expectedVersion?: number): Promise<MutationRow> {
    return this.db.transaction(async (tx) => {
      await this.guard(tx, topologyId, expectedVersion !== undefined ? { expectedVersion } : undefined, false);
      // Enqueueing always bumps the version, checked or not: the topology is about to change.
      if (expectedVersion === undefined) await tx.update(topologies).set({ version: sql`${topologies.version} + 1` }).where(eq(topologies.id, topologyId));
      const [row] = await tx
        .insert(topology_mutations)
        .values({ topology_id: topologyId, op, payload: payload as JsonObject, requested_at: sql`clock_timestamp()` })
        .returning();
      return toMutation(row!);
    });
  }

  async claimNextMutation(topologyId: string): Promise<MutationRow | null> {
    await this.requireTopology(this.db, topologyId);
    // One statement: concurrent claimers skip the locked row instead of both taking it.
    const res = await this.db.execute(sql`
      UPDATE ${topology_mutations} SET state = 'applying'
      WHERE id = (
        SELECT id FROM ${topology_mutations}
        WHERE topology_id = ${topologyId} AND state = 'pending'
        ORDER BY requested_at, id
        LIMIT 1
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id`);
    const id = (res.rows[0] as { id?: string } | undefined)?.id;
    if (!id) return null;
    const [row] = await this.db.select().from(topology_mutations).where(eq(topology_mutations.id, id));
    return row ? toMutation(row) : null;
  }

  private async markMutation(mutationId: string, state: 'applied' | 'failed', reason: string | null): Promise<void> {
    const rows = UUID.test(mutationId)
      ? await this.db
          .update(topology_mutations)
          .set({ state, reason, applied_at: sql`clock_timestamp()` })
          .where(eq(topology_mutations.id, mutationId))
          .returning({ id: topology_mutations.id })
      : [];
    if (!rows[0]) throw new TopologyNotFoundError('mutation', mutationId);
  }

  async markMutationApplied(mutationId: string): Promise<void> {
    await this.markMutation(mutationId, 'applied', null);
  }

  async markMutationFailed(mutationId: string, reason: string): Promise<void> {
    await this.markMutation(mutationId, 'failed', reason);
  }

  async listMutations(topologyId: string, state?: MutationState): Promise<MutationRow[]> {
    await this.requireTopology(this.db, topologyId);
    const rows = await this.db
      .select()
      .from(topology_mutations)
      .where(and(eq(topology_mutations.topology_id, topologyId), state !== undefined ? eq(topology_mutations.state, state) : undefined))
      .orderBy(asc(topology_mutations.requested_at), asc(topology_mutations.id));
    return rows.map(toMutation);
  }

  async hasPendingMutation(): Promise<boolean> {
    const res = await this.db.execute(sql`
      SELECT EXISTS (
        SELECT 1 FROM ${topology_mutations} m JOIN ${topologies} t ON t.id = m.topology_id
        WHERE m.state = 'pending' AND t.status IN ('active', 'degraded')
      ) AS pending`);
    return (res.rows[0] as { pending?: boolean } | undefined)?.pending === true;
  }
}

function findDuplicate(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) return n;
    seen.add(n);
  }
  return undefined;
}
