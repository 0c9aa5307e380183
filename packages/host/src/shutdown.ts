// Runs the process-wide shutdown hooks packages registered with core's `onProcessShutdown` (the
// database pool, ...): once, in reverse order, each failure logged and never thrown.
import { takeShutdownHooks, type Logger } from '@decnet/core';

/** Runs and clears every registered hook; failures are logged, never thrown. */
export async function runShutdownHooks(log: Logger): Promise<void> {
  for (const hook of takeShutdownHooks()) {
    try {
      await hook.run();
    } catch (err) {
      log.warn('shutdown hook failed', { hook: hook.name, err: (err as Error).message });
    }
  }
}
