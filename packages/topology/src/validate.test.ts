import { describe, expect, it } from 'vitest';
import type { HydratedTopology } from './model.js';
import { hydrateGenerated } from './persist.js';
import { mediumTopology, tinyTopology } from './testing.js';
import { DEFAULT_RULES, type ValidationCode, validateTopology } from './validate.js';

const ID = 'abcdef12-0000-4000-8000-000000000000';
const tiny = (): HydratedTopology => hydrateGenerated(tinyTopology(), ID);
const codes = (h: HydratedTopology, rules = DEFAULT_RULES) => validateTopology(h, rules).map((i) => i.code);
const decky = (h: HydratedTopology, name: string) => h.deckies.find((d) => d.name === name)!;

describe('a generated topology is valid', () => {
  it('reports no issue for the tiny and medium fixtures', () => {
    expect(validateTopology(tiny())).toEqual([]);
    expect(validateTopology(hydrateGenerated(mediumTopology('m', 3, { cross_edge_probability: 0.7 }), ID))).toEqual([]);
  });
});

describe('every validation code fires on its fixture', () => {
  const cases: [ValidationCode, (h: HydratedTopology) => void][] = [
    ['DMZ_MISSING', (h) => (h.lans[0]!.is_dmz = false)],
    ['DMZ_MULTIPLE', (h) => (h.lans[1]!.is_dmz = true)],
    ['DMZ_ORPHAN', (h) => (h.edges = h.edges.filter((e) => !(e.decky_uuid === decky(h, 'decky-002').uuid && e.lan_id === h.lans[0]!.id)))],
    ['DECKY_ORPHAN', (h) => (h.edges = h.edges.filter((e) => e.decky_uuid !== decky(h, 'decky-001').uuid))],
    ['LAN_NAME_DUP', (h) => (h.lans[1]!.name = 'LAN-00')],
    ['DECKY_NAME_DUP', (h) => (decky(h, 'decky-002').name = 'decky-001')],
    ['NAME_INVALID', (h) => (decky(h, 'decky-001').name = 'bad name')],
    ['EDGE_DANGLING', (h) => h.edges.push({ ...h.edges[0]!, id: 'e-x', lan_id: 'missing' })],
    ['IP_UNKNOWN_LAN', (h) => (decky(h, 'decky-001').decky_config.ips_by_lan['LAN-77'] = '10.0.0.2')],
    ['IP_OUT_OF_SUBNET', (h) => (decky(h, 'decky-001').decky_config.ips_by_lan['LAN-00'] = '10.0.0.2')],
    ['IP_MALFORMED', (h) => (decky(h, 'decky-001').decky_config.ips_by_lan['LAN-00'] = '172.16.0.300')],
    ['IP_COLLISION', (h) => (decky(h, 'decky-002').decky_config.ips_by_lan['LAN-00'] = '172.16.0.2')],
    ['IP_RESERVED', (h) => (decky(h, 'decky-001').decky_config.ips_by_lan['LAN-00'] = '172.16.0.1')],
    ['IP_MISSING', (h) => delete decky(h, 'decky-002').decky_config.ips_by_lan['LAN-00']],
    ['SUBNET_MALFORMED', (h) => (h.lans[1]!.subnet = '172.16.1.0/99')],
    ['SUBNET_OVERLAP', (h) => (h.lans[1]!.subnet = '172.16.0.0/23')],
    ['UNKNOWN_SERVICE', (h) => decky(h, 'decky-001').services.push('gopher')],
    ['SERVICE_CFG_UNDECLARED', (h) => (decky(h, 'decky-001').decky_config.service_config['http'] = { server_header: 'x' })],
    ['SERVICE_CFG_INVALID', (h) => (decky(h, 'decky-001').decky_config.service_config['ssh'] = { password: { nested: true } })],
  ];
  it.each(cases)('reports %s', (code, breakIt) => {
    const h = tiny();
    breakIt(h);
    const issues = validateTopology(h);
    expect(issues.map((i) => i.code)).toContain(code);
    const issue = issues.find((i) => i.code === code)!;
    expect(issue.severity).toBe('error');
    expect(issue.message.length).toBeGreaterThan(0);
    expect(issue.target.length).toBeGreaterThan(0);
  });
  it('reports a singleton service as UNKNOWN_SERVICE', () => {
    const h = tiny();
    decky(h, 'decky-001').services.push('sniffer');
    expect(validateTopology(h).find((i) => i.code === 'UNKNOWN_SERVICE')!.message).toContain('singleton');
  });
  it('checks GATEWAY_NOT_IN_DMZ only when asked, using the non-bridge edge as home', () => {
    const h = tiny();
    expect(codes(h)).not.toContain('GATEWAY_NOT_IN_DMZ');
    // decky-002 forwards and every edge of it is a bridge edge: home falls back to its first edge (LAN-01).
    expect(codes(h, ['gateway'])).toEqual(['GATEWAY_NOT_IN_DMZ']);
    const ok = tiny();
    // decky-001 lives on the DMZ through a non-bridge edge: a legal gateway.
    decky(ok, 'decky-001').decky_config.forwards_l3 = true;
    expect(validateTopology(ok, ['gateway']).filter((i) => i.target === 'decky-001')).toEqual([]);
  });
  it('runs only the requested rule groups', () => {
    const h = tiny();
    h.lans[0]!.is_dmz = false;
    decky(h, 'decky-001').services.push('gopher');
    expect(codes(h, ['services'])).toEqual(['UNKNOWN_SERVICE']);
  });
  it('never throws on garbage shapes', () => {
    const h = tiny() as unknown as { deckies: { decky_config: unknown }[] };
    h.deckies[0]!.decky_config = { ips_by_lan: { 'LAN-00': 42 }, service_config: { ssh: 'x' } };
    expect(() => validateTopology(h as unknown as HydratedTopology)).not.toThrow();
  });
});
