/**
 * FIXTURE worker, not a product worker: the smallest possible bus-connected worker. It exists
 * so the runtime's import floor can be measured before real workers land, and so hosting
 * (restart loops, fault isolation, control) can be tested end to end.
 *
 * ```ts
 * import { worker } from '@decnet/worker-fixture';
 * // decnet run fixture   |   publish fixture.fixture.ping {seq: 1} -> fixture.fixture.pong
 * ```
 * @module
 */
import type { WorkerSpec } from '@decnet/core';
import { runFixture } from './worker.js';

/** The fixture worker: answers pings, raises faults on request. */
export const worker: WorkerSpec = {
  name: 'fixture',
  needs: ['bus'],
  description: 'FIXTURE: smallest bus worker, for footprint and hosting tests',
  run: runFixture,
};

export type { FaultMode } from './probe.js';
export { FAULT_MODES, answerPing, raiseFault } from './probe.js';
