/**
 * The decky kit: what every honeypot service emulator shares. RFC 5424 event lines through
 * @decnet/syslog to stdout (and LOG_TARGET), a session emitter that binds the connection's
 * identity once, the universal credential params, connection caps and idle timeouts, start-up
 * from the catalog's environment variables, the ServiceSpec contract, pure protocol machines,
 * and a fake Ubuntu shell for ssh and telnet. Never imports the bus, the database or kafkajs.
 *
 * ```ts
 * export const service = defineService({ slug: 'ftp', description: 'FTP', defaultPort: 21, transport: 'tcp',
 *   fields: { port: envField.port('FTP_PORT', 'listening port', 21) },
 *   start: async (options, rt) => { const l = await rt.listen({ port: options.port,
 *     onConnection: (c) => rt.drive(c, createFtpMachine()) }); return { port: l.port, close: () => l.close() }; } });
 * await runServiceMain(service); // in src/main.ts
 * ```
 * @module
 */

// credentials.ts
export type { CredentialFields, CredentialOptions, CredentialOutcome, SecretKind } from './credentials.js';
export { MAX_SECRET_BYTES, SECRET_KINDS, credentialFields, printableSecret, toHex } from './credentials.js';
// emitter.ts
export type {
  ConnectionInfo,
  EmitOptions,
  EmitterStats,
  EventFields,
  EventTypeFor,
  ServiceEmitter,
  ServiceEmitterOptions,
  SessionEmitter,
  SessionIdentity,
} from './emitter.js';
export { MAX_FIELD_CHARS, MAX_LINE_BYTES, TRUNCATION_MARK, createServiceEmitter } from './emitter.js';
// errors.ts
export type { ConfigIssue } from './errors.js';
export { LogTargetError, ServiceConfigError, ServiceListenError, UnknownServiceError } from './errors.js';
// events.ts
export type { EventTypeOf, ServiceSlug } from './events.js';
export { CREDENTIAL_PARAMS, IDENTITY_PARAMS, SERVICE_EVENTS, eventTypesOf, isCataloguedService } from './events.js';
// logger.ts
export type { StderrLoggerOptions } from './logger.js';
export { createStderrLogger } from './logger.js';
// options.ts
export type { CommonOptions, CredentialPair, EnvField, EnvFields, OptionsOf } from './options.js';
export {
  COMMON_FIELDS,
  DEFAULT_IDLE_TIMEOUT_S,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTION_BYTES,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MAX_PER_IP,
  DEFAULT_MAX_PER_PREFIX,
  DEFAULT_MAX_SERVICE_BYTES,
  DEFAULT_MEMORY_CEILING_MB,
  envField,
  matchesCredential,
  readOptions,
} from './options.js';
// protocol.ts
export type { CloseReason, DeadlineChange, LineSplitter, ProtocolEvent, ProtocolMachine, ProtocolStep, SplitResult } from './protocol.js';
export { MAX_STEP_OUTPUT_BYTES, StepBuilder, createLineSplitter, emptyStep } from './protocol.js';
// service.ts
export type {
  AnyServiceSpec,
  DeckyStartOptions,
  RunningDecky,
  RunningService,
  ServiceRuntime,
  ServiceSpec,
  StartOptions,
  StartedService,
} from './service.js';
export { defineService, startDecky, startService } from './service.js';
// sink.ts
export type { EventSink, LogTarget, MemorySink, SinkStats, TcpSinkOptions, UdpSinkOptions } from './sink.js';
export {
  FLUSH_TIMEOUT_MS,
  MAX_PENDING_BYTES,
  MAX_PENDING_LINES,
  RECONNECT_MAX_MS,
  RECONNECT_MIN_MS,
  createFanoutSink,
  createLineSink,
  createMemorySink,
  createSyslogTcpSink,
  createSyslogUdpSink,
  createTargetSink,
  parseLogTarget,
} from './sink.js';
// standalone.ts
export { EXIT_CONFIG, EXIT_START_FAILED, runDeckyMain, runServiceMain } from './standalone.js';
// tcp-server.ts
export type { ByteBudgets, DriveOptions, ListenOptions, MachineDriver, TcpConnection, TcpListener } from './tcp-server.js';
export {
  DEFAULT_CONNECTION_BUDGET_BYTES,
  DEFAULT_SERVICE_BUDGET_BYTES,
  MAX_WRITE_BUFFER_BYTES,
  SHUTDOWN_GRACE_MS,
  SWEEP_INTERVAL_MS,
  driveMachine,
  listenTcp,
  normalizeRemoteIp,
} from './tcp-server.js';
// tracker.ts
export type { Admission, ConnectionLease, ConnectionLimits, Eviction, ShedReason, TrackedConnection, TrackerStats } from './tracker.js';
export { ConnectionTracker, networkOf } from './tracker.js';
// memory-guard.ts
export type { GuardedConnection, MemoryGuardOptions } from './memory-guard.js';
export { CHECK_INTERVAL_MS, MemoryGuard, SHED_AT_SHARE, SHED_COOLDOWN_MS, SHED_SHARE, processMemoryGuard } from './memory-guard.js';
// shell/*
export type { CommandContext, CommandEffect, CommandFn, CommandOutput } from './shell/commands.js';
export { COMMANDS } from './shell/commands.js';
export type { FsNode } from './shell/filesystem.js';
export { FakeFilesystem, MAX_OVERLAY_BYTES, MAX_OVERLAY_ENTRIES } from './shell/filesystem.js';
export type { EditorItem, EditorStep } from './shell/line-editor.js';
export { LineEditor } from './shell/line-editor.js';
export type { ListItem, ParseOutcome, Pipeline, Redirect, SimpleCommand } from './shell/parse.js';
export { parseCommandLine } from './shell/parse.js';
export type { MachineProfile, ProfileInput } from './shell/profile.js';
export { FALLBACK_LAN_IP, KERNEL_BUILD, makeProfile } from './shell/profile.js';
export type { SessionOutput, SessionSummary, ShellSessionOptions } from './shell/session.js';
export { MAX_TRANSCRIPT_CHARS, ShellSession, motd } from './shell/session.js';
export type { FakeShellOptions, ShellEvent, ShellRunResult } from './shell/shell.js';
export { FakeShell, MAX_OUTPUT_CHARS } from './shell/shell.js';
