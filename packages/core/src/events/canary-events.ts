// `canary.<token>.*`: canary tokens planted on deckies, tripped by an attacker, and revoked.
import * as z from 'zod/mini';
import { defineEvent } from './event-spec.js';

export const canaryPlaced = defineEvent({
  template: 'canary.<token>.placed',
  version: 1,
  description: 'A canary token was planted on a decky.',
  producers: [],
  consumers: ['ttp'],
  planned: { producers: ['api'] },
  schema: () =>
    z.object({
      token_id: z.string(),
      decky_name: z.optional(z.string()),
      placement_path: z.optional(z.string()),
      instrumenter: z.optional(z.string()),
      generator: z.optional(z.string()),
    }),
});

export const canaryTriggered = defineEvent({
  template: 'canary.<token>.triggered',
  version: 1,
  description: 'A canary token was used: who fetched or resolved it, from where.',
  producers: [],
  consumers: ['ttp'],
  planned: { producers: ['canary'] },
  // Browser fingerprint fields collected by the canary page vary: unknown keys are kept.
  schema: () =>
    z.looseObject({
      token_id: z.string(),
      trigger_id: z.optional(z.string()),
      decky_name: z.optional(z.string()),
      src_ip: z.optional(z.string()),
      user_agent: z.optional(z.string()),
      request_path: z.optional(z.string()),
      dns_qname: z.optional(z.string()),
    }),
});

export const canaryRevoked = defineEvent({
  template: 'canary.<token>.revoked',
  version: 1,
  description: 'A canary token was revoked (by the API, or by the canary once its fingerprint was collected).',
  producers: [],
  consumers: ['ttp'],
  planned: { producers: ['api', 'canary'] },
  schema: () =>
    z.object({
      token_id: z.string(),
      decky_name: z.optional(z.string()),
      placement_path: z.optional(z.string()),
      trigger_id: z.optional(z.string()),
      reason: z.optional(z.string()),
    }),
});
