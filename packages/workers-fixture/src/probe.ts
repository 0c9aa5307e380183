// The fixture protocol shared by both fixture workers: answer pings (proves the worker is
// handling events) and raise a fault on request (proves failures stay inside one worker).
import type { Envelope, WorkerContext } from '@decnet/core';

/** Faults a fixture can be asked to raise, one per way a worker can fail. */
export const FAULT_MODES = ['throw', 'uncaught', 'rejection'] as const;
/** One of {@link FAULT_MODES}. */
export type FaultMode = (typeof FAULT_MODES)[number];

/**
 * Handles `fixture.<name>.ping` (answers `fixture.<name>.pong` with the ping's `seq`) and
 * `fixture.<name>.fault` (`{mode}`): `throw` fails `run`, `uncaught` throws from a timer,
 * `rejection` leaves a rejected promise unhandled.
 */
export function handleFixtureEvent(ctx: WorkerContext, event: Envelope, fail: (err: Error) => void): void {
  const kind = event.topic.split('.').at(-1);
  if (kind === 'ping') {
    ctx.handled();
    void ctx.bus
      .publish(`fixture.${ctx.name}.pong`, { seq: event.payload.seq ?? null, instance: ctx.instanceId })
      .catch((err: unknown) => ctx.log.warn('pong publish failed', { err: (err as Error).message }));
    return;
  }
  if (kind !== 'fault') return;
  const mode = event.payload.mode;
  if (mode === 'throw') fail(new Error('fixture fault: throw'));
  else if (mode === 'uncaught') {
    setTimeout(() => {
      throw new Error('fixture fault: uncaught');
    }, 1);
  } else if (mode === 'rejection') {
    void Promise.reject(new Error('fixture fault: rejection'));
  } else ctx.log.warn('unknown fixture fault mode ignored', { mode: String(mode).slice(0, 32) });
}
