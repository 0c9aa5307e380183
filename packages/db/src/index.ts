/**
 * The decnet database: a drizzle schema of every upstream table adapted to Postgres (jsonb,
 * timestamptz, real foreign keys, the unique keys upstream lacked), its SQL migrations embedded
 * and applied under an advisory lock, the connection (`DATABASE_URL`, else an embedded Postgres
 * under `DECNET_HOME`), and the repositories: every SQL statement of decnet lives here, one
 * module per domain. Only projects tagged `needs:db` may import this package.
 *
 * ```ts
 * import { getDatabase, migrate, withTransaction, insertLogRows, searchLogs } from '@decnet/db';
 * const database = await getDatabase(ctx.config, ctx.log, { signal: ctx.signal });
 * await migrate(database.db, ctx.log);               // `decnet db migrate` / `decnet up`
 * await withTransaction(database.pool, (tx) => insertLogRows(tx, rows));
 * const recent = await searchLogs(database.pool, [{ kind: 'word', word: 'wget' }], 10);
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
export {
  DatabaseUnavailableError,
  EmbeddedPostgresError,
  MigrationError,
  SchemaNotReadyError,
  isConnectionError,
  isDataError,
  isDataOrConstraintError,
  isForeignKeyError,
  isMissingTableError,
  isSchemaError,
  isUniqueViolation,
  sqlStateOf,
} from './errors.js';
// health.ts
export type { DatabaseHealth } from './health.js';
export { checkDatabase, pingDatabase, requireTables } from './health.js';
// migrate.ts
export type { MigrationReport } from './migrate.js';
export { MIGRATIONS_TABLE, MIGRATION_LOCK_KEY, migrate } from './migrate.js';
// migrations.generated.ts
export type { EmbeddedMigration } from './migrations.generated.js';
export { MIGRATIONS } from './migrations.generated.js';
// state.ts
export { getState, readOrInitState, setState, updateState } from './state.js';
// transaction.ts
export type { Pool, Queryable, Transaction } from './transaction.js';
export { lockForTransaction, withTransaction } from './transaction.js';

// ---- repositories: all of decnet's SQL, one module per domain -------------------------------------
// (topology's lives behind `@decnet/db/topology`, so workers without topologies do not load it)
// repositories/logs-repository.ts: logs, credentials, bounty, attachments, ingest progress, search
export type {
  AttachmentSighting,
  CredentialUpsertRow,
  IdRange,
  IngestProgress,
  LogSearchColumn,
  LogSearchRow,
  LogSearchTerm,
  LogsQuery,
  NewBountyRow,
  NewLogRow,
  StoredLogRow,
} from './repositories/logs-repository.js';
export {
  addressesWithLogs,
  bountySummaryByAddress,
  buildLogsQuery,
  credentialCountByAddress,
  forEachLogChunkOf,
  insertBounties,
  insertLogRows,
  linkCredentialsToAttackers,
  maxLogId,
  readLogsAfter,
  readLogsInRanges,
  recordIngestProgress,
  searchLogs,
  upsertCredentials,
  upsertObservedAttachments,
} from './repositories/logs-repository.js';
// repositories/attackers-repository.ts: attackers, behaviour, smtp targets, lookups, listings
export type {
  AttackerExportRow,
  AttackerListRow,
  AttackerProfileWrite,
  AttackerRef,
  BehaviorWrite,
  Ipv6Leak,
  SmtpTargetCount,
  StoredAttackerProfile,
  WrittenAttacker,
} from './repositories/attackers-repository.js';
export {
  addSmtpTargets,
  attackerUuidsByAddress,
  deleteSmtpTargets,
  findAttackers,
  listAttackers,
  listAttackersForExport,
  readAttackerProfiles,
  recordIpv6Leak,
  upsertBehaviors,
  writeAttackerProfiles,
} from './repositories/attackers-repository.js';
// repositories/ttp-repository.ts: tags, rule states, enrichment reads, tag listings
export type { NewTagRow, RuleStateRow, SprayedSecret, TagListRow } from './repositories/ttp-repository.js';
export {
  existingIdentities,
  insertTags,
  listTags,
  listTagsForExport,
  readAttackerIntel,
  readRuleStates,
  readSprayedSecret,
} from './repositories/ttp-repository.js';
// repositories/webhooks-repository.ts: subscriptions and delivery bookkeeping
export type { DeliveryFailureRecord, NewWebhookSubscription, WebhookSubscriptionRow } from './repositories/webhooks-repository.js';
export {
  MAX_LAST_ERROR,
  deleteWebhookSubscription,
  findWebhookSubscription,
  insertWebhookSubscription,
  listWebhookSubscriptions,
  recordDeliveryFailure,
  recordDeliverySuccess,
  setWebhookSubscriptionEnabled,
} from './repositories/webhooks-repository.js';
// ---- end of repositories ---------------------------------------------------------------------------

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
