// Process-wide shutdown hooks: a package that owns a process-level resource (the database
// pool, a shared bus connection) registers its cleanup here; the host runs them once at exit.
import type { Logger } from './logger.js';

type Hook = { name: string; run: () => Promise<void> | void };
const hooks: Hook[] = [];

/** Registers `run` to be called once when the hosting process shuts down (last registered runs first). */
export function onProcessShutdown(name: string, run: () => Promise<void> | void): () => void {
  const hook = { name, run };
  hooks.push(hook);
  return () => {
    const i = hooks.indexOf(hook);
    if (i >= 0) hooks.splice(i, 1);
  };
}

/** Runs and clears every registered hook; failures are logged, never thrown. */
export async function runShutdownHooks(log: Logger): Promise<void> {
  const pending = hooks.splice(0).reverse();
  for (const hook of pending) {
    try {
      await hook.run();
    } catch (err) {
      log.warn('shutdown hook failed', { hook: hook.name, err: (err as Error).message });
    }
  }
}
