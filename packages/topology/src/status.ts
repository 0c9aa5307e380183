// The topology status machine: which status may follow which. Self-loops and unknown statuses
// are illegal; torn_down is terminal.
import { TopologyStatusError } from './errors.js';
import { TOPOLOGY_STATUSES, type TopologyStatus } from './model.js';

/** Legal next statuses of each status. */
export const TOPOLOGY_TRANSITIONS: Readonly<Record<TopologyStatus, readonly TopologyStatus[]>> = {
  pending: ['deploying', 'torn_down'],
  deploying: ['active', 'failed', 'degraded', 'tearing_down'],
  active: ['degraded', 'tearing_down'],
  degraded: ['active', 'tearing_down'],
  failed: ['tearing_down'],
  tearing_down: ['torn_down', 'degraded'],
  torn_down: [],
};

/** Statuses whose topology holds its subnets (everything but torn_down). */
export const SUBNET_HOLDING_STATUSES: readonly TopologyStatus[] = TOPOLOGY_STATUSES.filter((s) => s !== 'torn_down');

/** Statuses of a running topology (the mutation queue acts on these). */
export const LIVE_STATUSES: readonly TopologyStatus[] = ['active', 'degraded'];

/** Statuses during which `topology delete` is refused: containers may exist. */
export const UNDELETABLE_STATUSES: readonly TopologyStatus[] = ['deploying', 'active', 'degraded', 'tearing_down'];

/** True when `s` is a known topology status. */
export function isTopologyStatus(s: string): s is TopologyStatus {
  return (TOPOLOGY_STATUSES as readonly string[]).includes(s);
}

/** True when `from -> to` is in the transition table. */
export function isLegalTransition(from: string, to: string): boolean {
  return isTopologyStatus(from) && isTopologyStatus(to) && TOPOLOGY_TRANSITIONS[from].includes(to);
}

/** Throws TopologyStatusError unless `from -> to` is legal. */
export function assertTransition(from: string, to: string): asserts to is TopologyStatus {
  if (!isLegalTransition(from, to)) throw new TopologyStatusError(from, to);
}
