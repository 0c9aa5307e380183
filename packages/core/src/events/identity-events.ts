// `identity.*`, `campaign.*`, `attribution.*`: the clustering layer — observations grouped into
// identities, identities into campaigns, and per-identity attribution profiles. No decnet worker
// produces these yet (clusterer, campaign-clusterer, attribution are coming).
import * as z from 'zod/mini';
import { defineEvent } from './event-spec.js';

export const identityFormed = defineEvent({
  template: 'identity.formed',
  version: 1,
  description: 'A new identity clustered from behaviour observations.',
  producers: [],
  consumers: ['ttp'],
  planned: { producers: ['clusterer'], consumers: ['campaign-clusterer', 'api'] },
  schema: () =>
    z.object({
      identity_uuid: z.string(),
      observation_uuids: z.optional(z.array(z.string())),
    }),
});

export const identityObservationLinked = defineEvent({
  template: 'identity.observation.linked',
  version: 1,
  description: 'An observation joined an existing identity.',
  producers: [],
  consumers: [],
  planned: { producers: ['clusterer'], consumers: ['campaign-clusterer', 'api'] },
  schema: () => z.object({ identity_uuid: z.string(), observation_uuid: z.optional(z.string()) }),
});

export const identityMerged = defineEvent({
  template: 'identity.merged',
  version: 1,
  description: 'Two identities turned out to be one: the loser folds into the winner.',
  producers: [],
  consumers: ['ttp'],
  planned: { producers: ['clusterer'], consumers: ['campaign-clusterer', 'api'] },
  schema: () => z.object({ winner_uuid: z.string(), loser_uuid: z.optional(z.string()) }),
});

export const identityUnmerged = defineEvent({
  template: 'identity.unmerged',
  version: 1,
  description: 'A merge was undone: the former loser is an identity again.',
  producers: [],
  consumers: [],
  planned: { producers: ['clusterer'], consumers: ['campaign-clusterer', 'api'] },
  schema: () => z.object({ resurrected_uuid: z.string(), former_winner_uuid: z.optional(z.string()) }),
});

export const identityCampaignAssigned = defineEvent({
  template: 'identity.campaign.assigned',
  version: 1,
  description: 'An identity was assigned to a campaign (seen from the identity).',
  producers: [],
  consumers: [],
  planned: { producers: ['campaign-clusterer'], consumers: ['api'] },
  schema: () =>
    z.object({
      identity_uuid: z.string(),
      campaign_uuid: z.string(),
      prior_campaign_uuid: z.optional(z.nullable(z.string())),
    }),
});

export const campaignFormed = defineEvent({
  template: 'campaign.formed',
  version: 1,
  description: 'A new campaign clustered from identities.',
  producers: [],
  consumers: [],
  planned: { producers: ['campaign-clusterer'], consumers: ['api'] },
  schema: () => z.object({ campaign_uuid: z.string(), identity_uuids: z.optional(z.array(z.string())) }),
});

export const campaignIdentityAssigned = defineEvent({
  template: 'campaign.identity.assigned',
  version: 1,
  description: 'An identity was assigned to a campaign (seen from the campaign).',
  producers: [],
  consumers: [],
  planned: { producers: ['campaign-clusterer'], consumers: ['api'] },
  schema: () =>
    z.object({
      campaign_uuid: z.string(),
      identity_uuid: z.string(),
      prior_campaign_uuid: z.optional(z.nullable(z.string())),
    }),
});

export const campaignMerged = defineEvent({
  template: 'campaign.merged',
  version: 1,
  description: 'Two campaigns turned out to be one.',
  producers: [],
  consumers: [],
  planned: { producers: ['campaign-clusterer'], consumers: ['api'] },
  schema: () => z.object({ winner_uuid: z.string(), loser_uuid: z.optional(z.string()) }),
});

export const campaignUnmerged = defineEvent({
  template: 'campaign.unmerged',
  version: 1,
  description: 'A campaign merge was undone.',
  producers: [],
  consumers: [],
  planned: { producers: ['campaign-clusterer'], consumers: ['api'] },
  schema: () => z.object({ resurrected_uuid: z.string(), former_winner_uuid: z.optional(z.string()) }),
});

export const attributionStateChanged = defineEvent({
  template: 'attribution.profile.state_changed',
  version: 1,
  description: "A behaviour primitive of an identity's attribution profile changed state.",
  producers: [],
  consumers: [],
  planned: { producers: ['attribution'], consumers: ['api'] },
  schema: () =>
    z.object({
      identity_uuid: z.string(),
      primitive: z.string(),
      old_state: z.optional(z.nullable(z.string())),
      new_state: z.string(),
      current_value: z.optional(z.unknown()),
      confidence: z.optional(z.number()),
      observation_count: z.optional(z.number()),
      ts: z.optional(z.number()),
    }),
});

export const attributionMultiActorSuspected = defineEvent({
  template: 'attribution.profile.multi_actor_suspected',
  version: 1,
  description: 'An identity behaves like several actors (deduplicated by signature).',
  producers: [],
  consumers: [],
  planned: { producers: ['attribution'], consumers: ['api'] },
  schema: () =>
    z.object({
      identity_uuid: z.string(),
      primitives: z.optional(z.array(z.string())),
      evidence_summary: z.optional(z.string()),
      confidence: z.optional(z.number()),
      ts: z.optional(z.number()),
    }),
});
