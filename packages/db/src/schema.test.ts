// The migrated schema against the spec: every upstream table, the foreign keys and their delete
// rules, the unique keys upstream lacked, and the ttp_tag CHECK constraints, on real Postgres.
import { randomUUID } from 'node:crypto';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '@decnet/testing/postgres';
import { openDatabase, type Database } from './connection.js';
import { migrate } from './migrate.js';
import {
  attacker_identities,
  attackers,
  canary_blobs,
  canary_tokens,
  credentials,
  lans,
  logs,
  topologies,
  topology_deckies,
  topology_edges,
  topology_status_events,
  ttp_tag,
} from './schema/index.js';

/** Reference §1, written out: the test fails if a table is missing or one appears unplanned. */
const EXPECTED_TABLES = [
  // 1.1 logs and events
  'logs',
  'bounty',
  'credentials',
  'credential_reuse',
  'state',
  'observed_attachments',
  // 1.2 attackers
  'attackers',
  'attacker_behavior',
  'attacker_fingerprint_state',
  'smtp_targets',
  'attacker_intel',
  'observations',
  // 1.3 identities
  'attacker_identities',
  'campaigns',
  'attribution_state',
  // 1.4 ttp
  'ttp_tag',
  'ttp_rule',
  'ttp_rule_state',
  // 1.5 canary
  'canary_blobs',
  'canary_tokens',
  'canary_triggers',
  // 1.6 webhooks
  'webhook_subscriptions',
  // 1.7 topology
  'topologies',
  'lans',
  'topology_deckies',
  'topology_edges',
  'topology_status_events',
  'topology_mutations',
  // 1.8 fleet
  'fleet_deckies',
  'swarm_hosts',
  'decky_shards',
  'decky_lifecycle',
  'tarpit_rules',
  // 1.9 auth
  'users',
  'revoked_tokens',
  // 1.10 orchestrator
  'orchestrator_events',
  'orchestrator_emails',
  'synthetic_files',
  'realism_config',
];

/** Every foreign key as `table.column -> table.column ON DELETE rule`. */
const EXPECTED_FOREIGN_KEYS = [
  'attacker_behavior.attacker_uuid -> attackers.uuid CASCADE',
  'attacker_fingerprint_state.attacker_uuid -> attackers.uuid CASCADE',
  'attacker_identities.campaign_id -> campaigns.uuid SET NULL',
  'attacker_identities.merged_into_uuid -> attacker_identities.uuid SET NULL',
  'attacker_intel.attacker_uuid -> attackers.uuid CASCADE',
  'attackers.identity_id -> attacker_identities.uuid SET NULL',
  'attribution_state.identity_uuid -> attacker_identities.uuid CASCADE',
  'campaigns.merged_into_uuid -> campaigns.uuid SET NULL',
  'canary_tokens.blob_uuid -> canary_blobs.uuid RESTRICT',
  'canary_triggers.attacker_id -> attackers.uuid SET NULL',
  'canary_triggers.token_uuid -> canary_tokens.uuid CASCADE',
  'credentials.attacker_uuid -> attackers.uuid SET NULL',
  'decky_shards.host_uuid -> swarm_hosts.uuid CASCADE',
  'lans.topology_id -> topologies.id CASCADE',
  'observations.attacker_uuid -> attackers.uuid CASCADE',
  'observed_attachments.first_seen_attacker_uuid -> attackers.uuid SET NULL',
  'observed_attachments.last_seen_attacker_uuid -> attackers.uuid SET NULL',
  'smtp_targets.attacker_uuid -> attackers.uuid CASCADE',
  'topologies.target_host_uuid -> swarm_hosts.uuid RESTRICT',
  'topology_deckies.topology_id -> topologies.id CASCADE',
  'topology_edges.decky_uuid -> topology_deckies.uuid CASCADE',
  'topology_edges.lan_id -> lans.id CASCADE',
  'topology_edges.topology_id -> topologies.id CASCADE',
  'topology_mutations.topology_id -> topologies.id CASCADE',
  'topology_status_events.topology_id -> topologies.id CASCADE',
  'ttp_tag.attacker_uuid -> attackers.uuid CASCADE',
  'ttp_tag.identity_uuid -> attacker_identities.uuid CASCADE',
];

