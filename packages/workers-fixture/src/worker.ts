// The fixture worker's run loop: subscribe to its fixture subjects (validated against the event
// catalogue) and park until stopped.
import { EVENTS, on, subjectPattern, subscribeEvents, type WorkerContext } from '@decnet/core';
import { answerPing, raiseFault } from './probe.js';

/** Runs until `ctx.signal` aborts; rejects when asked to fail with mode `throw`. */
export async function runFixture(ctx: WorkerContext): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    subscribeEvents(
      ctx.bus,
      subjectPattern('fixture', ctx.name, '>'),
      [
        on(EVENTS.fixturePing, (event) => answerPing(ctx, event)),
        on(EVENTS.fixtureFault, (event) => raiseFault(ctx, event, reject)),
        // Pongs (its own among them: the bus delivers a handle's own events) share the pattern; nothing to do.
        on(EVENTS.fixturePong, () => undefined),
      ],
      { log: ctx.log },
    );
    ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
