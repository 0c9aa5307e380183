/**
 * The decnet database: a drizzle schema of every upstream table adapted to Postgres (jsonb,
 * timestamptz, real foreign keys, the unique keys upstream lacked), its SQL migrations embedded
 * and applied under an advisory lock, and the connection: `DATABASE_URL`, else an embedded
 * Postgres under `DECNET_HOME`. Only projects tagged `needs:db` may import this package.
 *
 * ```ts
 * import { getDatabase, migrate, setState, logs } from '@decnet/db';
 * const { db } = await getDatabase(ctx.config, ctx.log, { signal: ctx.signal });
 * await migrate(db, ctx.log);                        // `decnet db migrate` / `decnet up`
 * await setState(db, 'attacker_worker_cursor', { last_log_id: 42 });
 * const recent = await db.select().from(logs).limit(10);
 * ```
 * @module
 */

// connection.ts
export type { Database, DecnetDb, OpenDatabaseOptions } from './connection.js';
export { POOL_MAX, RETRY_INITIAL_MS, RETRY_MAX_MS, getDatabase, openDatabase } from './connection.js';
// embedded.ts
export type { EmbeddedPaths, EmbeddedPostgresInfo } from './embedded.js';
export { DEFAULT_EMBEDDED_PORT, EMBEDDED_DATABASE, embeddedPaths, findRunningEmbedded } from './embedded.js';
// errors.ts
export { DatabaseUnavailableError, EmbeddedPostgresError, MigrationError, SchemaNotReadyError, isConnectionError, isSchemaError } from './errors.js';
// health.ts
export type { DatabaseHealth } from './health.js';
export { checkDatabase } from './health.js';
// migrate.ts
export type { MigrationReport } from './migrate.js';
export { MIGRATIONS_TABLE, MIGRATION_LOCK_KEY, migrate } from './migrate.js';
// migrations.generated.ts
export type { EmbeddedMigration } from './migrations.generated.js';
export { MIGRATIONS } from './migrations.generated.js';
// state.ts
export { getState, setState } from './state.js';
// schema/*
export type { JsonObject, JsonValue } from './schema/index.js';
export {
  // logs.ts
  bounty,
  credential_reuse,
  credentials,
  logs,
  observed_attachments,
  state,
  // attackers.ts
  attacker_behavior,
  attacker_fingerprint_state,
  attacker_intel,
  attackers,
  observations,
  smtp_targets,
  // identities.ts
  attacker_identities,
  attribution_state,
  campaigns,
  // ttp.ts
  ttp_rule,
  ttp_rule_state,
  ttp_tag,
  // canary.ts
  canary_blobs,
  canary_tokens,
  canary_triggers,
  // webhooks.ts
  webhook_subscriptions,
  // topology.ts
  lans,
  topologies,
  topology_deckies,
  topology_edges,
  topology_mutations,
  topology_status_events,
  // fleet.ts
  decky_lifecycle,
  decky_shards,
  fleet_deckies,
  swarm_hosts,
  tarpit_rules,
  // auth.ts
  revoked_tokens,
  users,
  // orchestrator.ts
  orchestrator_emails,
  orchestrator_events,
  realism_config,
  synthetic_files,
} from './schema/index.js';