/** The SQLSTATE and constraint of a failed query (drizzle wraps the driver error in `cause`). */
async function failure(run: () => Promise<unknown>): Promise<{ code?: string; constraint?: string }> {
  try {
    await run();
  } catch (err) {
    const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } };
    return { code: e.code ?? e.cause?.code, constraint: e.constraint ?? e.cause?.constraint };
  }
  throw new Error('expected the statement to fail');
}

const FK_VIOLATION = '23503';
const UNIQUE_VIOLATION = '23505';
const CHECK_VIOLATION = '23514';

let database: Database;

beforeAll(async () => {
  database = await openDatabase(testConfig({ DATABASE_URL: testDatabaseUrl() }), silentLogger);
  await migrate(database.db, silentLogger);
});

afterAll(async () => {
  await database?.close();
});

function randomIp(): string {
  const b = () => Math.floor(Math.random() * 254) + 1;
  return `198.${b()}.${b()}.${b()}`;
}

async function newAttacker(): Promise<string> {
  const [row] = await database.db
    .insert(attackers)
    .values({ ip: `${randomIp()}-${randomUUID()}` })
    .returning();
  return row!.uuid;
}

async function newTopology(): Promise<{ topologyId: string; lanId: string; deckyId: string }> {
  const db = database.db;
  const [topology] = await db
    .insert(topologies)
    .values({ name: `t-${randomUUID()}` })
    .returning();
  const topologyId = topology!.id;
  const [lan] = await db
    .insert(lans)
    .values({ topology_id: topologyId, name: 'LAN-00', subnet: '172.16.0.0/24' })
    .returning();
  const [decky] = await db.insert(topology_deckies).values({ topology_id: topologyId, name: 'decky-001' }).returning();
  return { topologyId, lanId: lan!.id, deckyId: decky!.uuid };
}

describe('the migrated schema holds every upstream table', () => {
  it('creates exactly the 39 tables of the reference in the public schema', async () => {
    const { rows } = await database.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(EXPECTED_TABLES).toHaveLength(39);
    expect(rows.map((r) => r.table_name).sort()).toEqual([...EXPECTED_TABLES].sort());
  });

  it('adds a nullable text event_id with a unique key to logs', async () => {
    const { rows } = await database.pool.query<{ data_type: string; is_nullable: string }>(
      `SELECT data_type, is_nullable FROM information_schema.columns WHERE table_name = 'logs' AND column_name = 'event_id'`,
    );
    expect(rows).toEqual([{ data_type: 'text', is_nullable: 'YES' }]);
  });

  it('uses jsonb, timestamptz and bytea for the adapted upstream types', async () => {
    const { rows } = await database.pool.query<{ key: string; data_type: string }>(
      `SELECT table_name || '.' || column_name AS key, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND (table_name, column_name) IN
          (('logs','fields'), ('logs','timestamp'), ('attacker_identities','kd_digraph_simhash'), ('state','value'))`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.key, r.data_type]))).toEqual({
      'logs.fields': 'jsonb',
      'logs.timestamp': 'timestamp with time zone',
      'attacker_identities.kd_digraph_simhash': 'bytea',
      'state.value': 'jsonb',
    });
  });
});

describe('adapted columns round-trip through drizzle', () => {
  it('stores bytea as a Buffer, jsonb as JSON and timestamptz as a Date', async () => {
    const simhash = Buffer.from('0123456789abcdef', 'hex');
    const [identity] = await database.db
      .insert(attacker_identities)
      .values({ kd_digraph_simhash: simhash, ja3_hashes: ['771,4865'] })
      .returning();
    const [read] = await database.db
      .select()
      .from(attacker_identities)
      .where(eq(attacker_identities.uuid, identity!.uuid));
    expect(Buffer.compare(read!.kd_digraph_simhash!, simhash)).toBe(0);
    expect(read!.ja3_hashes).toEqual(['771,4865']);
    expect(read!.created_at).toBeInstanceOf(Date);
  });
});

