/**
 * The ground every decnet package stands on: configuration, the diagnostics logger, the Bus
 * interface with subject matching and the v1 envelope, the event catalogue (every subject with its
 * payload schema, built on first use), the in-process MemoryBus, the worker contract, heartbeats
 * and control. It has no heavy dependencies: every worker loads it.
 *
 * ```ts
 * import { EVENTS, MemoryBroker, silentLogger, subscribeEvent } from '@decnet/core';
 * const bus = new MemoryBroker().connect('webhook');
 * subscribeEvent(bus, EVENTS.attackerObserved, (event) => console.log(event.payload.attacker_ip), { log: silentLogger });
 * await bus.publish(EVENTS.attackerObserved.subject, { attacker_ip: '198.51.100.7' });
 * console.log(EVENTS.health.subject('webhook')); // system.webhook.health
 * ```
 * @module
 */

// bus.ts
export type { Bus, BusStats, BusTransport, EventHandler, SubscribeOptions, Subscription } from './bus.js';
export { defaultGroup, emptyBusStats } from './bus.js';
// config.ts
export type { BusKind, DecnetConfig } from './config.js';
export { BUS_KINDS, CONFIG_KEYS, ConfigValidationError, loadConfig, readConfigFile, redactUrl } from './config.js';
// control.ts
export type { ControlAction } from './control.js';
export { CONTROL_ACTIONS, controlMessage, listenForControl } from './control.js';
// env-reader.ts
export type { DeprecatedEnvKeys, EnvParser, EnvReader } from './env-reader.js';
export { absolutePath, deprecatedKeyWarning, envReader, intIn, renamedPrefix, withDeprecatedKeys } from './env-reader.js';
// durable-publish.ts
export type { DurablePublishResult } from './durable-publish.js';
export { PUBLISH_RETRY_INITIAL_MS, PUBLISH_RETRY_MAX_MS, publishUntilAcknowledged } from './durable-publish.js';
// envelope.ts
export type { DecodeFailure, DecodeResult, Envelope, Payload, PublishOptions } from './envelope.js';
export { MAX_MESSAGE_BYTES, createEnvelope, decodeEnvelope, encodeEnvelope, validateEnvelope } from './envelope.js';
// errors.ts
export {
  BusUnavailableError,
  ConfigError,
  DecnetError,
  IllegalStateError,
  InvalidSubjectError,
  MessageTooLargeError,
} from './errors.js';
// health.ts
export type { HealthSource } from './health.js';
export { sampleHealth, startHeartbeat } from './health.js';
// logger.ts
export type { LogFormat, LogLevel, LogMeta, Logger, LoggerOptions } from './logger.js';
export { LOG_FORMATS, LOG_LEVELS, createLogger, everyNth, formatPrettyLine, silentLogger } from './logger.js';
// memory-bus.ts
export { DEFAULT_QUEUE_SIZE, DEFAULT_RETENTION, MemoryBroker, MemoryBus, NullBus, type MemoryRetention } from './memory-bus.js';
// subjects.ts
export { assertLeaf, assertPattern, assertSubject, assertToken, matchSubject, subjectRoot } from './subjects.js';
// events/ (the catalogue)
export type { EventName, EventRoot } from './events/catalogue.js';
export {
  EVENTS,
  EVENT_LIST,
  EVENT_ROOTS,
  eventForSubject,
  patternsOverlap,
  rootPattern,
  subjectPattern,
} from './events/catalogue.js';
export type {
  AnyEventSpec,
  EventDefinition,
  EventParties,
  EventSpec,
  PayloadOf,
  SubjectOf,
} from './events/event-spec.js';
export type { EventHandlerOf, EventOf, EventRoute, EventSubscribeOptions } from './events/subscribe.js';
export { UNKNOWN_SUBJECT, malformedEventCounts, on, subscribeEvent, subscribeEvents } from './events/subscribe.js';
export type { ControlPayload, HealthPayload, SystemLogPayload, WorkerState } from './events/system-events.js';
export { WORKER_STATES } from './events/system-events.js';
export type { LogEventPayload } from './events/log-events.js';
export { LOG_SOURCES, MAX_RAW_LINE } from './events/log-events.js';
export type {
  AttackerObservedPayload,
  AttackerScoredPayload,
  SessionCommand,
  SessionEndedPayload,
} from './events/attacker-events.js';
export { BEHAVIOR_CLASSES } from './events/attacker-events.js';
export type { TtpRuleFiredPayload, TtpTaggedPayload } from './events/ttp-events.js';
// worker.ts
export type { WorkerContext, WorkerNeed, WorkerSpec } from './worker.js';
export { sleep, untilAborted } from './worker.js';
// shutdown.ts (the registry; @decnet/host runs the hooks)
export type { ShutdownHook } from './shutdown.js';
export { onProcessShutdown, takeShutdownHooks } from './shutdown.js';
// event-id.ts
export { derivedEventId, formatUuidV8, stableEventId } from './event-id.js';

// Deprecated
/** @deprecated Use `EVENTS.health.schema` (the catalogue entry). */
export { healthPayloadSchema } from './health.js';
