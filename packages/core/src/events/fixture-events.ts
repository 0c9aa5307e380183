// `fixture.<worker>.*`: the test protocol of the two fixture workers (not product events):
// a ping answered by a pong proves a worker handles events; a fault request proves isolation.
import * as z from 'zod/mini';
import { defineEvent } from './event-spec.js';

export const fixturePing = defineEvent({
  template: 'fixture.<worker>.ping',
  version: 1,
  description: 'FIXTURE: asks the fixture worker to answer with a pong carrying the same `seq`.',
  producers: ['supervise'],
  consumers: ['fixture', 'fixture-db'],
  schema: () => z.object({ seq: z.optional(z.nullable(z.union([z.number(), z.string()]))) }),
});

export const fixturePong = defineEvent({
  template: 'fixture.<worker>.pong',
  version: 1,
  description: 'FIXTURE: the answer to a ping (`db` when the database round trip worked).',
  producers: ['fixture', 'fixture-db'],
  consumers: ['supervise'],
  schema: () =>
    z.object({
      seq: z.nullable(z.union([z.number(), z.string()])),
      instance: z.string(),
      db: z.optional(z.boolean()),
    }),
});

export const fixtureFault = defineEvent({
  template: 'fixture.<worker>.fault',
  version: 1,
  description: 'FIXTURE: asks the fixture worker to fail one way (`throw`, `uncaught`, `rejection`).',
  producers: ['supervise'],
  consumers: ['fixture'],
  // Unknown modes are accepted here and ignored with a warning by the worker (see its FAULT_MODES).
  schema: () => z.object({ mode: z.string() }),
});
