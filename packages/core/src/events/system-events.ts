// `system.*`: heartbeats, control commands, the ingestion notices on `system.log`, and the
// webhook reload signal. Every hosted worker beats and listens for control.
import * as z from 'zod/mini';
import { defineEvent, type PayloadOf } from './event-spec.js';

/** Lifecycle states a worker reports (see WorkerRunner). */
export const WORKER_STATES = ['starting', 'running', 'backoff', 'stopping', 'stopped', 'failed'] as const;

/** `system.<worker>.health`: sent by the host of every worker. */
export const health = defineEvent({
  template: 'system.<worker>.health',
  version: 1,
  description:
    'Heartbeat of one worker instance: state, last progress, events handled, memory and loop lag (times in epoch s).',
  producers: ['*'],
  consumers: ['cli', 'supervise', 'footprint'],
  planned: { consumers: ['api'] },
  schema: () =>
    z.object({
      worker: z.string(),
      instance: z.string(),
      host: z.string(),
      pid: z.number(),
      ts: z.number(),
      state: z.enum(WORKER_STATES),
      uptimeS: z.number(),
      rssBytes: z.number(),
      heapUsedBytes: z.number(),
      eventLoopLagMs: z.number(),
      lastProgressTs: z.nullable(z.number()),
      eventsHandled: z.number(),
      restarts: z.number(),
      detail: z.optional(z.record(z.string(), z.unknown())),
    }),
});

/** `system.<worker>.control`: reaches every instance of the named worker. */
export const control = defineEvent({
  template: 'system.<worker>.control',
  version: 1,
  description: 'Command for one worker: stop, start or restart (unknown actions and stale commands are ignored).',
  producers: ['cli'],
  consumers: ['*'],
  planned: { producers: ['api'] },
  schema: () =>
    z.object({
      action: z.string(),
      requestedBy: z.optional(z.string()),
      ts: z.optional(z.number()),
      /** Target one replica; absent means every instance. */
      instance: z.optional(z.string()),
    }),
});

/** `system.log`: two notices share the subject (upstream's), told apart by their fields and envelope type. */
export const systemLog = defineEvent({
  template: 'system.log',
  version: 1,
  description:
    'Ingestion notice: the ingester\'s `batch_committed` after each stored batch, or (opt-in) the collector\'s one-per-line summary.',
  producers: ['collector', 'ingester'],
  consumers: ['profiler'],
  schema: () =>
    z.union([
      // The ingester, type `batch_committed`: rows of the batch and the newest log id.
      z.object({ component: z.string(), flushed: z.number(), position: z.nullable(z.number()) }),
      // The collector (DECNET_COLLECTOR_SYSTEM_LOG), type = the line's event type.
      z.object({
        decky: z.string(),
        service: z.string(),
        event_type: z.string(),
        attacker_ip: z.string(),
        timestamp: z.string(),
      }),
    ]),
});

/** `system.webhook.subscriptions_changed`: a bare signal, type `changed`. */
export const webhookSubscriptionsChanged = defineEvent({
  template: 'system.webhook.subscriptions_changed',
  version: 1,
  description: 'Webhook subscriptions changed in the database: every webhook instance reloads them.',
  producers: ['cli', 'webhook'],
  consumers: ['webhook'],
  planned: { producers: ['api'] },
  // Carries nothing: anything in it is a publisher's mistake.
  schema: () => z.strictObject({}),
});

/** One of {@link WORKER_STATES}. */
export type WorkerState = (typeof WORKER_STATES)[number];
/** Payload of `system.<worker>.health`. Times are epoch seconds, sizes bytes. */
export type HealthPayload = PayloadOf<typeof health>;
/** Payload of `system.<worker>.control`. `ts` is epoch seconds. */
export type ControlPayload = PayloadOf<typeof control>;
/** Payload of `system.log` (either notice). */
export type SystemLogPayload = PayloadOf<typeof systemLog>;
