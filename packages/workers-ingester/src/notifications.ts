// What the ingester tells the bus after a batch committed — only about rows that batch
// inserted, with ids derived from the event ids, so a consumer can deduplicate:
// `credential.captured` per attempt, `email.received` and `smtp.probe.pending` per stored mail,
// and one `system.log` `batch_committed` per non-empty batch (upstream's subjects and fields).
import { EVENTS, derivedEventId } from '@decnet/core';
import { emailReceivedPayload, smtpProbePayload } from './email.js';
import type { BatchOutcome } from './batch-writer.js';

/** One event to publish. */
export interface Notification {
  readonly subject: string;
  readonly payload: Record<string, unknown>;
  readonly id: string;
  readonly key: string;
  readonly type: string;
}

/** The notifications of a committed batch. */
export function notificationsFor(outcome: BatchOutcome): Notification[] {
  const out: Notification[] = [];
  for (const c of outcome.credentials) {
    out.push({
      subject: EVENTS.credentialCaptured.subject,
      payload: {
        secret_sha256: c.secretSha256,
        secret_kind: c.secretKind,
        attacker_ip: c.attackerIp,
        decky: c.deckyName,
        service: c.service,
      },
      id: derivedEventId(c.eventId, EVENTS.credentialCaptured.subject),
      key: c.attackerIp,
      type: 'captured',
    });
  }
  for (const event of outcome.inserted) {
    if (event.eventType !== 'message_stored') continue;
    const uuid = outcome.attackerUuids.get(event.attackerIp);
    // Upstream publishes the projection only once the profiler knows the attacker.
    if (uuid !== undefined) {
      out.push({
        subject: EVENTS.emailReceived.subject,
        payload: emailReceivedPayload(event, uuid),
        id: derivedEventId(event.eventId, EVENTS.emailReceived.subject),
        key: event.attackerIp,
        type: 'received',
      });
    }
    const probe = smtpProbePayload(event);
    if (probe) {
      out.push({
        subject: EVENTS.smtpProbePending.subject,
        payload: probe,
        id: derivedEventId(event.eventId, EVENTS.smtpProbePending.subject),
        key: event.attackerIp,
        type: 'probe.pending',
      });
    }
  }
  if (outcome.inserted.length > 0) {
    const last = outcome.inserted[outcome.inserted.length - 1];
    out.push({
      subject: EVENTS.systemLog.subject,
      payload: { component: 'ingester', flushed: outcome.inserted.length, position: outcome.lastLogId === null ? null : Number(outcome.lastLogId) },
      id: derivedEventId(last?.eventId ?? '', 'batch_committed'),
      key: 'ingester',
      type: 'batch_committed',
    });
  }
  return out;
}
