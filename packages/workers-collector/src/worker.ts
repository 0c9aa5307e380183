// The collector's run loop: open the listeners and file tailers, report counters in health,
// flush checkpoints, and on stop close the inputs, let acknowledged positions reach the
// checkpoint file, and return.
import { untilAborted, type WorkerContext } from '@decnet/core';
import { CheckpointStore } from './checkpoint-store.js';
import { FileTailer } from './file-tailer.js';
import { LineProcessor } from './line-processor.js';
import { SyslogListeners, type BoundPorts } from './network.js';
import { compileCollectorOptions, type CollectorOptions } from './options.js';
import { RetryingPublisher } from './publisher.js';

/** How often checkpoints are written (when they changed) and health detail is refreshed. */
const TICK_MS = 250;
/** At stop, how long to wait for publishes already handed to the bus. */
const STOP_DRAIN_MS = 5_000;

/** Optional callbacks for embedding and tests. */
export interface CollectorHooks {
  /** Called once the listeners are bound, with the ports (useful with port 0). */
  onListening?(ports: BoundPorts): void;
}

/**
 * Runs the collector until `ctx.signal` aborts. Options come from DECNET_COLLECTOR_* in the
 * process environment, then `overrides`.
 * @throws ConfigValidationError for invalid options; ListenError when a port cannot be bound.
 */
export async function runCollector(
  ctx: WorkerContext,
  overrides: Partial<CollectorOptions> = {},
  hooks: CollectorHooks = {},
): Promise<void> {
  const options = compileCollectorOptions(process.env, ctx.config.home, overrides);
  const processor = new LineProcessor(options);
  const publisher = new RetryingPublisher(ctx.bus, ctx.signal, ctx.log, (n) => ctx.handled(n));
  const checkpoints = await CheckpointStore.load(options.stateFile, ctx.log);
  const listeners = new SyslogListeners({ options, processor, publisher, log: ctx.log });
  const ports = await listeners.start();
  ctx.log.info('collector started', {
    bind: options.bind,
    udp: ports.udp ?? null,
    tcp: ports.tcp ?? null,
    files: options.files,
    stateFile: options.files.length > 0 ? options.stateFile : null,
  });
  hooks.onListening?.(ports);

  const deps = {
    processor,
    publisher,
    checkpoints,
    log: ctx.log,
    maxLineBytes: options.maxLineBytes,
    maxInflight: options.maxInflight,
    pollMs: options.pollMs,
  };
  const tailers = options.files.map((path) => new FileTailer(path, deps, ctx.signal));
  const tailing = tailers.map((t) => t.run());

  const report = (): void => {
    ctx.setHealthDetail({
      ports,
      lines: { ...processor.counters, malformedByCode: { ...processor.counters.malformedByCode } },
      publish: { ...publisher.counters, inflight: publisher.inflight },
      network: { ...listeners.counters, framingErrors: { ...listeners.counters.framingErrors } },
      files: Object.fromEntries(tailers.map((t) => [t.path, { offset: t.offset ?? null, ...t.counters }])),
    });
    // Idle is not stuck: only a backlog that does not move should age lastProgress.
    if (publisher.inflight === 0) ctx.progress();
  };
  report();
  const timer = setInterval(() => {
    void checkpoints.flush();
    report();
  }, TICK_MS);
  try {
    await untilAborted(ctx.signal);
  } finally {
    clearInterval(timer);
    await listeners.stop();
    await Promise.all(tailing);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      publisher.whenBelow(1),
      new Promise<void>((resolve) => (timeout = setTimeout(resolve, STOP_DRAIN_MS))),
    ]);
    clearTimeout(timeout);
    await checkpoints.flush();
    report();
    ctx.log.info('collector stopped', { published: publisher.counters.published, failed: publisher.counters.failed });
  }
}
