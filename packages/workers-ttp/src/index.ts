/**
 * The `ttp` worker: tags what attackers do with MITRE ATT&CK techniques using decnet's own rule
 * pack, built in, plus any operator rule directory (via @decnet/ttp-engine). It consumes upstream's inputs (`attacker.session.ended` with
 * one command source per command, `attacker.observed`, `attacker.intel.enriched`,
 * `attacker.fingerprinted`, `identity.formed/merged`, `credential.reuse.detected`,
 * `email.received`, `canary.>`) and `log.event.>` (commands, HTTP requests and auth attempts,
 * which upstream never produced), writes `ttp_tag` rows idempotently, waits for attackers the
 * profiler has not created yet, and publishes `ttp.tagged` and `ttp.rule.fired.<technique>`
 * for new rows only.
 *
 * ```ts
 * import { worker } from '@decnet/worker-ttp';
 * // DATABASE_URL=postgres://... node dist/workers/ttp/main.js   (the rule pack is built in)
 * ```
 * @module
 */
import type { WorkerSpec } from '@decnet/core';
import type { TtpOptions } from './options.js';
import { runTtp, type TtpHooks } from './worker.js';

// The schema classification is @decnet/db's, shared by every database worker; re-exported here.
export { SchemaNotReadyError } from '@decnet/db';
// jobs.ts
export type { Anchor, Derived, DeriveContext, Malformed, TagJob } from './jobs.js';
export { DATABASE_SERVICES, commandSourceId, jobsFromEnvelope, jobsFromLogEvent } from './jobs.js';
// options.ts
export type { CompiledTtpOptions, TtpAckMode, TtpOptions } from './options.js';
export { TTP_DEFAULTS, compileTtpOptions, defaultTtpAck } from './options.js';
// pending.ts
export type { PendingCounters, PendingItem } from './pending.js';
export { PendingTags, anchorKey, restorePending } from './pending.js';
// rule-source.ts
export type { RuleGeneration } from './rule-source.js';
export { RuleSource } from './rule-source.js';
// tag-records.ts
export type { ResolvedAnchor, TagRow } from './tag-records.js';
export { AnchorResolver, insertTags, readIdentitySpraying, readIntel, readRuleStates } from './tag-records.js';
// worker.ts
export type { TtpCounters, TtpHooks } from './worker.js';
export { PENDING_STATE_KEY, TTP_INPUTS, runTtp } from './worker.js';

/** The worker's description in `decnet workers`. */
const DESCRIPTION = 'ATT&CK tagging: sessions, commands, HTTP, auth, intel, mail, canary → ttp_tag, ttp.tagged, ttp.rule.fired.*';

/** A ttp worker with fixed option overrides and hooks (tests, embedding); {@link worker} reads the environment. */
export function createTtpWorker(overrides: Partial<TtpOptions> = {}, hooks: TtpHooks = {}): WorkerSpec {
  return { name: 'ttp', needs: ['bus', 'db'], description: DESCRIPTION, run: (ctx) => runTtp(ctx, overrides, hooks) };
}

/** The ttp worker, configured from DECNET_TTP_* (see {@link TtpOptions}) and DECNET_ATTACK_BUNDLE. */
export const worker: WorkerSpec = createTtpWorker();
