// `topology.<id>.*`: a topology mutation's way from enqueued to applied or failed, and the
// topology's status when a mutation fails.
import * as z from 'zod/mini';
import { defineEvent } from './event-spec.js';

function mutationSchema() {
  return z.object({
    mutation_id: z.string(),
    op: z.string(),
    payload: z.optional(z.record(z.string(), z.unknown())),
  });
}

export const topologyMutationEnqueued = defineEvent({
  template: 'topology.<topology>.mutation.enqueued',
  version: 1,
  description: 'A topology mutation was queued (wakes the mutator).',
  producers: [],
  consumers: [],
  planned: { producers: ['api'], consumers: ['mutator', 'api'] },
  schema: mutationSchema,
});

export const topologyMutationApplying = defineEvent({
  template: 'topology.<topology>.mutation.applying',
  version: 1,
  description: 'The mutator started applying a mutation.',
  producers: [],
  consumers: [],
  planned: { producers: ['mutator'], consumers: ['api'] },
  schema: mutationSchema,
});

export const topologyMutationApplied = defineEvent({
  template: 'topology.<topology>.mutation.applied',
  version: 1,
  description: 'A mutation was applied.',
  producers: [],
  consumers: [],
  planned: { producers: ['mutator'], consumers: ['api'] },
  schema: () => z.object({ mutation_id: z.string(), op: z.string() }),
});

export const topologyMutationFailed = defineEvent({
  template: 'topology.<topology>.mutation.failed',
  version: 1,
  description: 'A mutation failed.',
  producers: [],
  consumers: [],
  planned: { producers: ['mutator'], consumers: ['api'] },
  schema: () => z.object({ mutation_id: z.string(), op: z.string(), reason: z.optional(z.string()) }),
});

export const topologyStatus = defineEvent({
  template: 'topology.<topology>.status',
  version: 1,
  description: "A topology's status changed (DEGRADED after a failed mutation).",
  producers: [],
  consumers: [],
  planned: { producers: ['mutator'], consumers: ['api'] },
  schema: () => z.object({ state: z.string(), reason: z.optional(z.string()) }),
});
