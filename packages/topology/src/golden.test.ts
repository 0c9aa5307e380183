// Golden files: the exact compose text per archetype (and two topologies). Run with
// UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ARCHETYPES } from './catalog/archetypes.js';
import { composeProblems } from './compose-validate.js';
import { composeToYaml } from './compose.js';
import { buildFleet, renderFleetCompose } from './fleet.js';
import { hydrateGenerated } from './persist.js';
import { mediumTopology, tinyTopology } from './testing.js';
import { renderTopologyCompose } from './topology-compose.js';

const DIR = new URL('./__golden__/', import.meta.url);
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

function matchGolden(file: string, text: string): void {
  const url = new URL(file, DIR);
  if (UPDATE || !existsSync(url)) {
    if (!UPDATE) throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN=1`);
    mkdirSync(DIR, { recursive: true });
    writeFileSync(url, text);
  }
  expect(text).toBe(readFileSync(url, 'utf8'));
}

describe('fleet compose per archetype matches its golden file', () => {
  it.each(ARCHETYPES.map((a) => a.slug))('renders %s as recorded', (archetype) => {
    const doc = renderFleetCompose(buildFleet({ seed: 1, interface: 'eth0', subnet: '10.10.0.0/24', deckies: 2, archetype, logTarget: '10.10.0.250:6514' }));
    expect(composeProblems(doc)).toEqual([]);
    matchGolden(`fleet-${archetype}.yml`, composeToYaml(doc));
  });
});

describe('topology compose matches its golden files', () => {
  it('renders the tiny reference topology as recorded', () => {
    const { doc } = renderTopologyCompose(hydrateGenerated(tinyTopology(), 'abcdef12-3456-4789-8abc-def012345678'));
    matchGolden('topology-tiny.yml', composeToYaml(doc));
  });
  it('renders a medium topology with cross edges as recorded', () => {
    const { doc } = renderTopologyCompose(hydrateGenerated(mediumTopology('golden', 2026, { cross_edge_probability: 0.5 }), 'fedcba98-3456-4789-8abc-def012345678'));
    matchGolden('topology-medium.yml', composeToYaml(doc));
  });
});
