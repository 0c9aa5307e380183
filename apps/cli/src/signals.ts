// Long-running commands (`decnet service run`, `decnet decky run`) stop on the first SIGINT or
// SIGTERM; a second one exits at once. Commands are written against an AbortSignal so tests can
// run them with their own.
import type { CommandIO } from './io.js';

/** Aborts on the first SIGINT/SIGTERM; a second one exits at once. Returns a disposer. */
function abortOnSignals(controller: AbortController): () => void {
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** A command's `run`: `serve` until the first SIGINT or SIGTERM (tests call `serve` with their own signal). */
export function runUntilSignal(serve: (args: string[], io: CommandIO, signal: AbortSignal) => Promise<number>): (args: string[], io: CommandIO) => Promise<number> {
  return async (args, io) => {
    const controller = new AbortController();
    const dispose = abortOnSignals(controller);
    try {
      return await serve(args, io, controller.signal);
    } finally {
      dispose();
    }
  };
}
