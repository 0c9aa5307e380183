// Every table of the decnet database (upstream's 39, reference §1), one file per domain.
// Adaptations to Postgres, decided once for all tables:
// - JSON and JSON-string columns are jsonb; naive UTC DATETIMEs are timestamptz (default now());
//   BINARY(8) is bytea; autoincrement ids are bigint identities; uuid4 keys are `uuid`
//   (except attacker_intel.uuid and observations.id, upstream's dash-less hex, kept as text).
// - References upstream drew (→) are real foreign keys: cascade for rows owned by their parent
//   (upstream deleted them by hand), set null for nullable back-references, restrict where
//   upstream refused the delete. Columns marked "no FK" upstream stay without one, with a reason.
// - Unique keys upstream lacked are added where it duplicated rows; each says so in a comment.
// - A single-column index is left out when a unique key or composite index already leads with
//   that column; the covering index says so in a comment.
export * from './attackers.js';
export * from './auth.js';
export * from './canary.js';
export * from './fleet.js';
export * from './identities.js';
export * from './logs.js';
export * from './orchestrator.js';
export * from './topology.js';
export * from './ttp.js';
export * from './webhooks.js';
export type { JsonObject, JsonValue } from './columns.js';
