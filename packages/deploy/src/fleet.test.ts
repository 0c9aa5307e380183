// `decnet deploy`'s decisions without the CLI: the network comes from the request, then the INI
// file, then this host's routes (a dry run may fall back), and the rendered file is valid compose.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { TopologyInputError, composeProblems, readFleetIni } from '@decnet/topology';
import { FleetInputError } from './errors.js';
import { FALLBACK_SUBNET, parseRoutes } from './host-network.js';
import { readFleetIniFile, renderFleet, type FleetRequest, type HostNetwork } from './fleet.js';

// ens3 is the default route on 192.168.1.0/24 (gateway .1); this host is 192.168.1.50 there.
const ROUTES = [
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
  'ens3\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0',
  'ens3\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
].join('\n');
const HOST: HostNetwork = { routes: parseRoutes(ROUTES), addressOf: (iface) => (iface === 'ens3' ? '192.168.1.50' : null) };
const NO_ROUTES: HostNetwork = { routes: [], addressOf: () => null };

const base: FleetRequest = { seed: 7, deckies: 3, services: ['ssh'], randomizeServices: false, randomizeDistros: false, ipvlan: false, dryRun: false, env: {} };

describe('renderFleet resolves the network', () => {
  it('takes the default-route interface, its LAN and gateway, and keeps the host address out of the fleet', () => {
    const fleet = renderFleet(base, HOST);
    expect(fleet.interface).toBe('ens3');
    expect(fleet.plan).toMatchObject({ subnet: '192.168.1.0/24', gateway: '192.168.1.1', hostIp: '192.168.1.50' });
    expect(fleet.plan.deckies.map((d) => d.ip)).not.toContain('192.168.1.50');
    expect(fleet.containers).toBe(6);
    expect(fleet.notes).toEqual([]);
    expect(composeProblems(parse(fleet.yaml))).toEqual([]);
  });

  it('prefers the request, then the INI [general] section, over the routes', () => {
    const ini = readFleetIni('[general]\nnet = 10.44.0.0/24\ninterface = br0\n[web]\nservices = http\n', 'fleet.ini');
    const fromIni = renderFleet({ ...base, deckies: undefined, services: undefined, ini }, HOST);
    expect(fromIni.interface).toBe('br0');
    expect(fromIni.plan.subnet).toBe('10.44.0.0/24');
    const fromRequest = renderFleet({ ...base, deckies: undefined, services: undefined, ini, interface: 'eth7', subnet: '10.45.0.0/24' }, HOST);
    expect(fromRequest.interface).toBe('eth7');
    expect(fromRequest.plan.subnet).toBe('10.45.0.0/24');
  });

  it('falls back to a documented subnet on a dry run only, saying so', () => {
    const dry = renderFleet({ ...base, dryRun: true }, NO_ROUTES);
    expect(dry.interface).toBe('eth0');
    expect(dry.plan.subnet).toBe(FALLBACK_SUBNET);
    expect(dry.notes).toEqual([`cannot read the LAN of eth0; using ${FALLBACK_SUBNET} (pass --subnet)`]);
    expect(() => renderFleet(base, NO_ROUTES)).toThrow(new FleetInputError('cannot read the LAN of interface eth0; pass --subnet CIDR'));
  });

  it('gives the same file for the same seed', () => {
    expect(renderFleet({ ...base, randomizeServices: true, services: undefined }, HOST).yaml).toBe(
      renderFleet({ ...base, randomizeServices: true, services: undefined }, HOST).yaml,
    );
  });

  it('reports bad input as TopologyInputError', () => {
    expect(() => renderFleet({ ...base, services: ['gopher'] }, HOST)).toThrow(TopologyInputError);
  });
});

describe('readFleetIniFile', () => {
  it('names the file and the reason when it cannot be read, and parses a readable one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'decnet-fleet-ini-'));
    expect(() => readFleetIniFile(join(dir, 'missing.ini'))).toThrow(`cannot read ${join(dir, 'missing.ini')}: ENOENT`);
    writeFileSync(join(dir, 'ok.ini'), '[a]\nservices = ssh\n');
    expect(readFleetIniFile(join(dir, 'ok.ini')).deckies.map((d) => d.name)).toEqual(['a']);
    writeFileSync(join(dir, 'bad.ini'), '[a]\nnot ini\n');
    expect(() => readFleetIniFile(join(dir, 'bad.ini'))).toThrow(TopologyInputError);
  });
});
