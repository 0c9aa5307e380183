// The service contract (ServiceSpec) and how a service is started: options read from the env the
// catalog defines, events wired to stdout (+ LOG_TARGET), a connection tracker and a listener
// helper handed to the service, `startup`/`shutdown` events around it. Also a whole decky's
// services in one process (startDecky).
import type { Logger } from '@decnet/core';
import { createServiceEmitter, type EventTypeFor, type ServiceEmitter } from './emitter.js';
import { ServiceConfigError, type ConfigIssue } from './errors.js';
import { createStderrLogger } from './logger.js';
import { COMMON_FIELDS, readOptions, type CommonOptions, type EnvField, type EnvFields, type OptionsOf } from './options.js';
import { createFanoutSink, createLineSink, createTargetSink, type EventSink } from './sink.js';
import type { ProtocolMachine } from './protocol.js';
import { driveMachine, listenTcp, type DriveOptions, type ListenOptions, type MachineDriver, type TcpConnection, type TcpListener } from './tcp-server.js';
import { processMemoryGuard } from './memory-guard.js';
import { ConnectionTracker } from './tracker.js';

/** What a running service hands back. */
export interface RunningService {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** Stops accepting and ends every connection. Idempotent. */
  close(): Promise<void>;
}

/** What the kit gives a service's `start`. */
export interface ServiceRuntime<S extends string = string> {
  /** Emits this service's events (service-level and, through `openSession`, per connection). */
  readonly events: ServiceEmitter<S>;
  /** Diagnostics (stderr). Constant messages; attacker data only in metadata. */
  readonly log: Logger;
  /** The shared options: decky, hostname, bind, limits, LOG_TARGET. */
  readonly common: CommonOptions;
  /** The host name the decky shows: HOSTNAME, else NODE_NAME. */
  readonly hostname: string;
  /** The connection caps of this service. */
  readonly tracker: ConnectionTracker;
  /** Binds a TCP listener with this service's bind address, caps, byte budgets, memory guard, idle timeout and emitter. */
  listen(options: Pick<ListenOptions<S>, 'onConnection' | 'connectEvent' | 'disconnectEvent' | 'refusalReply'> & { port: number; host?: string }): Promise<TcpListener>;
  /**
   * {@link driveMachine} with the service's fault report: a machine that throws (a bug) is logged
   * as `<slug> machine fault` unless `options.onFault` says otherwise.
   */
  drive<A = never>(connection: TcpConnection<S>, machine: ProtocolMachine<EventTypeFor<S>, A>, options?: DriveOptions<EventTypeFor<S>, A>): MachineDriver<EventTypeFor<S>, A>;
}

/**
 * A honeypot service emulator. `fields` declares every environment variable it reads, one of
 * them named `port`; `start` binds and returns once listening.
 *
 * ```ts
 * export const service = defineService({
 *   slug: 'ftp', description: 'FTP server', defaultPort: 21, transport: 'tcp',
 *   fields: { port: envField.port('FTP_PORT', 'listening port', 21) },
 *   async start(options, runtime) { ... return { port, close } },
 * });
 * ```
 */
export interface ServiceSpec<F extends EnvFields & { port: EnvField<number> } = EnvFields & { port: EnvField<number> }, S extends string = string> {
  readonly slug: S;
  readonly description: string;
  readonly defaultPort: number;
  readonly transport: 'tcp' | 'udp';
  readonly fields: F;
  start(options: OptionsOf<F>, runtime: ServiceRuntime<S>): Promise<RunningService>;
}

/** Identity function that infers a {@link ServiceSpec}'s types. */
export function defineService<const S extends string, F extends EnvFields & { port: EnvField<number> }>(spec: ServiceSpec<F, S>): ServiceSpec<F, S> {
  return spec;
}

/** A spec of any service (for registries). */
export type AnyServiceSpec = ServiceSpec<EnvFields & { port: EnvField<number> }, string>;

/** Options of {@link startService} and {@link startDecky}. */
export interface StartOptions {
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Overrides the service's port variable (`--port`). */
  readonly port?: number;
  /** Overrides DECNET_SERVICE_BIND (`--bind`). */
  readonly bind?: string;
  /** Overrides NODE_NAME (`--name`). */
  readonly decky?: string;
  /** Where event lines go. @default stdout, plus LOG_TARGET when set */
  readonly sink?: EventSink;
  /** Writes stdout text when no `sink` is given. @default process.stdout.write */
  readonly stdout?: (text: string) => unknown;
  /** @default a stderr JSON logger at DECNET_LOG_LEVEL */
  readonly log?: Logger;
}

