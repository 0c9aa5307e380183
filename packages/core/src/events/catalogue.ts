// The event catalogue: every bus subject decnet publishes or consumes, and the rest of upstream's
// inventory for the workers still to come. Publishers and subscribers name subjects only through
// it (a lint rule refuses subject literals elsewhere); docs/events.md is rendered from it.
import { InvalidSubjectError } from '../errors.js';
import { assertPattern, matchSubject } from '../subjects.js';
import {
  attackerFingerprintRotated,
  attackerFingerprinted,
  attackerIntelEnriched,
  attackerObservation,
  attackerObserved,
  attackerScored,
  attackerSessionEnded,
  attackerSessionStarted,
} from './attacker-events.js';
import { canaryPlaced, canaryRevoked, canaryTriggered } from './canary-events.js';
import { credentialCaptured, credentialReuseDetected } from './credential-events.js';
import {
  deckyLifecycle,
  deckyMutateRequest,
  deckyMutation,
  deckyServiceAdded,
  deckyServiceConfigChanged,
  deckyServiceRemoved,
  deckyState,
  deckyTraffic,
} from './decky-events.js';
import type { AnyEventSpec } from './event-spec.js';
import { fixtureFault, fixturePing, fixturePong } from './fixture-events.js';
import {
  attributionMultiActorSuspected,
  attributionStateChanged,
  campaignFormed,
  campaignIdentityAssigned,
  campaignMerged,
  campaignUnmerged,
  identityCampaignAssigned,
  identityFormed,
  identityMerged,
  identityObservationLinked,
  identityUnmerged,
} from './identity-events.js';
import { logEvent } from './log-events.js';
import { emailReceived, smtpProbePending } from './mail-events.js';
import { orchestratorEmail, orchestratorFile, orchestratorTraffic } from './orchestrator-events.js';
import { control, health, systemLog, webhookSubscriptionsChanged } from './system-events.js';
import {
  topologyMutationApplied,
  topologyMutationApplying,
  topologyMutationEnqueued,
  topologyMutationFailed,
  topologyStatus,
} from './topology-events.js';
import { ttpRuleFired, ttpRuleReloaded, ttpRuleState, ttpRuleSuppressed, ttpTagged } from './ttp-events.js';

/**
 * Every subject family, by the name code uses for it:
 * `EVENTS.attackerObserved.subject`, `EVENTS.health.subject('webhook')`, `EVENTS.logEvent.pattern`.
 */
export const EVENTS = {
  // system.*
  health,
  control,
  systemLog,
  webhookSubscriptionsChanged,
  // log.*
  logEvent,
  // attacker.*
  attackerObserved,
  attackerScored,
  attackerFingerprinted,
  attackerFingerprintRotated,
  attackerSessionStarted,
  attackerSessionEnded,
  attackerIntelEnriched,
  attackerObservation,
  // credential.*, email.*, smtp.*
  credentialCaptured,
  credentialReuseDetected,
  emailReceived,
  smtpProbePending,
  // ttp.*
  ttpTagged,
  ttpRuleFired,
  ttpRuleSuppressed,
  ttpRuleReloaded,
  ttpRuleState,
  // identity.*, campaign.*, attribution.*
  identityFormed,
  identityObservationLinked,
  identityMerged,
  identityUnmerged,
  identityCampaignAssigned,
  campaignFormed,
  campaignIdentityAssigned,
  campaignMerged,
  campaignUnmerged,
  attributionStateChanged,
  attributionMultiActorSuspected,
  // decky.*
  deckyState,
  deckyTraffic,
  deckyMutation,
  deckyLifecycle,
  deckyServiceAdded,
  deckyServiceRemoved,
  deckyServiceConfigChanged,
  deckyMutateRequest,
  // topology.*
  topologyMutationEnqueued,
  topologyMutationApplying,
  topologyMutationApplied,
  topologyMutationFailed,
  topologyStatus,
  // canary.*
  canaryPlaced,
  canaryTriggered,
  canaryRevoked,
  // orchestrator.*
  orchestratorTraffic,
  orchestratorFile,
  orchestratorEmail,
  // fixture.* (test protocol of the fixture workers)
  fixturePing,
  fixturePong,
  fixtureFault,
} as const;

/** The name code uses for one entry (`attackerObserved`). */
export type EventName = keyof typeof EVENTS;

/** Every entry, in catalogue order. */
export const EVENT_LIST: readonly AnyEventSpec[] = Object.values(EVENTS);

/** First token of some catalogue subject. */
export type EventRoot = (typeof EVENTS)[EventName]['root'];

/** The roots in catalogue order (the lint rule's list is checked against it). */
export const EVENT_ROOTS: readonly EventRoot[] = [...new Set(EVENT_LIST.map((e) => e.root as EventRoot))];

/** `<root>.>`: every subject of one root family (webhook presets, a consumer of a whole family). */
export function rootPattern(root: EventRoot): string {
  return subjectPattern(root, '>');
}

/**
 * A subscription pattern spanning catalogue subjects, from a root and tokens (values, `*`, or a
 * final `>`): `subjectPattern('fixture', name, '>')` is every fixture subject of one worker.
 * @throws InvalidSubjectError for a malformed pattern, or one no catalogue subject can match.
 */
export function subjectPattern(root: EventRoot, ...tokens: string[]): string {
  const pattern = assertPattern([root, ...tokens].join('.'));
  if (!EVENT_LIST.some((spec) => patternsOverlap(pattern, spec.pattern))) {
    throw new InvalidSubjectError(pattern, 'matches no subject of the event catalogue');
  }
  return pattern;
}

/** True when some concrete subject matches both patterns. */
export function patternsOverlap(a: string, b: string): boolean {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; ; i++) {
    if (x[i] === '>') return y.length > i;
    if (y[i] === '>') return x.length > i;
    if (x[i] === undefined || y[i] === undefined) return x[i] === y[i];
    if (x[i] !== '*' && y[i] !== '*' && x[i] !== y[i]) return false;
  }
}

// Concrete subjects resolve in one lookup; parameterised ones are tried per root.
let byConcreteSubject: Map<string, AnyEventSpec> | undefined;
let templatesByRoot: Map<string, AnyEventSpec[]> | undefined;

/** The entry a concrete subject belongs to, or `undefined` when it is not in the catalogue. */
export function eventForSubject(subject: string): AnyEventSpec | undefined {
  if (!byConcreteSubject || !templatesByRoot) {
    byConcreteSubject = new Map();
    templatesByRoot = new Map();
    for (const spec of EVENT_LIST) {
      if (typeof spec.subject === 'string') byConcreteSubject.set(spec.subject, spec);
      else templatesByRoot.set(spec.root, [...(templatesByRoot.get(spec.root) ?? []), spec]);
    }
  }
  const exact = byConcreteSubject.get(subject);
  if (exact) return exact;
  const dot = subject.indexOf('.');
  const candidates = templatesByRoot.get(dot < 0 ? subject : subject.slice(0, dot));
  return candidates?.find((spec) => matchSubject(spec.pattern, subject));
}
