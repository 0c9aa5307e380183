import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { composeProblems } from './compose-validate.js';
import { composeToYaml } from './compose.js';
import { canonicalHash } from './hash.js';
import type { HydratedTopology } from './model.js';
import { hydrateGenerated } from './persist.js';
import { mediumTopology, tinyTopology } from './testing.js';
import { lanNetworkName, renderTopologyCompose, topologyComposeFileName, topologyProject } from './topology-compose.js';

const ID = 'abcdef12-3456-4789-8abc-def012345678';
const tiny = (): HydratedTopology => hydrateGenerated(tinyTopology(), ID);

describe('topology compose reproduces the upstream layout', () => {
  const { doc } = renderTopologyCompose(tiny());
  it('declares one external network per LAN, named with the topology prefix', () => {
    expect(doc.networks).toEqual({
      'decnet_t_abcdef12_lan-00': { external: true, name: 'decnet_t_abcdef12_lan-00' },
      'decnet_t_abcdef12_lan-01': { external: true, name: 'decnet_t_abcdef12_lan-01' },
    });
  });
  it('puts each base on its ips_by_lan networks with the prefixed container name and its own hostname', () => {
    const h = tiny();
    for (const d of h.deckies) {
      const base = doc.services[d.name]!;
      expect(base.container_name).toBe(`decnet_t_abcdef12_${d.name}`);
      expect(base.hostname).toBe(d.name);
      expect(base.image).toBe('debian:bookworm-slim');
      expect(base.sysctls?.['net.ipv4.ip_default_ttl']).toBeUndefined();
      const expected = Object.fromEntries(Object.entries(d.decky_config.ips_by_lan).map(([lan, ip]) => [lanNetworkName(ID, lan), { ipv4_address: ip }]));
      expect(base.networks).toEqual(expected);
    }
  });
  it('gives a forwarding base ip_forward=1 and NET_ADMIN, and a plain base neither sysctls nor ports', () => {
    expect(doc.services['decky-002']).toMatchObject({ sysctls: { 'net.ipv4.ip_forward': 1 }, cap_add: ['NET_ADMIN'], ports: ['22:22'] });
    expect(doc.services['decky-001']!.sysctls).toBeUndefined();
    expect(doc.services['decky-001']!.ports).toBeUndefined();
  });
  it('labels bases with role=base and no service marker, services with the service marker', () => {
    expect(doc.services['decky-001']!.labels).toEqual({ 'decnet.topology.id': ID, 'decnet.topology.decky': 'decky-001', 'decnet.topology.role': 'base' });
    expect(doc.services['decky-001-ssh']!.labels).toEqual({
      'decnet.topology.service': 'true',
      'decnet.topology.id': ID,
      'decnet.topology.decky': 'decky-001',
      'decnet.topology.service_name': 'ssh',
    });
  });
  it('prefixes service container names too, so two topologies never collide', () => {
    expect(doc.services['decky-001-ssh']!.container_name).toBe('decnet_t_abcdef12_decky-001-ssh');
    const other = renderTopologyCompose(hydrateGenerated(tinyTopology(), '99999999-0000-4000-8000-000000000000')).doc;
    const names = (d: typeof doc) => Object.values(d.services).map((s) => s.container_name);
    expect(names(doc).filter((n) => names(other).includes(n))).toEqual([]);
  });
  it('uses the project decnet-topo-<id8> and the file name decnet-topology-<id8>-compose.yml', () => {
    expect(doc).not.toHaveProperty('name');
    expect(doc['x-decnet']).toMatchObject({ kind: 'topology', project: 'decnet-topo-abcdef12' });
    expect(topologyProject(ID)).toBe('decnet-topo-abcdef12');
    expect(topologyComposeFileName(ID)).toBe('decnet-topology-abcdef12-compose.yml');
  });
  it('sends the ssh password to SSH_ROOT_PASSWORD, admin by default', () => {
    expect(doc.services['decky-001-ssh']!.environment).toMatchObject({ SSH_ROOT_PASSWORD: 'admin', NODE_NAME: 'decky-001', HOSTNAME: 'decky-001' });
    const h = tiny();
    h.deckies[0]!.decky_config.service_config = { ssh: { password: 'p4ss', nested: { keep: true } } };
    expect(renderTopologyCompose(h).doc.services['decky-001-ssh']!.environment!['SSH_ROOT_PASSWORD']).toBe('p4ss');
  });
  it('keeps unknown nested config keys in the decky config and renders around them', () => {
    const h = tiny();
    h.deckies[0]!.decky_config.service_config = { ssh: { future_knob: { a: [1, 2] } } };
    const r = renderTopologyCompose(h);
    expect(h.deckies[0]!.decky_config.service_config['ssh']).toEqual({ future_knob: { a: [1, 2] } });
    expect(composeProblems(r.doc)).toEqual([]);
  });
  it('round-trips through YAML without anchors and records the topology hash', () => {
    const yaml = composeToYaml(doc);
    expect(parse(yaml)).toEqual(JSON.parse(JSON.stringify(doc)));
    expect(yaml).not.toMatch(/[&*]id\d/);
    expect(doc['x-decnet']!['topology_hash']).toBe(canonicalHash(tiny()));
    expect(composeProblems(doc)).toEqual([]);
  });
});

describe('no two deckies claim one host port', () => {
  it('publishes a port from the first DMZ-attached forwarder only and reports the rest', () => {
    const gen = mediumTopology('ports', 11, { services_explicit: ['ssh'], depth: 1, branching_factor: 4 });
    const h = hydrateGenerated(gen, ID);
    const { doc, portConflicts } = renderTopologyCompose(h);
    const publishers = Object.entries(doc.services).filter(([, s]) => s.ports?.includes('22:22'));
    expect(publishers).toHaveLength(1);
    const forwarders = h.deckies.filter((d) => d.decky_config.forwards_l3);
    expect(forwarders.length).toBeGreaterThan(1);
    expect(portConflicts.map((c) => c.decky)).toEqual(forwarders.map((d) => d.name).sort().slice(1));
    expect(composeProblems(doc)).toEqual([]);
  });
  it('publishes nothing from forwarders that are not attached to the DMZ', () => {
    const h = hydrateGenerated(mediumTopology('deep', 4, { depth: 3, branching_factor: 1, services_explicit: ['http'] }), ID);
    const dmz = h.lans.find((l) => l.is_dmz)!;
    const onDmz = new Set(h.edges.filter((e) => e.lan_id === dmz.id).map((e) => e.decky_uuid));
    for (const d of h.deckies) {
      const ports = renderTopologyCompose(h).doc.services[d.name]!.ports;
      if (!onDmz.has(d.uuid)) expect(ports).toBeUndefined();
    }
  });
  it('adds UDP ports for dns and for https with http/3', () => {
    const h = tiny();
    const bridge = h.deckies.find((d) => d.name === 'decky-002')!;
    bridge.services = ['dns', 'https'];
    bridge.decky_config.service_config = { https: { http_versions: ['http/1.1', 'http/3'] } };
    expect(renderTopologyCompose(h).doc.services['decky-002']!.ports).toEqual(['53:53', '53:53/udp', '443:443', '443:443/udp']);
  });
});
