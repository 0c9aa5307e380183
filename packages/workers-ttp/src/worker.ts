// The ttp worker's run loop: subscribe to upstream's inputs (and log.event.* for the sources
// upstream never produced), tag each event, anchor the tags to their attacker or identity
// (waiting, not dropping, when the attacker row does not exist yet), insert them idempotently
// and publish ttp.tagged / ttp.rule.fired.<technique> for rows actually inserted.
import {
  EVENTS,
  everyNth,
  rootPattern,
  sleep,
  untilAborted,
  type Envelope,
  type Subscription,
  type TtpRuleFiredPayload,
  type TtpTaggedPayload,
  type WorkerContext,
} from '@decnet/core';
import {
  SchemaNotReadyError,
  getDatabase,
  getState,
  isDataOrConstraintError,
  isForeignKeyError,
  isSchemaError,
  requireTables,
  setState,
  ttp_tag,
} from '@decnet/db';
import { AuthWindow, resolveAttackCatalog, uuidv5, TTP_TAG_NAMESPACE, type RuleState, type TagCandidate } from '@decnet/ttp-engine';
import { jobsFromEnvelope, type Anchor } from './jobs.js';
import { compileTtpOptions, type TtpOptions } from './options.js';
import { PendingTags, restorePending, type PendingItem } from './pending.js';
import { RuleSource, type RuleGeneration } from './rule-source.js';
import {
  AnchorResolver,
  bumpIpv6Leak,
  insertTags,
  readIdentitySpraying,
  readIntel,
  readRuleStates,
  type ResolvedAnchor,
  type TagRow,
} from './tag-records.js';

/** Key of the `state` row pending tags are saved under at stop. */
export const PENDING_STATE_KEY = 'ttp_pending';
/** Pending items saved at stop, at most (the newest). */
const PERSIST_MAX = 2_000;
/** First wait after a failed write; doubles up to the max while the database is away. */
const RETRY_INITIAL_MS = 250;
const RETRY_MAX_MS = 10_000;
/** Health detail refresh period. */
const HEALTH_TICK_MS = 1_000;
/** Sources written per statement in `receive` mode. */
const WRITE_BATCH = 250;
/** Sources queued in `receive` mode before handlers wait for the writer. */
const MAX_QUEUED = 5_000;
/** The writer's idle poll (it is also woken by each queued source). */
const WRITER_IDLE_MS = 50;
/** Announcements awaiting the bus before handlers wait for them. */
const MAX_PENDING_PUBLISHES = 10_000;
/** Longest a stop waits for announcements still in flight. */
const PUBLISH_DRAIN_MS = 5_000;
/** Rule that owns IPv6 link-local leaks (its tags also update the attacker row). */
const IPV6_RULE = 'R0059';

/**
 * The subjects the worker consumes (upstream's list; `log.event.>` is added when enabled). Each
 * payload is checked against its catalogue schema where sources are derived (jobs.ts).
 */
export const TTP_INPUTS: readonly string[] = [
  EVENTS.attackerSessionEnded.subject,
  EVENTS.attackerObserved.subject,
  EVENTS.attackerScored.subject,
  EVENTS.attackerIntelEnriched.subject,
  EVENTS.attackerFingerprinted.subject,
  EVENTS.identityFormed.subject,
  EVENTS.identityMerged.subject,
  EVENTS.credentialReuseDetected.subject,
  EVENTS.emailReceived.subject,
  rootPattern('canary'),
];

/** Counters reported in health. */
export interface TtpCounters {
  events: number;
  /** Payloads that could not be used (skipped). */
  malformed: number;
  /** Sources that produced at least one tag. */
  tagged: number;
  inserted: number;
  /** Tags already stored (replays). */
  duplicates: number;
  /** Tags that waited for their attacker and were then written. */
  resolvedLater: number;
  /** Tags the database refused even alone (skipped, logged). */
  refused: number;
  writeRetries: number;
  published: number;
  publishFailed: number;
  ruleReloads: number;
}

