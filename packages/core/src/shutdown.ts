// Process-wide shutdown hooks: a package that owns a process-level resource (the database pool)
// registers its cleanup here and the host (@decnet/host) runs them once at exit. Only this
// registry lives in core, because those packages (type:db) may not import the host.

/** A cleanup registered with {@link onProcessShutdown}. */
export interface ShutdownHook {
  readonly name: string;
  run(): Promise<void> | void;
}

const hooks: ShutdownHook[] = [];

/** Registers `run` to be called once when the hosting process shuts down (last registered runs first). */
export function onProcessShutdown(name: string, run: () => Promise<void> | void): () => void {
  const hook: ShutdownHook = { name, run };
  hooks.push(hook);
  return () => {
    const i = hooks.indexOf(hook);
    if (i >= 0) hooks.splice(i, 1);
  };
}

/**
 * Removes every registered hook and returns them in run order (last registered first).
 * @internal the host's `runShutdownHooks` is the only caller.
 */
export function takeShutdownHooks(): ShutdownHook[] {
  return hooks.splice(0).reverse();
}
