// Control messages: `system.<name>.control` carries stop/start/restart for one worker.
// Every instance receives them (broadcast); stale and unknown commands are ignored.
import type { Bus, Subscription } from './bus.js';
import { EVENTS } from './events/catalogue.js';
import { subscribeEvent } from './events/subscribe.js';
import type { ControlPayload } from './events/system-events.js';
import type { Logger } from './logger.js';

export type { ControlPayload } from './events/system-events.js';

/** Actions a control message may carry. */
export const CONTROL_ACTIONS = ['stop', 'start', 'restart'] as const;
/** One of {@link CONTROL_ACTIONS}. */
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** Builds a control payload. */
export function controlMessage(action: ControlAction, requestedBy: string, instance?: string): ControlPayload {
  return { action, requestedBy, ts: Date.now() / 1000, ...(instance ? { instance } : {}) };
}

/**
 * Subscribes to `system.<worker>.control` and calls `onAction` for valid commands addressed to
 * this instance and issued after `notBeforeTs` (so a replayed stop cannot stop a fresh start).
 * Malformed payloads and unknown actions are ignored with a warning.
 */
export function listenForControl(
  bus: Bus,
  worker: string,
  instance: string,
  notBeforeTs: number,
  log: Logger,
  onAction: (action: ControlAction, payload: ControlPayload) => void | Promise<void>,
): Subscription {
  return subscribeEvent(
    bus,
    EVENTS.control,
    async (event) => {
      const payload = event.payload;
      if (!(CONTROL_ACTIONS as readonly string[]).includes(payload.action)) {
        log.warn('unknown control action ignored', { worker, action: payload.action.slice(0, 64) });
        return;
      }
      if (payload.instance !== undefined && payload.instance !== instance) return;
      if ((payload.ts ?? event.ts) < notBeforeTs) {
        log.info('stale control message ignored', { worker, action: payload.action });
        return;
      }
      await onAction(payload.action as ControlAction, payload);
    },
    {
      log,
      pattern: EVENTS.control.subject(worker),
      broadcast: true,
      // Counted by subscribeEvent; every malformed command is worth a line.
      onMalformed: () => log.warn('malformed control message ignored', { worker }),
    },
  );
}
