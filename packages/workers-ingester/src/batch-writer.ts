// One batch, one transaction: log rows (a redelivered event id inserts nothing), then only for the
// rows inserted the credentials, bounties and attachment sightings, then the progress row; a crash
// rolls back all of it. The SQL is @decnet/db's; this file decides what each inserted event yields.
import type { BlockList } from 'node:net';
import {
  attackerUuidsByAddress,
  insertBounties,
  insertLogRows,
  recordIngestProgress,
  upsertCredentials,
  upsertObservedAttachments,
  withTransaction,
  type AttachmentSighting,
  type NewBountyRow,
  type NewLogRow,
  type Pool,
} from '@decnet/db';
import { extractBounties } from './bounty.js';
import { extractCredential, foldCredentials, type CredentialAttempt } from './credentials.js';
import { attachmentsOf } from './email.js';
import type { IngestEvent } from './payload.js';

/** The `state` key the ingester's progress lives under (upstream's key). */
export const PROGRESS_STATE_KEY = 'ingest_worker_position';

/** What one committed batch did. */
export interface BatchOutcome {
  /** Events whose log row was inserted by this batch, in batch order. */
  readonly inserted: readonly IngestEvent[];
  /** Events already stored (redeliveries). */
  readonly duplicates: number;
  /** Credential attempts counted (one per inserted event that carries one). */
  readonly credentials: readonly CredentialAttempt[];
  /** Events whose `secret_b64` was not valid base64 (log row kept, no credential). */
  readonly credentialsRejected: number;
  readonly bountiesInserted: number;
  /** Attacker uuids of the addresses of inserted `message_stored` events, where the profiler created one. */
  readonly attackerUuids: ReadonlyMap<string, string>;
  /** Highest `logs.id` inserted, if any. */
  readonly lastLogId: string | null;
}

/** Options of {@link writeBatch}. */
export interface StoreOptions {
  readonly trustedProxies: BlockList;
}

const logRow = (e: IngestEvent): NewLogRow => ({
  timestamp: e.at,
  decky: e.decky,
  service: e.service,
  event_type: e.eventType,
  attacker_ip: e.attackerIp,
  raw_line: e.rawLine,
  fields: e.fields,
  msg: e.msg,
  event_id: e.eventId,
  source_worker: e.sourceWorker,
});

function bountyRows(events: readonly IngestEvent[], options: StoreOptions): NewBountyRow[] {
  const rows: NewBountyRow[] = [];
  for (const event of events) {
    for (const bounty of extractBounties(event, { trustedProxies: options.trustedProxies })) {
      rows.push({
        timestamp: event.at,
        decky: event.decky,
        service: event.service,
        attacker_ip: event.attackerIp,
        bounty_type: bounty.bountyType,
        payload: bounty.payload,
      });
    }
  }
  return rows;
}

const sightingsOf = (mails: readonly IngestEvent[]): AttachmentSighting[] =>
  mails.flatMap((mail) =>
    attachmentsOf(mail).map((a) => ({ sha256: a.sha256, at: mail.at, extension: a.extension, subject: mail.fields.subject ?? null })),
  );

/**
 * Orders the log-row inserts of batches written concurrently: each batch takes a turn when it
 * is formed, and its INSERT starts only after every earlier turn's INSERT finished. The sequence
 * hands out `logs.id` during the INSERT, so ids follow arrival across batches too, while the rest
 * of each transaction (credentials, bounties, commit) still overlaps.
 */
export class InsertTurns {
  private last: Promise<void> = Promise.resolve();

  /** The next turn: `ready` resolves when every earlier turn is done; `done` is idempotent. */
  take(): InsertTurn {
    const ready = this.last;
    let release!: () => void;
    this.last = new Promise<void>((r) => (release = r));
    return { ready, done: release };
  }
}

/** One batch's place in {@link InsertTurns}. */
export interface InsertTurn {
  readonly ready: Promise<void>;
  readonly done: () => void;
}

/**
 * Writes `events` in one transaction and returns what was new. Events must have distinct ids.
 * Rows are written in arrival order, so `logs.id` follows what an attacker did (the profiler
 * reads commands in id order; the fake shell stamps a burst within one millisecond); with `turn`,
 * after the inserts of batches formed earlier. Two batches holding the same redelivered ids in
 * another order can deadlock; Postgres aborts one and the worker retries it.
 * @throws the driver's error; the transaction is rolled back and nothing of the batch is stored.
 */
export async function writeBatch(pool: Pool, events: readonly IngestEvent[], options: StoreOptions, turn?: InsertTurn): Promise<BatchOutcome> {
  try {
    await turn?.ready;
    return await withTransaction(pool, async (tx) => {
      let ids: Map<string, string>;
      try {
        ids = await insertLogRows(tx, events.map(logRow));
      } finally {
        turn?.done();
      }
      const inserted = events.filter((e) => ids.has(e.eventId));
      const credentials: CredentialAttempt[] = [];
      let credentialsRejected = 0;
      for (const event of inserted) {
        const c = extractCredential(event);
        if (c === 'bad_base64') credentialsRejected++;
        else if (c) credentials.push(c);
      }
      await upsertCredentials(
        tx,
        foldCredentials(credentials).map((r) => ({
          attacker_ip: r.attackerIp,
          decky_name: r.deckyName,
          service: r.service,
          principal: r.principal,
          principal_key: r.principalKey,
          secret_kind: r.secretKind,
          secret_sha256: r.secretSha256,
          secret_b64: r.secretB64,
          secret_printable: r.secretPrintable,
          outcome: r.outcome,
          fields: r.fields,
          first_seen: r.firstSeen,
          last_seen: r.lastSeen,
          attempt_count: r.attempts,
        })),
      );
      const bountiesInserted = await insertBounties(tx, bountyRows(inserted, options));
      const mails = inserted.filter((e) => e.eventType === 'message_stored');
      await upsertObservedAttachments(tx, sightingsOf(mails));
      const attackerUuids = mails.length > 0 ? await attackerUuidsByAddress(tx, [...new Set(mails.map((m) => m.attackerIp))]) : new Map<string, string>();
      let lastLogId: string | null = null;
      for (const id of ids.values()) if (lastLogId === null || BigInt(id) > BigInt(lastLogId)) lastLogId = id;
      await recordIngestProgress(tx, PROGRESS_STATE_KEY, { events: inserted.length, lastLogId, at: new Date() });
      return {
        inserted,
        duplicates: events.length - inserted.length,
        credentials,
        credentialsRejected,
        bountiesInserted,
        attackerUuids,
        lastLogId,
      };
    });
  } finally {
    // Hands the turn on when connecting or BEGIN failed before the insert ran (done is idempotent).
    turn?.done();
  }
}