describe('foreign keys exist with their delete rules and are enforced', () => {
  it('declares exactly the expected foreign keys', async () => {
    const { rows } = await database.pool.query<{ fk: string }>(`
      SELECT src.relname || '.' || sa.attname || ' -> ' || dst.relname || '.' || da.attname || ' ' ||
             CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'r' THEN 'RESTRICT'
                                WHEN 'a' THEN 'NO ACTION' WHEN 'd' THEN 'SET DEFAULT' END AS fk
        FROM pg_constraint c
        JOIN pg_class src ON src.oid = c.conrelid
        JOIN pg_class dst ON dst.oid = c.confrelid
        JOIN pg_namespace n ON n.oid = src.relnamespace AND n.nspname = 'public'
        JOIN pg_attribute sa ON sa.attrelid = c.conrelid AND sa.attnum = c.conkey[1]
        JOIN pg_attribute da ON da.attrelid = c.confrelid AND da.attnum = c.confkey[1]
       WHERE c.contype = 'f'`);
    expect(rows.map((r) => r.fk).sort()).toEqual([...EXPECTED_FOREIGN_KEYS].sort());
  });

  it('rejects a credential pointing at an attacker that does not exist', async () => {
    const result = await failure(() =>
      database.db.insert(credentials).values({
        attacker_ip: randomIp(),
        attacker_uuid: randomUUID(),
        decky_name: 'decky-01',
        service: 'ssh',
        secret_sha256: 'a'.repeat(64),
      }),
    );
    expect(result).toEqual({ code: FK_VIOLATION, constraint: 'credentials_attacker_uuid_attackers_uuid_fk' });
  });

  it('rejects an edge whose decky does not exist', async () => {
    const { topologyId, lanId } = await newTopology();
    const result = await failure(() =>
      database.db.insert(topology_edges).values({ topology_id: topologyId, decky_uuid: randomUUID(), lan_id: lanId }),
    );
    expect(result.code).toBe(FK_VIOLATION);
  });

  it('deletes a topology together with its LANs, deckies, edges and status events', async () => {
    const db = database.db;
    const { topologyId, lanId, deckyId } = await newTopology();
    await db.insert(topology_edges).values({ topology_id: topologyId, decky_uuid: deckyId, lan_id: lanId });
    await db
      .insert(topology_status_events)
      .values({ topology_id: topologyId, from_status: 'pending', to_status: 'deploying' });
    await db.delete(topologies).where(eq(topologies.id, topologyId));
    const counts = await Promise.all(
      [lans, topology_deckies, topology_edges, topology_status_events].map(
        async (table) => (await db.select().from(table).where(eq(table.topology_id, topologyId))).length,
      ),
    );
    expect(counts).toEqual([0, 0, 0, 0]);
  });

  it('keeps a credential but clears its attacker_uuid when the attacker is deleted', async () => {
    const db = database.db;
    const attackerUuid = await newAttacker();
    const [row] = await db
      .insert(credentials)
      .values({
        attacker_ip: randomIp(),
        attacker_uuid: attackerUuid,
        decky_name: 'd',
        service: 'ssh',
        secret_sha256: 'b'.repeat(64),
      })
      .returning();
    await db.delete(attackers).where(eq(attackers.uuid, attackerUuid));
    const [after] = await db.select().from(credentials).where(eq(credentials.id, row!.id));
    expect(after?.attacker_uuid).toBeNull();
  });

  it('refuses to delete a canary blob a token still references', async () => {
    const db = database.db;
    const [blob] = await db
      .insert(canary_blobs)
      .values({
        sha256: randomUUID().replace(/-/g, '').padEnd(64, '0'),
        filename: 'a.docx',
        content_type: 'x',
        size_bytes: 1,
        uploaded_by: 'u',
      })
      .returning();
    await db.insert(canary_tokens).values({
      kind: 'http',
      decky_name: 'decky-01',
      blob_uuid: blob!.uuid,
      placement_path: '/home/a.docx',
      callback_token: randomUUID(),
      secret_seed: 's',
      created_by: 'system',
    });
    const result = await failure(() => db.delete(canary_blobs).where(eq(canary_blobs.uuid, blob!.uuid)));
    expect(result.code).toBe(FK_VIOLATION);
  });
});

