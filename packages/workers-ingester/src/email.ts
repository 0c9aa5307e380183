// Notifications derived from a stored mail (`message_stored`): the `email.received` projection
// (hashes, counts, domains — no raw addresses or text) and, for the relay honeypot,
// `smtp.probe.pending` (a work item for the orchestrator's probe relay). Pure.
import { createHash } from 'node:crypto';
import type { IngestEvent } from './payload.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function domainOf(address: string | undefined): string | null {
  if (!address) return null;
  const at = address.lastIndexOf('@');
  const domain = (at < 0 ? '' : address.slice(at + 1)).replace(/[>\s].*$/, '').toLowerCase();
  return domain === '' ? null : domain;
}

function jsonList(text: string | undefined): unknown[] {
  if (!text) return [];
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

const truthy = (v: string | undefined): boolean => v === 'true' || v === 'True' || v === '1';

/** One attachment named in `attachments_json`. */
export interface AttachmentInfo {
  readonly sha256: string;
  readonly extension: string | null;
}

/** Attachments of a `message_stored` event that carry a SHA-256. */
export function attachmentsOf(event: IngestEvent): AttachmentInfo[] {
  return jsonList(event.fields.attachments_json).flatMap((a) => {
    if (!a || typeof a !== 'object') return [];
    const rec = a as Record<string, unknown>;
    const hash = typeof rec.sha256 === 'string' ? rec.sha256.toLowerCase() : '';
    if (!/^[0-9a-f]{64}$/.test(hash)) return [];
    const name = typeof rec.filename === 'string' ? rec.filename : typeof rec.name === 'string' ? rec.name : '';
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot + 1).toLowerCase() : null;
    return [{ sha256: hash, extension }];
  });
}

/** The `email.received` payload of a stored mail, for the attacker `attackerUuid`. */
export function emailReceivedPayload(event: IngestEvent, attackerUuid: string): Record<string, unknown> {
  const f = event.fields;
  const rcpts = (f.rcpt_to ?? '').split(',').map((r) => domainOf(r.trim())).filter((d): d is string => d !== null);
  const urls = jsonList(f.urls_json).filter((u): u is string => typeof u === 'string');
  const urlDomains = [...new Set(urls.flatMap((u) => {
    try {
      return [new URL(u).hostname.toLowerCase()];
    } catch {
      return [];
    }
  }))].sort();
  const attachments = attachmentsOf(event);
  const count = Number.parseInt(f.attachment_count ?? '', 10);
  return {
    attacker_uuid: attackerUuid,
    attacker_ip: event.attackerIp,
    decky: event.decky,
    service: event.service,
    stored_as: f.stored_as ?? null,
    body_sha256: f.sha256 ?? null,
    size: Number.parseInt(f.size ?? '', 10) || 0,
    subject_sha256: f.subject === undefined ? null : sha256(f.subject),
    from_domain: domainOf(f.from_hdr),
    mail_from_domain: domainOf(f.mail_from),
    rcpt_domains: [...new Set(rcpts)].sort(),
    rcpt_count: rcpts.length,
    url_count: urls.length,
    url_domains: urlDomains,
    attachment_count: Number.isFinite(count) ? count : attachments.length,
    attachment_sha256s: attachments.map((a) => a.sha256),
    attachment_extensions: [...new Set(attachments.flatMap((a) => (a.extension ? [a.extension] : [])))].sort(),
    body_simhash: f.body_simhash ?? null,
    dkim_signed: truthy(f.dkim_signed),
    spf_pass: truthy(f.spf_pass),
    html_smuggling: truthy(f.html_smuggling),
    has_x_mailer: Boolean(f.x_mailer),
    truncated: truthy(f.truncated),
    mal_hash_match: null,
  };
}

/** The `smtp.probe.pending` payload (upstream's fields), or undefined when this is not a relay mail. */
export function smtpProbePayload(event: IngestEvent): Record<string, unknown> | undefined {
  if (event.service !== 'smtp_relay' || event.eventType !== 'message_stored' || !event.fields.stored_as) return undefined;
  return {
    decky: event.decky,
    attacker_ip: event.attackerIp,
    stored_as: event.fields.stored_as,
    mail_from: event.fields.mail_from ?? '',
    rcpt_to: event.fields.rcpt_to ?? '',
  };
}