/** A started service with the pieces a caller may inspect. */
export interface StartedService {
  readonly slug: string;
  readonly port: number;
  readonly host: string;
  readonly events: ServiceEmitter<string>;
  readonly tracker: ConnectionTracker;
  /** Emits `shutdown`, closes the service, then the sink when this call created it. Idempotent. */
  close(): Promise<void>;
}

interface Prepared {
  common: CommonOptions;
  options: Record<string, unknown>;
}

function prepare(spec: AnyServiceSpec, opts: StartOptions): Prepared {
  const env: Record<string, string | undefined> = { ...(opts.env ?? process.env) };
  if (opts.decky !== undefined) env[COMMON_FIELDS.decky.env] = opts.decky;
  if (opts.bind !== undefined) env[COMMON_FIELDS.bind.env] = opts.bind;
  if (opts.port !== undefined) env[spec.fields.port.env] = String(opts.port);
  if (!env[COMMON_FIELDS.decky.env]) env[COMMON_FIELDS.decky.env] = defaultDeckyName();
  const issues: ConfigIssue[] = [];
  const read = <F extends EnvFields>(fields: F): OptionsOf<F> | null => {
    try {
      return readOptions(spec.slug, fields, env);
    } catch (err) {
      if (err instanceof ServiceConfigError) issues.push(...err.issues);
      else throw err;
      return null;
    }
  };
  const common = read(COMMON_FIELDS);
  const options = read(spec.fields);
  if (!common || !options || issues.length > 0) throw new ServiceConfigError(spec.slug, issues);
  return { common, options };
}

function defaultDeckyName(): string {
  const h = process.env['HOSTNAME'] ?? '';
  return /^[\x21-\x7e]{1,255}$/.test(h) ? h : 'decky';
}

function makeSink(common: CommonOptions, opts: StartOptions, log: Logger): { sink: EventSink; owned: boolean } {
  if (opts.sink) return { sink: opts.sink, owned: false };
  const stdout = createLineSink(opts.stdout ?? ((t: string) => process.stdout.write(t)));
  const sinks = [stdout];
  if (common.logTarget) sinks.push(createTargetSink(common.logTarget, log));
  return { sink: createFanoutSink(sinks), owned: true };
}

async function startPrepared(spec: AnyServiceSpec, prepared: Prepared, sink: EventSink, log: Logger): Promise<StartedService> {
  const { common, options } = prepared;
  const events = createServiceEmitter({ decky: common.decky, service: spec.slug, sink });
  const tracker = new ConnectionTracker({ maxConnections: common.maxConnections, maxPerIp: common.maxPerIp, maxPerPrefix: common.maxPerPrefix });
  const serviceLog = log.child({ service: spec.slug });
  const memoryGuard = processMemoryGuard(common.memoryCeilingMb, (rss, shed) =>
    serviceLog.warn('memory guard shedding the newest connections', { rssMb: Math.round(rss / 1048576), ceilingMb: common.memoryCeilingMb, shed }),
  );
  let boundHost = common.bind;
  const onFault = (err: Error): void => serviceLog.error(`${spec.slug} machine fault`, { err: err.message });
  const runtime: ServiceRuntime<string> = {
    events,
    log: serviceLog,
    common,
    hostname: common.hostname ?? common.decky,
    tracker,
    listen: (o) => {
      boundHost = o.host ?? common.bind;
      return listenTcp({
        host: boundHost,
        port: o.port,
        emitter: events,
        tracker,
        log: serviceLog,
        idleTimeoutMs: common.idleTimeoutS * 1000,
        budgets: { connectionBytes: common.maxConnectionBytes, serviceBytes: common.maxServiceBytes },
        memoryGuard,
        onConnection: o.onConnection,
        connectEvent: o.connectEvent ?? null,
        disconnectEvent: o.disconnectEvent ?? null,
        ...(o.refusalReply !== undefined ? { refusalReply: o.refusalReply } : {}),
      });
    },
    drive: (connection, machine, o) => driveMachine(connection, machine, { onFault, ...o }),
  };
  const running = await spec.start(options as never, runtime);
  events.emit('startup' as EventTypeFor<string>, { port: running.port, bind: boundHost }, { msg: `${spec.slug} listening on ${boundHost}:${running.port}` });
  serviceLog.info('service started', { port: running.port, bind: boundHost });
  let closing: Promise<void> | null = null;
  return {
    slug: spec.slug,
    port: running.port,
    host: boundHost,
    events,
    tracker,
    close() {
      if (!closing) {
        closing = (async () => {
          events.emit('shutdown' as EventTypeFor<string>, { reason: 'stop' });
          await running.close();
          serviceLog.info('service stopped', { ...tracker.stats() });
        })();
      }
      return closing;
    },
  };
}

