/**
 * The ground every decnet package stands on: configuration, the diagnostics logger, the Bus
 * interface with subject matching and the v1 envelope, the in-process MemoryBus, the worker
 * contract, heartbeats and control. It has no heavy dependencies: every worker loads it.
 *
 * ```ts
 * import { loadConfig, MemoryBroker, subjects } from '@decnet/core';
 * const bus = new MemoryBroker().connect('webhook');
 * bus.subscribe('attacker.>', (event) => console.log(event.topic));
 * await bus.publish('attacker.observed', { attacker_ip: '198.51.100.7' });
 * console.log(subjects.health('webhook')); // system.webhook.health
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
export type { ControlAction, ControlPayload } from './control.js';
export { CONTROL_ACTIONS, controlMessage, controlPayloadSchema, listenForControl } from './control.js';
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
export type { HealthPayload, HealthSource, WorkerState } from './health.js';
export { WORKER_STATES, healthPayloadSchema, sampleHealth, startHeartbeat } from './health.js';
// logger.ts
export type { LogFormat, LogLevel, LogMeta, Logger, LoggerOptions } from './logger.js';
export { LOG_FORMATS, LOG_LEVELS, createLogger, everyNth, formatPrettyLine, silentLogger } from './logger.js';
// memory-bus.ts
export { DEFAULT_QUEUE_SIZE, DEFAULT_RETENTION, MemoryBroker, MemoryBus, NullBus, type MemoryRetention } from './memory-bus.js';
// subjects.ts
export { SUBJECTS, assertLeaf, assertPattern, assertSubject, assertToken, matchSubject, subjectRoot, subjects } from './subjects.js';
// worker.ts
export type { WorkerContext, WorkerNeed, WorkerSpec } from './worker.js';
export { sleep, untilAborted } from './worker.js';
// shutdown.ts (the registry; @decnet/host runs the hooks)
export type { ShutdownHook } from './shutdown.js';
export { onProcessShutdown, takeShutdownHooks } from './shutdown.js';
// event-id.ts
export { derivedEventId, formatUuidV8, stableEventId } from './event-id.js';
