// `credential.*`: secrets attackers presented to deckies, and the same secret tried on several.
import * as z from 'zod/mini';
import { defineEvent } from './event-spec.js';

export const credentialCaptured = defineEvent({
  template: 'credential.captured',
  version: 1,
  description: 'A new credential attempt was stored (the secret only as its SHA-256).',
  producers: ['ingester'],
  consumers: [],
  planned: { consumers: ['reuse-correlator'] },
  schema: () =>
    z.object({
      secret_sha256: z.string(),
      /** `plaintext`, or the challenge kind (`postgres_md5_challenge`, ...). */
      secret_kind: z.string(),
      attacker_ip: z.string(),
      decky: z.string(),
      service: z.string(),
    }),
});

export const credentialReuseDetected = defineEvent({
  template: 'credential.reuse.detected',
  version: 1,
  description: 'One secret was tried against several deckies or services.',
  producers: [],
  consumers: ['ttp'],
  planned: { producers: ['reuse-correlator'] },
  schema: () =>
    z.object({
      id: z.string(),
      secret_sha256: z.optional(z.string()),
      secret_kind: z.optional(z.string()),
      target_count: z.optional(z.number()),
      attacker_uuids: z.optional(z.array(z.string())),
      attacker_ips: z.optional(z.array(z.string())),
      deckies: z.optional(z.array(z.string())),
      services: z.optional(z.array(z.string())),
    }),
});
