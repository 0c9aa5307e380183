import { describe, expect, it } from 'vitest';
import { TopologyStatusError } from './errors.js';
import { TOPOLOGY_STATUSES } from './model.js';
import { TOPOLOGY_TRANSITIONS, assertTransition, isLegalTransition } from './status.js';

const LEGAL: [string, string][] = [
  ['pending', 'deploying'],
  ['pending', 'torn_down'],
  ['deploying', 'active'],
  ['deploying', 'failed'],
  ['deploying', 'degraded'],
  ['deploying', 'tearing_down'],
  ['active', 'degraded'],
  ['active', 'tearing_down'],
  ['degraded', 'active'],
  ['degraded', 'tearing_down'],
  ['failed', 'tearing_down'],
  ['tearing_down', 'torn_down'],
  ['tearing_down', 'degraded'],
];

describe('the topology status machine allows exactly the table', () => {
  it.each(LEGAL)('allows %s -> %s', (from, to) => {
    expect(isLegalTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });
  it('refuses every other pair, self-loops included', () => {
    const legal = new Set(LEGAL.map(([a, b]) => `${a}>${b}`));
    let refused = 0;
    for (const from of TOPOLOGY_STATUSES) {
      for (const to of TOPOLOGY_STATUSES) {
        if (legal.has(`${from}>${to}`)) continue;
        expect(() => assertTransition(from, to)).toThrow(TopologyStatusError);
        refused++;
      }
    }
    expect(refused).toBe(49 - LEGAL.length);
  });
  it('treats torn_down as terminal and unknown statuses as illegal', () => {
    expect(TOPOLOGY_TRANSITIONS.torn_down).toEqual([]);
    expect(() => assertTransition('pending', 'exploded')).toThrow(TopologyStatusError);
    expect(() => assertTransition('limbo', 'active')).toThrow(/limbo -> active/);
  });
});
