import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARCHETYPES } from './catalog/archetypes.js';
import { DECKY_SERVICE_SLUGS } from './catalog/services.js';
import { DISTROS } from './catalog/distros.js';
import { composeProblems } from './compose-validate.js';
import { composeToYaml } from './compose.js';
import { TopologyInputError } from './errors.js';
import { buildFleet, renderFleetCompose } from './fleet.js';
import { readFleetIni } from './fleet-ini.js';
import { generateTopology } from './generator.js';
import { canonicalHash } from './hash.js';
import { parseIni } from './ini.js';
import { parseCidr, parseIpv4 } from './net.js';
import { hydrateGenerated } from './persist.js';
import { renderTopologyCompose } from './topology-compose.js';
import { validateTopology } from './validate.js';

const ID = '0123abcd-0000-4000-8000-000000000000';

const topologyConfig = fc
  .record({
    depth: fc.integer({ min: 1, max: 3 }),
    branching_factor: fc.integer({ min: 1, max: 3 }),
    lo: fc.integer({ min: 0, max: 4 }),
    span: fc.integer({ min: 0, max: 3 }),
    bridge_forward_probability: fc.double({ min: 0, max: 1, noNaN: true }),
    cross_edge_probability: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.integer({ min: 0, max: 2 ** 40 }),
    explicit: fc.option(fc.uniqueArray(fc.constantFrom(...DECKY_SERVICE_SLUGS), { minLength: 1, maxLength: 4 }), { nil: null }),
  })
  .map((r) => ({
    name: 'prop',
    depth: r.depth,
    branching_factor: r.branching_factor,
    deckies_per_lan_min: r.lo,
    deckies_per_lan_max: Math.max(1, r.lo + r.span),
    bridge_forward_probability: r.bridge_forward_probability,
    cross_edge_probability: r.cross_edge_probability,
    seed: r.seed,
    services_explicit: r.explicit,
  }));

describe('every generated topology validates and renders a schema-valid compose file', () => {
  it('holds for random configs', () => {
    fc.assert(
      fc.property(topologyConfig, (config) => {
        const gen = generateTopology(config);
        const h = hydrateGenerated(gen, ID);
        expect(validateTopology(h)).toEqual([]);
        const { doc } = renderTopologyCompose(h);
        expect(composeProblems(doc)).toEqual([]);
        // Exactly one DMZ, every decky attached, each decky's home LAN listed first.
        expect(gen.lans.filter((l) => l.is_dmz)).toHaveLength(1);
        for (const d of gen.deckies) expect(Object.keys(d.ips_by_lan)[0]).toBe(d.home_lan);
      }),
      { numRuns: 60 },
    );
  });
  it('is a function of its seed: equal configs give equal YAML and hash', () => {
    fc.assert(
      fc.property(topologyConfig, (config) => {
        const a = hydrateGenerated(generateTopology(config), ID);
        const b = hydrateGenerated(generateTopology({ ...config }), ID);
        expect(composeToYaml(renderTopologyCompose(b).doc)).toBe(composeToYaml(renderTopologyCompose(a).doc));
        expect(canonicalHash(b)).toBe(canonicalHash(a));
      }),
      { numRuns: 25 },
    );
  });
});

describe('every fleet renders a schema-valid, reproducible compose file', () => {
  const fleetOptions = fc.record({
    seed: fc.integer({ min: 0, max: 2 ** 40 }),
    deckies: fc.integer({ min: 1, max: 40 }),
    source: fc.oneof(
      fc.record({ services: fc.uniqueArray(fc.constantFrom(...DECKY_SERVICE_SLUGS), { minLength: 1, maxLength: 5 }) }),
      fc.record({ archetype: fc.constantFrom(...ARCHETYPES.map((a) => a.slug)) }),
      fc.constant({ randomizeServices: true }),
    ),
    distros: fc.option(fc.uniqueArray(fc.constantFrom(...DISTROS.map((d) => d.slug)), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    randomizeDistros: fc.boolean(),
    ipvlan: fc.boolean(),
    logTarget: fc.option(fc.constant('10.0.0.9:6514'), { nil: undefined }),
  });
  it('holds for random flag combinations', () => {
    fc.assert(
      fc.property(fleetOptions, (o) => {
        const opts = {
          seed: o.seed,
          interface: 'eth0',
          subnet: '10.20.0.0/24',
          deckies: o.deckies,
          ...o.source,
          ...(o.distros ? { distros: o.distros } : {}),
          randomizeDistros: o.randomizeDistros,
          ipvlan: o.ipvlan,
          ...(o.logTarget ? { logTarget: o.logTarget } : {}),
        };
        const doc = renderFleetCompose(buildFleet(opts));
        expect(composeProblems(doc)).toEqual([]);
        expect(composeToYaml(renderFleetCompose(buildFleet(opts)))).toBe(composeToYaml(doc));
      }),
      { numRuns: 60 },
    );
  });
});

describe('parsers of operator input never throw on garbage', () => {
  it('parseIni returns a typed result for any text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => void parseIni(s)));
    fc.assert(fc.property(fc.array(fc.constantFrom('[a]', '[a.ssh]', 'x=1', ' cont', '#c', '', '[', 'k:v', '=', '\u0000')).map((l) => l.join('\n')), (s) => void parseIni(s)));
  });
  it('readFleetIni fails only with TopologyInputError', () => {
    const lines = fc.array(fc.constantFrom('[a]', '[b.ssh]', '[general]', '[custom-z]', 'services = ssh', 'amount = 3', 'ip = 1.2.3.4', 'net = x', 'binary = i', 'password = p', 'nmap_os = bsd', 'junk', ''), { maxLength: 12 });
    fc.assert(
      fc.property(lines, (l) => {
        try {
          readFleetIni(l.join('\n'));
        } catch (e) {
          expect(e).toBeInstanceOf(TopologyInputError);
        }
      }),
    );
  });
  it('parseIpv4 and parseCidr accept any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        parseIpv4(s);
        parseCidr(s);
      }),
    );
  });
});

describe('the canonical hash ignores key order', () => {
  it('hashes an object and its key-reversed copy alike', () => {
    const reverse = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverse) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalHash(reverse(v))).toBe(canonicalHash(v));
      }),
    );
  });
});
