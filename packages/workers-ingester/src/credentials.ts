// The universal credential shape (reference §2.6): an event whose SD carries `secret_b64` is a
// credential attempt. Pure extraction, and the batch aggregation the dedup upsert needs.
import { createHash } from 'node:crypto';
import type { IngestEvent } from './payload.js';

/** Column limits of `credentials` (characters). */
export const CREDENTIAL_LIMITS = {
  principal: 256,
  secretKind: 32,
  secretB64: 2048,
  secretPrintable: 512,
  outcome: 16,
} as const;

/** Outcomes a service may report; anything else is stored as null. */
export const CREDENTIAL_OUTCOMES = ['success', 'failure', 'observed'] as const;

/** One credential attempt, ready to upsert. */
export interface CredentialAttempt {
  readonly eventId: string;
  readonly attackerIp: string;
  readonly deckyName: string;
  readonly service: string;
  readonly principal: string | null;
  /** `principal` with null mapped to '' (part of the dedup key). */
  readonly principalKey: string;
  readonly secretKind: string;
  /** SHA-256 (hex) of the decoded secret bytes. */
  readonly secretSha256: string;
  /** The exact bytes as base64; null when longer than the column allows (the hash still identifies it). */
  readonly secretB64: string | null;
  readonly secretPrintable: string | null;
  readonly outcome: string | null;
  /** The event's other SD params (secrets removed). */
  readonly fields: Record<string, string>;
  readonly seen: Date;
}

/** Why an event with `secret_b64` gave no credential. */
export type CredentialRejection = 'bad_base64';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The credential attempt in `event`, `undefined` when it carries no `secret_b64`, or a
 * rejection when the secret is not valid base64 (the log row is kept either way, as upstream).
 */
export function extractCredential(event: IngestEvent): CredentialAttempt | CredentialRejection | undefined {
  const { fields } = event;
  const b64 = fields.secret_b64;
  if (b64 === undefined) return undefined;
  if (!BASE64.test(b64)) return 'bad_base64';
  const secret = Buffer.from(b64, 'base64');
  const principalRaw = fields.principal;
  const principal = principalRaw ? principalRaw.slice(0, CREDENTIAL_LIMITS.principal) : null;
  const outcome = (CREDENTIAL_OUTCOMES as readonly string[]).includes(fields.outcome ?? '') ? (fields.outcome as string) : null;
  const rest: Record<string, string> = { ...fields };
  delete rest.secret_b64;
  delete rest.secret_printable;
  return {
    eventId: event.eventId,
    attackerIp: event.attackerIp,
    deckyName: event.decky,
    service: event.service,
    principal,
    principalKey: principal ?? '',
    secretKind: (fields.secret_kind || 'plaintext').slice(0, CREDENTIAL_LIMITS.secretKind),
    secretSha256: createHash('sha256').update(secret).digest('hex'),
    secretB64: b64.length <= CREDENTIAL_LIMITS.secretB64 ? b64 : null,
    secretPrintable: fields.secret_printable === undefined ? null : fields.secret_printable.slice(0, CREDENTIAL_LIMITS.secretPrintable),
    outcome,
    fields: rest,
    seen: event.at,
  };
}

/** Attempts sharing one dedup key, folded into one upsert row. */
export interface CredentialUpsert extends Omit<CredentialAttempt, 'eventId' | 'seen'> {
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly attempts: number;
}

/** The dedup key upstream used: (attacker_ip, decky_name, service, secret_kind, secret_sha256, principal_key). */
export function credentialKey(c: Pick<CredentialAttempt, 'attackerIp' | 'deckyName' | 'service' | 'secretKind' | 'secretSha256' | 'principalKey'>): string {
  return JSON.stringify([c.attackerIp, c.deckyName, c.service, c.secretKind, c.secretSha256, c.principalKey]);
}

/**
 * Folds a batch's attempts by dedup key (one statement may not update a row twice), keeping
 * the latest outcome and the earliest/latest times, sorted by key so concurrent ingesters lock
 * rows in the same order.
 */
export function foldCredentials(attempts: readonly CredentialAttempt[]): CredentialUpsert[] {
  const byKey = new Map<string, CredentialUpsert>();
  for (const a of attempts) {
    const key = credentialKey(a);
    const { seen } = a;
    const row = {
      attackerIp: a.attackerIp,
      deckyName: a.deckyName,
      service: a.service,
      principal: a.principal,
      principalKey: a.principalKey,
      secretKind: a.secretKind,
      secretSha256: a.secretSha256,
      secretB64: a.secretB64,
      secretPrintable: a.secretPrintable,
      outcome: a.outcome,
      fields: a.fields,
    };
    const prev = byKey.get(key);
    if (!prev) {
      byKey.set(key, { ...row, firstSeen: seen, lastSeen: seen, attempts: 1 });
      continue;
    }
    const later = seen >= prev.lastSeen;
    byKey.set(key, {
      ...prev,
      outcome: later && row.outcome !== null ? row.outcome : prev.outcome ?? row.outcome,
      secretB64: prev.secretB64 ?? row.secretB64,
      secretPrintable: prev.secretPrintable ?? row.secretPrintable,
      firstSeen: seen < prev.firstSeen ? seen : prev.firstSeen,
      lastSeen: later ? seen : prev.lastSeen,
      attempts: prev.attempts + 1,
    });
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}
