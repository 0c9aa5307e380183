// The fixture worker's run loop: subscribe to its fixture subjects and park until stopped.
import { type WorkerContext } from '@decnet/core';
import { handleFixtureEvent } from './probe.js';

/** Runs until `ctx.signal` aborts; rejects when asked to fail with mode `throw`. */
export async function runFixture(ctx: WorkerContext): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    ctx.bus.subscribe(`fixture.${ctx.name}.>`, (event) => handleFixtureEvent(ctx, event, reject));
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
