// `email.*`, `smtp.*`: mail an attacker relayed through a decky, as a privacy-safe projection
// (hashes, counts, domains; never addresses or bodies), and the relay probes it asks for.
import * as z from 'zod/mini';
import { defineEvent } from './event-spec.js';

export const emailReceived = defineEvent({
  template: 'email.received',
  version: 1,
  description: 'A relayed mail was stored for a known attacker: hashes, counts and domains, no raw PII.',
  producers: ['ingester'],
  consumers: ['ttp'],
  schema: () =>
    z.object({
      attacker_uuid: z.string(),
      attacker_ip: z.optional(z.string()),
      decky: z.optional(z.string()),
      service: z.optional(z.string()),
      stored_as: z.optional(z.nullable(z.string())),
      body_sha256: z.optional(z.nullable(z.string())),
      size: z.optional(z.number()),
      subject_sha256: z.optional(z.nullable(z.string())),
      from_domain: z.optional(z.nullable(z.string())),
      mail_from_domain: z.optional(z.nullable(z.string())),
      rcpt_domains: z.optional(z.array(z.string())),
      rcpt_count: z.optional(z.number()),
      url_count: z.optional(z.number()),
      url_domains: z.optional(z.array(z.string())),
      attachment_count: z.optional(z.number()),
      attachment_sha256s: z.optional(z.array(z.string())),
      attachment_extensions: z.optional(z.array(z.string())),
      body_simhash: z.optional(z.nullable(z.string())),
      dkim_signed: z.optional(z.boolean()),
      spf_pass: z.optional(z.boolean()),
      html_smuggling: z.optional(z.boolean()),
      has_x_mailer: z.optional(z.boolean()),
      truncated: z.optional(z.boolean()),
      mal_hash_match: z.optional(z.nullable(z.unknown())),
    }),
});

export const smtpProbePending = defineEvent({
  template: 'smtp.probe.pending',
  version: 1,
  description: 'A relay decky stored a mail; a probe of the recipients is pending (a work item with side effects).',
  producers: ['ingester'],
  consumers: [],
  planned: { consumers: ['orchestrator'] },
  schema: () =>
    z.object({
      decky: z.string(),
      attacker_ip: z.string(),
      stored_as: z.string(),
      mail_from: z.string(),
      rcpt_to: z.string(),
    }),
});