/** Optional callbacks for embedding and tests. */
export interface TtpHooks {
  /** Called once every subscription receives events. */
  onReady?(): void;
}

/** Tags of one source, on their way to the database. */
interface Work {
  readonly anchor: Anchor;
  readonly tags: readonly TagCandidate[];
  readonly sessionId: string | null;
  readonly deckyId: string | null;
  readonly since: number;
}

const techniquesOf = (tags: readonly TagCandidate[]): string[] => [...new Set(tags.map((t) => t.techniqueId))].sort();

/**
 * Runs the ttp worker until `ctx.signal` aborts.
 * @throws AttackBundleError when DECNET_ATTACK_BUNDLE names an unusable file (fail closed).
 * @throws SchemaNotReadyError when the tables are missing.
 */
export async function runTtp(ctx: WorkerContext, overrides: Partial<TtpOptions> = {}, hooks: TtpHooks = {}): Promise<void> {
  const options = compileTtpOptions(process.env, ctx.config.bus, overrides);
  const attack = resolveAttackCatalog(process.env);
  const database = await getDatabase(ctx.config, ctx.log, { signal: ctx.signal }).catch((err: unknown) => {
    if (ctx.signal.aborted) return undefined;
    throw err;
  });
  if (!database || ctx.signal.aborted) return;
  const pool = database.pool;
  await requireTables(pool, [ttp_tag]);

  const counters: TtpCounters = {
    events: 0,
    malformed: 0,
    tagged: 0,
    inserted: 0,
    duplicates: 0,
    resolvedLater: 0,
    refused: 0,
    writeRetries: 0,
    published: 0,
    publishFailed: 0,
    ruleReloads: 0,
  };
  const byKind: Record<string, number> = {};
  const warnMalformed = everyNth(ctx.log, 'warn', 'malformed event skipped');
  const warnRetry = everyNth(ctx.log, 'warn', 'tag write failed; retrying');
  const warnPublish = everyNth(ctx.log, 'warn', 'ttp event could not be published');
  const warnTimer = everyNth(ctx.log, 'warn', 'periodic ttp task failed');
  let fatal: ((err: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (fatal = reject));
  failed.catch(() => undefined);

  // ----- rules ------------------------------------------------------------------------------
  const source = new RuleSource(options.rulesDir, attack, options.rulesMode);
  let generation: RuleGeneration = source.load();
  const announce = (g: RuleGeneration): void => {
    if (g.error) {
      const context = { dir: source.dir, reason: g.error, rules: g.report.rules.length };
      ctx.log.error('rule directory unreadable; using the other rules until it appears', context);
    }
    for (const e of g.report?.errors ?? []) ctx.log.error('rule file rejected', { file: e.file, line: e.line, reason: e.reason });
    for (const w of g.report?.warnings ?? []) ctx.log.warn('rule accepted with a warning', { warning: w });
    ctx.log.info('rules loaded', {
      from: g.description,
      dir: source.dir,
      mode: source.mode,
      rules: g.report?.rules.length ?? 0,
      rejected: g.report?.errors.length ?? 0,
      dormant: g.report?.dormant.map((r) => r.ruleId) ?? [],
      attackRelease: attack.release,
      attackOrigin: attack.data.origin,
    });
  };
  announce(generation);
  let authWindow = new AuthWindow(generation.engine.credentialWindow());
  let states: Map<string, RuleState> = await readRuleStates(pool);

  // ----- writing ----------------------------------------------------------------------------
  const resolver = new AnchorResolver(pool);
  const pending = new PendingTags(options.pendingMax, options.pendingTtlS * 1000);
  const restored = restorePending(await getState(database.db, PENDING_STATE_KEY));
  for (const item of restored.items) pending.add(item);
  if (restored.items.length > 0 || restored.invalid > 0) {
    ctx.log.info('pending tags restored', { items: restored.items.length, invalid: restored.invalid });
    await setState(database.db, PENDING_STATE_KEY, []);
  }

  // Announcements do not hold up tagging (the rows are the durable record); their number in
  // flight is bounded, and handlers wait when the bus falls that far behind.
  let publishing = 0;
  const publish = (subject: string, payload: Record<string, unknown>, tagUuids: readonly string[], key: string | null): void => {
    publishing++;
    const id = uuidv5(TTP_TAG_NAMESPACE, `${subject}|${[...tagUuids].sort().join(',')}`);
    ctx.bus
      .publish(subject, payload, { id, ...(key ? { key } : {}) })
      .then(
        () => counters.published++,
        (err: unknown) => {
          counters.publishFailed++;
          warnPublish({ subject, reason: (err as Error).message });
        },
      )
      .finally(() => publishing--);
  };

  const announceInserted = (work: Work, anchor: ResolvedAnchor, tags: readonly TagCandidate[]): void => {
    const base = { attacker_uuid: anchor.attackerUuid, identity_uuid: anchor.identityUuid, session_id: work.sessionId };
    const uuids = tags.map((t) => t.uuid);
    const key = anchor.attackerUuid ?? anchor.identityUuid;
    const tagged = { ...base, tag_uuids: uuids, techniques_added: techniquesOf(tags) } satisfies TtpTaggedPayload;
    publish(EVENTS.ttpTagged.subject, tagged, uuids, key);
    for (const technique of techniquesOf(tags)) {
      const mine = tags.filter((t) => t.techniqueId === technique).map((t) => t.uuid);
      const fired = { technique_id: technique, tag_uuids: mine, ...base } satisfies TtpRuleFiredPayload;
      publish(EVENTS.ttpRuleFired.subject(technique), fired, mine, key);
    }
  };

  /** One attempt: resolve, queue the unresolved, insert the rest, announce what was new. */
  const writeOnce = async (items: readonly Work[], retried: boolean): Promise<void> => {
    const resolved = await resolver.resolve(items.map((w) => w.anchor));
    const rows: TagRow[] = [];
    const ready: { work: Work; anchor: ResolvedAnchor }[] = [];
    items.forEach((work, i) => {
      const anchor = resolved[i];
      const identityOnly = work.tags.some((t) => t.identityOnly);
      if (!anchor || (identityOnly && anchor.identityUuid === null)) {
        if (options.pendingMax > 0) pending.add({ ...work });
        return;
      }
      ready.push({ work, anchor });
      for (const tag of work.tags) rows.push({ tag, attackerUuid: anchor.attackerUuid, identityUuid: anchor.identityUuid, sessionId: work.sessionId, deckyId: work.deckyId });
    });
    if (rows.length === 0) return;
    const inserted = await insertTags(pool, rows);
    counters.inserted += inserted.size;
    counters.duplicates += rows.length - inserted.size;
    if (retried) counters.resolvedLater += inserted.size;
    // Two sources of one batch can carry the same tag (a command seen live and again in its
    // session, both waiting for the attacker): the row was inserted once, so announce it once.
    const unannounced = new Set(inserted);
    for (const { work, anchor } of ready) {
      const fresh = work.tags.filter((t) => unannounced.delete(t.uuid));
      if (fresh.length === 0) continue;
      const leak = fresh.find((t) => t.ruleId === IPV6_RULE);
      if (leak && anchor.attackerUuid) await bumpIpv6Leak(pool, anchor.attackerUuid, leak.evidence);
      announceInserted(work, anchor, fresh);
    }
  };

  /** Writes `items` durably: retries while the database is away, isolates what it refuses. */
  const write = async (items: readonly Work[], retried = false): Promise<void> => {
    let delay = RETRY_INITIAL_MS;
    for (;;) {
      try {
        await writeOnce(items, retried);
        return;
      } catch (err) {
        if (isSchemaError(err)) {
          const error = new SchemaNotReadyError(String((err as { code?: unknown }).code), { cause: err });
          fatal?.(error);
          throw error;
        }
        if (isForeignKeyError(err)) {
          // An attacker vanished between resolve and insert: forget it and resolve again.
          for (const w of items) for (const key of [w.anchor.attackerUuid, w.anchor.attackerIp]) if (key) resolver.forget(key);
        } else if (isDataOrConstraintError(err)) {
          if (items.length > 1) {
            const mid = Math.ceil(items.length / 2);
            await write(items.slice(0, mid), retried);
            await write(items.slice(mid), retried);
            return;
          }
          counters.refused += items[0]?.tags.length ?? 0;
          ctx.log.error('database refused a tag; skipped', { sqlState: (err as { code?: string }).code, reason: (err as Error).message });
          return;
        }
        counters.writeRetries++;
        warnRetry({ reason: (err as Error).message, retryInMs: delay });
        if (!(await sleep(delay, ctx.signal))) {
          // Stopping: keep them for the next start rather than lose them.
          for (const w of items) pending.add(w);
          return;
        }
        delay = Math.min(delay * 2, RETRY_MAX_MS);
      }
    }
  };

  // ----- events -----------------------------------------------------------------------------
  const handler = async (event: Envelope): Promise<void> => {
    counters.events++;
    let derived: ReturnType<typeof jobsFromEnvelope>;
    try {
      derived = jobsFromEnvelope(event, { authWindow, dedupWindowMs: options.dedupWindowS * 1000, logEvents: options.logEvents });
    } catch (err) {
      derived = { malformed: `cannot derive sources: ${(err as Error).message}` };
    }
    if ('malformed' in derived) {
      counters.malformed++;
      warnMalformed({ id: event.id, topic: event.topic, reason: derived.malformed });
      return;
    }
    if (derived.wake !== undefined && pending.has(derived.wake)) void retryPending();
    const engine = generation.engine;
    const now = Date.now();
    const work: Work[] = [];
    for (let job of derived.jobs) {
      if (job.source.sourceKind === 'identity' && job.anchor.identityUuid && job.source.payload.shared_password_hash === undefined) {
        try {
          const spraying = await readIdentitySpraying(pool, job.anchor.identityUuid);
          if (spraying) job = { ...job, source: { ...job.source, payload: { ...job.source.payload, ...spraying } } };
        } catch (err) {
          warnTimer({ task: 'identity credentials', reason: (err as Error).message });
        }
      }
      const tags = engine.tag(job.source, { states });
      if (tags.length === 0) continue;
      byKind[job.source.sourceKind] = (byKind[job.source.sourceKind] ?? 0) + 1;
      work.push({ anchor: job.anchor, tags, sessionId: job.sessionId, deckyId: job.deckyId, since: now });
    }
    if (derived.intelCatchUp) {
      // Best effort: the next attacker.intel.enriched tags the same intel anyway.
      try {
        const [anchor] = await resolver.resolve([derived.intelCatchUp.anchor]);
        const intel = anchor?.attackerUuid ? await readIntel(pool, anchor.attackerUuid) : undefined;
        if (intel && anchor?.attackerUuid) {
          const tags = engine.tag({ sourceKind: 'intel', sourceId: derived.intelCatchUp.sourceId, payload: intel }, { states });
          if (tags.length > 0) work.push({ anchor: { attackerUuid: anchor.attackerUuid }, tags, sessionId: derived.intelCatchUp.sessionId, deckyId: null, since: now });
        }
      } catch (err) {
        warnTimer({ task: 'intel catch-up', reason: (err as Error).message });
      }
    }
    counters.tagged += work.length;
    while (publishing > MAX_PENDING_PUBLISHES && !ctx.signal.aborted) await sleep(5, ctx.signal);
    if (work.length > 0) {
      if (options.ack === 'commit') {
        await write(work);
      } else {
        queue.push(...work);
        wakeWriter?.();
        while (queue.length > MAX_QUEUED && !ctx.signal.aborted) await sleep(5, ctx.signal);
      }
    }
    ctx.handled();
  };

  // `receive` mode: tags are written in batches by one loop; a stop drains what is queued.
  const queue: Work[] = [];
  let wakeWriter: (() => void) | undefined;
  let stopping = false;
  const writer = (async () => {
    if (options.ack === 'commit') return;
    for (;;) {
      if (queue.length === 0) {
        if (stopping) return;
        await new Promise<void>((r) => {
          wakeWriter = r;
          setTimeout(r, WRITER_IDLE_MS).unref();
        });
        wakeWriter = undefined;
        continue;
      }
      const batch = queue.splice(0, WRITE_BATCH);
      try {
        await write(batch);
      } catch (err) {
        if (err instanceof SchemaNotReadyError) return;
        warnRetry({ reason: (err as Error).message });
      }
    }
  })();

  let retrying: Promise<void> | undefined;
  const retryOnce = async (): Promise<void> => {
    try {
      const items: PendingItem[] = pending.takeAll(Date.now());
      if (items.length > 0) await write(items, true);
    } catch (err) {
      warnTimer({ task: 'pending retry', reason: (err as Error).message });
    }
  };
  const retryPending = (): Promise<void> => {
    // Cleared in `.finally` (always a later microtask): clearing inside an async body that never
    // awaited would run before this assignment and leave a settled promise here for good.
    retrying ??= retryOnce().finally(() => (retrying = undefined));
    return retrying;
  };

  const subscriptions: Subscription[] = [...TTP_INPUTS, ...(options.logEvents ? [EVENTS.logEvent.pattern] : [])].map((pattern) =>
    ctx.bus.subscribe(pattern, handler, { fromBeginning: true, queueSize: options.queueSize }),
  );
  void Promise.all(subscriptions.map((s) => s.ready)).then(() => {
    if (!ctx.signal.aborted) hooks.onReady?.();
  });

  // ----- timers -----------------------------------------------------------------------------
  const timers: NodeJS.Timeout[] = [];
  if (options.rulesReloadMs > 0) {
    timers.push(
      setInterval(() => {
        if (source.signature() === generation.signature) return;
        generation = source.load();
        authWindow = new AuthWindow(generation.engine.credentialWindow());
        counters.ruleReloads++;
        announce(generation);
      }, options.rulesReloadMs),
    );
  }
  timers.push(
    setInterval(() => {
      readRuleStates(pool).then(
        (s) => (states = s),
        (err: unknown) => warnTimer({ task: 'rule states', reason: (err as Error).message }),
      );
    }, options.ruleStateRefreshMs),
  );
  timers.push(setInterval(() => void retryPending(), options.pendingRetryMs));
  const report = (): void => {
    ctx.setHealthDetail({
      rules: generation.report?.rules.length ?? 0,
      rulesRejected: generation.report?.errors.length ?? 0,
      rulesError: generation.error ?? null,
      rulesFrom: generation.description,
      attackRelease: attack.release,
      ack: options.ack,
      queued: queue.length,
      pending: pending.size,
      pendingDropped: pending.counters.dropped,
      pendingExpired: pending.counters.expired,
      taggedByKind: { ...byKind },
      ...counters,
    });
    ctx.progress();
  };
  report();
  timers.push(setInterval(report, HEALTH_TICK_MS));
  for (const t of timers) t.unref();
  ctx.log.info('ttp started', { inputs: subscriptions.map((s) => s.pattern), ack: options.ack, database: database.url });

  try {
    await Promise.race([untilAborted(ctx.signal), failed]);
  } finally {
    for (const t of timers) clearInterval(t);
    await Promise.all(subscriptions.map((s) => s.unsubscribe()));
    stopping = true;
    wakeWriter?.();
    await writer;
    for (const w of queue.splice(0)) pending.add(w);
    await retrying;
    const drainBy = Date.now() + PUBLISH_DRAIN_MS;
    while (publishing > 0 && Date.now() < drainBy) await sleep(10);
    const keep = pending.snapshot().slice(-PERSIST_MAX);
    if (keep.length > 0) {
      await setState(database.db, PENDING_STATE_KEY, JSON.parse(JSON.stringify(keep)) as never).catch((err: unknown) =>
        ctx.log.warn('pending tags could not be saved', { items: keep.length, reason: (err as Error).message }),
      );
    }
    report();
    ctx.log.info('ttp stopped', { inserted: counters.inserted, pending: pending.size });
  }
}
