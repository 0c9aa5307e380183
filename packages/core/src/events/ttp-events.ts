// `ttp.*`: MITRE ATT&CK tags the ttp worker wrote, per source and per technique, and the rule
// store's lifecycle notices (dormant upstream: no publisher passes a bus).
import * as z from 'zod/mini';
import { defineEvent, type PayloadOf } from './event-spec.js';

export const ttpTagged = defineEvent({
  template: 'ttp.tagged',
  version: 1,
  description: 'Tags were inserted for one source (only rows actually written are announced).',
  producers: ['ttp'],
  consumers: [],
  schema: () =>
    z.object({
      attacker_uuid: z.nullable(z.string()),
      identity_uuid: z.nullable(z.string()),
      session_id: z.nullable(z.string()),
      tag_uuids: z.array(z.string()),
      techniques_added: z.array(z.string()),
    }),
});

export const ttpRuleFired = defineEvent({
  template: 'ttp.rule.fired.<technique>',
  version: 1,
  description: 'Tags of one ATT&CK technique were inserted (sub-techniques cannot stand in the token: `T1110`, not `T1110.001`).',
  producers: ['ttp'],
  consumers: [],
  schema: () =>
    z.object({
      technique_id: z.string(),
      tag_uuids: z.array(z.string()),
      attacker_uuid: z.nullable(z.string()),
      identity_uuid: z.nullable(z.string()),
      session_id: z.nullable(z.string()),
    }),
});

export const ttpRuleSuppressed = defineEvent({
  template: 'ttp.rule.suppressed',
  version: 1,
  description: 'Reserved by upstream (a constant without a publisher).',
  producers: [],
  consumers: [],
  schema: () => z.looseObject({}),
});

export const ttpRuleReloaded = defineEvent({
  template: 'ttp.rule.reloaded.<rule>',
  version: 1,
  description: 'A rule file was reloaded or deleted.',
  producers: [],
  consumers: [],
  planned: { producers: ['api'] },
  schema: () =>
    z.object({
      rule_id: z.string(),
      rule_version: z.optional(z.union([z.string(), z.number()])),
      deleted: z.optional(z.boolean()),
    }),
});

export const ttpRuleState = defineEvent({
  template: 'ttp.rule.state.<rule>',
  version: 1,
  description: 'A rule was enabled, disabled or put in shadow mode.',
  producers: [],
  consumers: [],
  planned: { producers: ['api'] },
  schema: () =>
    z.object({
      rule_id: z.string(),
      state: z.string(),
      set_by: z.optional(z.string()),
      auto_revert: z.optional(z.unknown()),
    }),
});

/** Payload of `ttp.tagged`. */
export type TtpTaggedPayload = PayloadOf<typeof ttpTagged>;
/** Payload of `ttp.rule.fired.<technique>`. */
export type TtpRuleFiredPayload = PayloadOf<typeof ttpRuleFired>;