describe('unique keys stop the duplicates upstream could write', () => {
  it('rejects a second attacker row for the same ip', async () => {
    const ip = randomIp() + `-${randomUUID()}`;
    await database.db.insert(attackers).values({ ip });
    const result = await failure(() => database.db.insert(attackers).values({ ip }));
    expect(result).toEqual({ code: UNIQUE_VIOLATION, constraint: 'uq_attackers_ip' });
  });

  it('rejects a repeated credential dedup key but accepts another principal', async () => {
    const base = {
      attacker_ip: randomIp() + `-${randomUUID()}`,
      decky_name: 'decky-01',
      service: 'ssh',
      secret_sha256: 'c'.repeat(64),
      principal_key: 'root',
    };
    await database.db.insert(credentials).values(base);
    const result = await failure(() => database.db.insert(credentials).values(base));
    expect(result).toEqual({ code: UNIQUE_VIOLATION, constraint: 'uq_credentials_dedup' });
    await expect(database.db.insert(credentials).values({ ...base, principal_key: 'admin' })).resolves.toBeDefined();
  });

  it('rejects attaching the same decky to the same LAN twice', async () => {
    const { topologyId, lanId, deckyId } = await newTopology();
    const edge = { topology_id: topologyId, decky_uuid: deckyId, lan_id: lanId };
    await database.db.insert(topology_edges).values(edge);
    const result = await failure(() => database.db.insert(topology_edges).values({ ...edge, is_bridge: true }));
    expect(result).toEqual({ code: UNIQUE_VIOLATION, constraint: 'uq_topology_edges_decky_lan' });
  });

  it('rejects a repeated logs.event_id but allows any number of rows without one', async () => {
    const row = {
      decky: 'decky-01',
      service: 'ssh',
      event_type: 'login',
      attacker_ip: randomIp(),
      raw_line: '<13>1 -',
    };
    const eventId = randomUUID();
    await database.db.insert(logs).values([{ ...row, event_id: eventId }, row, row]);
    const result = await failure(() => database.db.insert(logs).values({ ...row, event_id: eventId }));
    expect(result).toEqual({ code: UNIQUE_VIOLATION, constraint: 'uq_logs_event_id' });
  });
});

describe('ttp_tag CHECK constraints', () => {
  const tag = () => ({
    uuid: randomUUID(),
    source_kind: 'log',
    source_id: '1',
    tactic: 'credential-access',
    technique_id: 'T1110',
    confidence: 0.8,
    rule_id: 'ssh-brute',
    rule_version: 1,
    evidence: { attempts: 12 },
    attack_release: 'v15',
  });

  it('accepts a tag anchored to an attacker with confidence in 0..1', async () => {
    const attackerUuid = await newAttacker();
    await expect(database.db.insert(ttp_tag).values({ ...tag(), attacker_uuid: attackerUuid })).resolves.toBeDefined();
  });

  it('rejects a tag with neither attacker nor identity (ttp_tag_has_anchor)', async () => {
    const result = await failure(() => database.db.insert(ttp_tag).values(tag()));
    expect(result).toEqual({ code: CHECK_VIOLATION, constraint: 'ttp_tag_has_anchor' });
  });

  it('rejects a confidence outside 0..1 (ttp_tag_confidence_range)', async () => {
    const attackerUuid = await newAttacker();
    for (const confidence of [1.01, -0.1]) {
      const result = await failure(() =>
        database.db.insert(ttp_tag).values({ ...tag(), attacker_uuid: attackerUuid, confidence }),
      );
      expect(result).toEqual({ code: CHECK_VIOLATION, constraint: 'ttp_tag_confidence_range' });
    }
  });
});
