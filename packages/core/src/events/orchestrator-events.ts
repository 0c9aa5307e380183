// `orchestrator.<kind>.<decky>`: synthetic traffic, file drops and mail the orchestrator plays
// between deckies so the network looks lived-in.
import * as z from 'zod/mini';
import { defineEvent } from './event-spec.js';

function activitySchema() {
  return z.object({
    kind: z.string(),
    protocol: z.optional(z.string()),
    action: z.optional(z.string()),
    src_decky_uuid: z.optional(z.string()),
    dst_decky_uuid: z.optional(z.string()),
    success: z.optional(z.boolean()),
    payload: z.optional(z.unknown()),
    ts: z.optional(z.number()),
  });
}

export const orchestratorTraffic = defineEvent({
  template: 'orchestrator.traffic.<decky>',
  version: 1,
  description: 'Synthetic traffic was played towards a decky.',
  producers: [],
  consumers: [],
  planned: { producers: ['orchestrator'], consumers: ['api'] },
  schema: activitySchema,
});

export const orchestratorFile = defineEvent({
  template: 'orchestrator.file.<decky>',
  version: 1,
  description: 'A synthetic file was dropped on a decky.',
  producers: [],
  consumers: [],
  planned: { producers: ['orchestrator'], consumers: ['api'] },
  schema: activitySchema,
});

export const orchestratorEmail = defineEvent({
  template: 'orchestrator.email.<decky>',
  version: 1,
  description: 'A synthetic mail thread message was delivered to a mail decky.',
  producers: [],
  consumers: [],
  planned: { producers: ['orchestrator'], consumers: ['api'] },
  schema: () =>
    z.object({
      kind: z.literal('email'),
      mail_decky_uuid: z.optional(z.string()),
      thread_id: z.optional(z.string()),
      message_id: z.optional(z.string()),
      in_reply_to: z.optional(z.nullable(z.string())),
      sender_email: z.optional(z.string()),
      recipient_email: z.optional(z.string()),
      subject: z.optional(z.string()),
      language: z.optional(z.string()),
      success: z.optional(z.boolean()),
      ts: z.optional(z.number()),
    }),
});
