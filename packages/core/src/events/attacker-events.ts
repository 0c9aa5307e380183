// `attacker.*`: what decnet learns about one attacker address — first sighting, score changes,
// fingerprints, finished sessions, threat intel and behaviour observations.
import * as z from 'zod/mini';
import { defineEvent, type PayloadOf } from './event-spec.js';

/** Behaviour classes the profiler assigns. */
export const BEHAVIOR_CLASSES = ['unknown', 'slow_scan', 'scanning', 'brute_force', 'beaconing', 'interactive', 'mixed'] as const;

export const attackerObserved = defineEvent({
  template: 'attacker.observed',
  version: 1,
  description: 'An attacker address seen for the first time (published after its row committed).',
  producers: ['profiler'],
  consumers: ['ttp'],
  planned: { consumers: ['clusterer', 'enrich', 'reuse-correlator'] },
  schema: () =>
    z.object({
      attacker_ip: z.string(),
      attacker_uuid: z.optional(z.string()),
      decky: z.optional(z.string()),
      service: z.optional(z.string()),
      event_type: z.optional(z.string()),
      /** ISO 8601 UTC. */
      first_seen: z.optional(z.string()),
    }),
});

export const attackerScored = defineEvent({
  template: 'attacker.scored',
  version: 1,
  description: "An attacker's scored counters or behaviour class changed.",
  producers: ['profiler'],
  consumers: ['ttp'],
  planned: { consumers: ['clusterer', 'enrich', 'api'] },
  schema: () =>
    z.object({
      attacker_ip: z.string(),
      attacker_uuid: z.optional(z.string()),
      event_count: z.optional(z.number()),
      service_count: z.optional(z.number()),
      decky_count: z.optional(z.number()),
      bounty_count: z.optional(z.number()),
      credential_count: z.optional(z.number()),
      is_traversal: z.optional(z.boolean()),
      behavior_class: z.optional(z.enum(BEHAVIOR_CLASSES)),
    }),
});

export const attackerFingerprinted = defineEvent({
  template: 'attacker.fingerprinted',
  version: 1,
  description:
    'A probe or sniffer fingerprint of an attacker (JARM, HASSH, TCP/IP, TLS certificate, IPv6 leak); envelope type = probe kind.',
  producers: [],
  consumers: ['ttp'],
  planned: { producers: ['prober', 'sniffer'] },
  // Probe kinds carry their own hash fields: unknown keys are kept.
  schema: () =>
    z.looseObject({
      attacker_ip: z.string(),
      port: z.optional(z.number()),
      probe_type: z.optional(z.string()),
      type: z.optional(z.string()),
      jarm_hash: z.optional(z.string()),
      hassh: z.optional(z.string()),
      tcpfp: z.optional(z.string()),
      tls_cert: z.optional(z.string()),
    }),
});

export const attackerFingerprintRotated = defineEvent({
  template: 'attacker.fingerprint_rotated',
  version: 1,
  description: "An attacker's fingerprint of one probe type changed since the last probe.",
  producers: [],
  consumers: [],
  planned: { producers: ['prober'], consumers: ['api'] },
  schema: () =>
    z.object({
      attacker_ip: z.string(),
      attacker_uuid: z.optional(z.string()),
      port: z.optional(z.number()),
      probe_type: z.optional(z.string()),
      old_hash: z.optional(z.string()),
      new_hash: z.optional(z.string()),
      rotation_count: z.optional(z.number()),
      ts: z.optional(z.number()),
    }),
});

export const attackerSessionStarted = defineEvent({
  template: 'attacker.session.started',
  version: 1,
  description: 'Reserved by upstream (a constant without a publisher); no decnet worker sends or reads it.',
  producers: [],
  consumers: [],
  schema: () => z.looseObject({}),
});

/** One command inside `attacker.session.ended`. */
function sessionCommandSchema() {
  return z.object({
    id: z.string(),
    command_text: z.string(),
    /** ISO 8601 UTC. */
    ts: z.string(),
    decky: z.string(),
    service: z.string(),
    uid: z.optional(z.string()),
    user: z.optional(z.string()),
    src: z.optional(z.string()),
    pwd: z.optional(z.string()),
  });
}

export const attackerSessionEnded = defineEvent({
  template: 'attacker.session.ended',
  version: 1,
  description: "A recorded shell session ended: the attacker's commands that fell inside it (upstream's fields).",
  producers: ['collector'],
  consumers: ['ttp'],
  planned: { consumers: ['profiler'] },
  schema: () =>
    z.object({
      session_id: z.string(),
      /** Always null from the collector: the profiler links the attacker. */
      attacker_uuid: z.optional(z.nullable(z.string())),
      attacker_ip: z.string().check(z.minLength(1)),
      decky_id: z.string(),
      service: z.string(),
      /** ISO 8601 UTC. */
      ended_at: z.optional(z.string()),
      duration_s: z.optional(z.number()),
      commands: z.array(sessionCommandSchema()),
      shard_path: z.optional(z.nullable(z.string())),
    }),
});

export const attackerIntelEnriched = defineEvent({
  template: 'attacker.intel.enriched',
  version: 1,
  description: 'Threat-intel verdicts for an attacker (AbuseIPDB, GreyNoise, Feodo, ThreatFox fields by provider prefix).',
  producers: [],
  consumers: ['ttp'],
  planned: { producers: ['enrich'] },
  // Provider fields (`abuseipdb_*`, `greynoise_*`, ...) vary: unknown keys are kept.
  schema: () =>
    z.looseObject({
      attacker_ip: z.string(),
      attacker_uuid: z.optional(z.string()),
      aggregate_verdict: z.optional(z.string()),
      providers: z.optional(z.array(z.string())),
    }),
});

export const attackerObservation = defineEvent({
  template: 'attacker.observation.<primitive...>',
  version: 1,
  description: 'One behaviour primitive measured in a window (`motor.shell_mastery.tab_completion`); type = primitive.',
  producers: [],
  consumers: [],
  planned: { producers: ['profiler'], consumers: ['attribution', 'api'] },
  schema: () =>
    z.object({
      primitive: z.string(),
      value: z.optional(z.unknown()),
      confidence: z.optional(z.number()),
      window_start_ts: z.optional(z.number()),
      window_end_ts: z.optional(z.number()),
      source: z.optional(z.string()),
      evidence_ref: z.optional(z.string()),
      envelope_v: z.optional(z.number()),
      id: z.optional(z.string()),
      ts: z.optional(z.number()),
      v: z.optional(z.number()),
      attacker_uuid: z.optional(z.string()),
    }),
});

/** Payload of `attacker.observed`. */
export type AttackerObservedPayload = PayloadOf<typeof attackerObserved>;
/** Payload of `attacker.scored`. */
export type AttackerScoredPayload = PayloadOf<typeof attackerScored>;
/** Payload of `attacker.session.ended`. */
export type SessionEndedPayload = PayloadOf<typeof attackerSessionEnded>;
/** One command inside `attacker.session.ended`. */
export type SessionCommand = SessionEndedPayload['commands'][number];