/**
 * Starts one service: reads its environment (all problems reported at once), wires its events to
 * stdout and LOG_TARGET, starts it and emits `startup`.
 * @throws ServiceConfigError when the environment is invalid; ServiceListenError when the port cannot be bound.
 */
export async function startService(spec: AnyServiceSpec, opts: StartOptions = {}): Promise<StartedService> {
  const prepared = prepare(spec, opts);
  const log = opts.log ?? createStderrLogger({ level: prepared.common.logLevel, name: `service-${spec.slug}` });
  const { sink, owned } = makeSink(prepared.common, opts, log);
  let started: StartedService;
  try {
    started = await startPrepared(spec, prepared, sink, log);
  } catch (err) {
    if (owned) await sink.close();
    throw err;
  }
  if (!owned) return started;
  return { ...started, close: () => started.close().then(() => sink.close()) };
}

/** A decky's services running in one process. */
export interface RunningDecky {
  readonly services: readonly StartedService[];
  /** Services that failed to start; the others keep running. */
  readonly failures: readonly { slug: string; error: Error }[];
  /** Closes every service, then the shared sink. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link startDecky}: per-service port overrides instead of one port. */
export interface DeckyStartOptions extends Omit<StartOptions, 'port'> {
  /** Port per slug; unset slugs read their port variable or take their default. */
  readonly ports?: Readonly<Record<string, number>>;
}

/**
 * Starts several services sharing one sink (stdout + LOG_TARGET). Configuration is checked for
 * every service before any starts; a service that fails to bind is reported in `failures` and
 * the rest keep running (one broken emulator must not take the decky down).
 * @throws ServiceConfigError listing every invalid variable across the services.
 */
export async function startDecky(specs: readonly AnyServiceSpec[], opts: DeckyStartOptions = {}): Promise<RunningDecky> {
  const issues: ConfigIssue[] = [];
  const prepared: { spec: AnyServiceSpec; prepared: Prepared }[] = [];
  for (const spec of specs) {
    try {
      const port = opts.ports?.[spec.slug];
      prepared.push({ spec, prepared: prepare(spec, port === undefined ? opts : { ...opts, port }) });
    } catch (err) {
      if (!(err instanceof ServiceConfigError)) throw err;
      for (const issue of err.issues) if (!issues.some((i) => i.key === issue.key)) issues.push(issue);
    }
  }
  if (issues.length > 0) throw new ServiceConfigError(specs.map((s) => s.slug).join(','), issues);
  const first = prepared[0]?.prepared.common;
  if (!first) return { services: [], failures: [], close: async () => undefined };
  const log = opts.log ?? createStderrLogger({ level: first.logLevel, name: `decky-${first.decky}` });
  const { sink, owned } = makeSink(first, opts, log);
  const services: StartedService[] = [];
  const failures: { slug: string; error: Error }[] = [];
  for (const p of prepared) {
    try {
      services.push(await startPrepared(p.spec, p.prepared, sink, log));
    } catch (err) {
      failures.push({ slug: p.spec.slug, error: err as Error });
      log.error('service failed to start', { service: p.spec.slug, err: (err as Error).message });
    }
  }
  let closing: Promise<void> | null = null;
  return {
    services,
    failures,
    close() {
      if (!closing) {
        closing = (async () => {
          await Promise.all(services.map((s) => s.close()));
          if (owned) await sink.close();
        })();
      }
      return closing;
    },
  };
}
