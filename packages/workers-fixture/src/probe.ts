// The fixture protocol shared by both fixture workers: answer pings (proves the worker is
// handling events) and raise a fault on request (proves failures stay inside one worker).
// Its subjects and payloads are entries of the event catalogue (`fixture.<worker>.*`).
import { EVENTS, type EventOf, type PayloadOf, type WorkerContext } from '@decnet/core';

/** Faults a fixture can be asked to raise, one per way a worker can fail. */
export const FAULT_MODES = ['throw', 'uncaught', 'rejection'] as const;
/** One of {@link FAULT_MODES}. */
export type FaultMode = (typeof FAULT_MODES)[number];

/** Answers `fixture.<name>.ping` with `fixture.<name>.pong` carrying the ping's `seq`. */
export function answerPing(ctx: WorkerContext, event: EventOf<PayloadOf<typeof EVENTS.fixturePing>>): void {
  ctx.handled();
  void ctx.bus
    .publish(EVENTS.fixturePong.subject(ctx.name), { seq: event.payload.seq ?? null, instance: ctx.instanceId })
    .catch((err: unknown) => ctx.log.warn('pong publish failed', { err: (err as Error).message }));
}

/**
 * Handles `fixture.<name>.fault` (`{mode}`): `throw` fails `run`, `uncaught` throws from a timer,
 * `rejection` leaves a rejected promise unhandled.
 */
export function raiseFault(ctx: WorkerContext, event: EventOf<PayloadOf<typeof EVENTS.fixtureFault>>, fail: (err: Error) => void): void {
  const mode = event.payload.mode;
  if (mode === 'throw') fail(new Error('fixture fault: throw'));
  else if (mode === 'uncaught') {
    setTimeout(() => {
      throw new Error('fixture fault: uncaught');
    }, 1);
  } else if (mode === 'rejection') {
    void Promise.reject(new Error('fixture fault: rejection'));
  } else ctx.log.warn('unknown fixture fault mode ignored', { mode: mode.slice(0, 32) });
}
