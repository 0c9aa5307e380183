// `decky.<name>.*`: what happens to one decoy host — fleet state, sniffed traffic, mutations,
// lifecycle operations and live service changes. The name is `host_uuid:name` in a fleet.
import * as z from 'zod/mini';
import { defineEvent } from './event-spec.js';

export const deckyState = defineEvent({
  template: 'decky.<decky>.state',
  version: 1,
  description: "A fleet decky's observed state changed (source `fleet`).",
  producers: [],
  consumers: [],
  planned: { producers: ['reconciler'], consumers: ['api'] },
  schema: () =>
    z.object({
      host_uuid: z.optional(z.string()),
      name: z.string(),
      state: z.string(),
      transition: z.optional(z.string()),
      source: z.optional(z.string()),
      previous_state: z.optional(z.nullable(z.string())),
    }),
});

export const deckyTraffic = defineEvent({
  template: 'decky.<decky>.traffic',
  version: 1,
  description:
    'A passive fingerprint sniffed on a decky; type ∈ tls_session, tcp_flow_timing, tcp_syn_fingerprint, ssh_client_banner, quic_client_hello, http_request_fingerprint, http2_settings, http3_settings, ipv6_link_local_leak.',
  producers: [],
  consumers: [],
  planned: { producers: ['sniffer'], consumers: ['api'] },
  // Each fingerprint type has its own fields: unknown keys are kept.
  schema: () => z.looseObject({ attacker_ip: z.optional(z.string()), decky: z.optional(z.string()) }),
});

export const deckyMutation = defineEvent({
  template: 'decky.<decky>.mutation',
  version: 1,
  description: "A decky's services were changed by the mutator.",
  producers: [],
  consumers: [],
  planned: { producers: ['mutator'], consumers: ['api'] },
  schema: () =>
    z.object({
      decky: z.string(),
      old_services: z.optional(z.array(z.string())),
      new_services: z.optional(z.array(z.string())),
      trigger: z.optional(z.string()),
      actor: z.optional(z.nullable(z.string())),
    }),
});

export const deckyLifecycle = defineEvent({
  template: 'decky.<decky>.lifecycle',
  version: 1,
  description: 'Progress of a lifecycle operation (deploy, start, stop, destroy) on one decky.',
  producers: [],
  consumers: [],
  planned: { producers: ['api'], consumers: ['api'] },
  schema: () =>
    z.object({
      lifecycle_id: z.string(),
      operation: z.string(),
      status: z.string(),
      error: z.optional(z.nullable(z.string())),
    }),
});

function serviceChangeSchema() {
  return z.object({
    decky_name: z.string(),
    service_name: z.string(),
    topology_id: z.optional(z.nullable(z.string())),
    services: z.optional(z.array(z.string())),
  });
}

export const deckyServiceAdded = defineEvent({
  template: 'decky.<decky>.service_added',
  version: 1,
  description: 'A service was added to a running decky.',
  producers: [],
  consumers: [],
  planned: { producers: ['api'], consumers: ['api'] },
  schema: serviceChangeSchema,
});

export const deckyServiceRemoved = defineEvent({
  template: 'decky.<decky>.service_removed',
  version: 1,
  description: 'A service was removed from a running decky.',
  producers: [],
  consumers: [],
  planned: { producers: ['api'], consumers: ['api'] },
  schema: serviceChangeSchema,
});

export const deckyServiceConfigChanged = defineEvent({
  template: 'decky.<decky>.service_config_changed',
  version: 1,
  description: "A running decky's service configuration changed (recreated when the change needs it).",
  producers: [],
  consumers: [],
  planned: { producers: ['api'], consumers: ['api'] },
  schema: () =>
    z.object({
      decky_name: z.string(),
      service_name: z.string(),
      topology_id: z.optional(z.nullable(z.string())),
      service_config: z.optional(z.record(z.string(), z.unknown())),
      recreated: z.optional(z.boolean()),
    }),
});

export const deckyMutateRequest = defineEvent({
  template: 'decky.<decky>.mutate_request',
  version: 1,
  description: 'Ask the mutator to mutate one decky now (the name comes from the subject).',
  producers: [],
  consumers: [],
  planned: { consumers: ['mutator'] },
  schema: () => z.object({ name: z.optional(z.string()) }),
});
