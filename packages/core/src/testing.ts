// Test kit for packages that use the bus: hand-written fakes instead of mocking libraries.
import type { Bus } from './bus.js';
import { loadConfig, type DecnetConfig } from './config.js';
import type { Envelope } from './envelope.js';
import type { LogMeta, Logger } from './logger.js';
import { MemoryBroker, MemoryBus } from './memory-bus.js';

export { MemoryBroker, MemoryBus };

/** Events captured from a subscription, with a way to wait for more. */
export interface CapturedEvents {
  readonly events: Envelope[];
  /** Resolves once at least `count` events arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<Envelope[]>;
  stop(): Promise<void>;
}

/** Subscribes to `pattern` and records every event it receives. */
export function captureEvents(bus: Bus, pattern: string, group?: string): CapturedEvents {
  const events: Envelope[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const sub = bus.subscribe(
    pattern,
    (event) => {
      events.push(event);
      for (const w of [...waiters]) {
        if (events.length >= w.count) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    },
    group ? { group } : { broadcast: true },
  );
  return {
    events,
    waitFor: (count, timeoutMs = 5_000) =>
      new Promise<Envelope[]>((resolve, reject) => {
        if (events.length >= count) return resolve(events);
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${count} events on ${pattern}; got ${events.length}`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(events);
          },
        });
      }),
    stop: () => sub.unsubscribe(),
  };
}

/** A valid config for tests; `overrides` use the environment key names. */
export function testConfig(overrides: Record<string, string> = {}): DecnetConfig {
  return loadConfig({ DECNET_HOME: '/tmp/decnet-test', DECNET_BUS: 'memory', DECNET_INSTANCE_ID: 'test-1', ...overrides });
}

/** Polls `predicate` until it holds or `timeoutMs` passes. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 5_000, stepMs = 10): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** One recorded log line. */
export interface LogLine {
  readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly meta: LogMeta;
}

/** A Logger that keeps every line (children included) in `lines`. */
export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const make = (bindings: LogMeta): Logger => {
    const at =
      (level: LogLine['level']) =>
      (message: string, meta?: LogMeta): void => {
        lines.push({ level, message, meta: { ...bindings, ...meta } });
      };
    return {
      trace: at('trace'),
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return Object.assign(make({}), { lines });
}
