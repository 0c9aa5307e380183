import { describe, expect, it } from 'vitest';
import { composeProblems } from './compose-validate.js';
import { composeToYaml } from './compose.js';
import { TopologyInputError } from './errors.js';
import { type FleetOptions, buildFleet, renderFleetCompose } from './fleet.js';
import { readFleetIni } from './fleet-ini.js';
import { osSysctls } from './catalog/os-profiles.js';

const BASE: FleetOptions = { seed: 1, interface: 'eth0', subnet: '192.168.1.0/24' };

function fleetError(opts: Partial<FleetOptions>): string {
  try {
    buildFleet({ ...BASE, ...opts });
  } catch (e) {
    expect(e).toBeInstanceOf(TopologyInputError);
    return (e as Error).message;
  }
  throw new Error('expected buildFleet to fail');
}

describe('fleet generation decides every decky from the flags', () => {
  it('names deckies decky-01.. and hands out addresses from the first host, skipping gateway and host IP', () => {
    const plan = buildFleet({ ...BASE, deckies: 3, services: ['ssh'], hostIp: '192.168.1.3' });
    expect(plan.deckies.map((d) => [d.name, d.ip])).toEqual([
      ['decky-01', '192.168.1.2'],
      ['decky-02', '192.168.1.4'],
      ['decky-03', '192.168.1.5'],
    ]);
    expect(plan.gateway).toBe('192.168.1.1');
  });
  it('starts at --ip-start and skips an explicit gateway', () => {
    const plan = buildFleet({ ...BASE, deckies: 2, services: ['ssh'], ipStart: '192.168.1.100', gateway: '192.168.1.101' });
    expect(plan.deckies.map((d) => d.ip)).toEqual(['192.168.1.100', '192.168.1.102']);
  });
  it('cycles --distro lists, else archetype preferences, else the whole catalog', () => {
    expect(buildFleet({ ...BASE, deckies: 3, services: ['ssh'], distros: ['alpine', 'kali'] }).deckies.map((d) => d.distro)).toEqual(['alpine', 'kali', 'alpine']);
    expect(buildFleet({ ...BASE, deckies: 5, archetype: 'linux-server' }).deckies.map((d) => d.distro)).toEqual(['debian', 'ubuntu22', 'rocky9', 'fedora', 'debian']);
    expect(buildFleet({ ...BASE, deckies: 3, services: ['ssh'] }).deckies.map((d) => d.distro)).toEqual(['debian', 'ubuntu22', 'ubuntu20']);
  });
  it('draws random distros from the catalog with --randomize-distros', () => {
    const plan = buildFleet({ ...BASE, deckies: 40, services: ['ssh'], randomizeDistros: true });
    expect(new Set(plan.deckies.map((d) => d.distro)).size).toBeGreaterThan(3);
  });
  it('takes services from --services, else the archetype, else a random 1-3 draw', () => {
    expect(buildFleet({ ...BASE, deckies: 1, services: ['ssh', 'http'] }).deckies[0]!.services).toEqual(['http', 'ssh']);
    expect(buildFleet({ ...BASE, deckies: 1, archetype: 'mail-server' }).deckies[0]!.services).toEqual(['imap', 'pop3', 'smtp']);
    for (const d of buildFleet({ ...BASE, deckies: 30, randomizeServices: true }).deckies) {
      expect(d.services.length).toBeGreaterThanOrEqual(1);
      expect(d.services.length).toBeLessThanOrEqual(3);
      expect(d.services).not.toContain('sniffer');
    }
  });
  it('avoids repeating a random service combination while fresh ones remain', () => {
    const combos = buildFleet({ ...BASE, deckies: 30, randomizeServices: true }).deckies.map((d) => d.services.join(','));
    expect(new Set(combos).size).toBe(30);
  });
  it('takes nmap_os from the archetype, else linux, and gives unique hostnames', () => {
    expect(buildFleet({ ...BASE, deckies: 1, archetype: 'printer' }).deckies[0]!.nmapOs).toBe('embedded');
    expect(buildFleet({ ...BASE, deckies: 1, services: ['ssh'] }).deckies[0]!.nmapOs).toBe('linux');
    const names = buildFleet({ ...BASE, deckies: 250, services: ['ssh'] }).deckies.map((d) => d.hostname);
    expect(new Set(names).size).toBe(250);
  });
  it('is reproducible: the same seed gives the same plan, another seed a different one', () => {
    const a = buildFleet({ ...BASE, deckies: 10, randomizeServices: true, randomizeDistros: true });
    const b = buildFleet({ ...BASE, deckies: 10, randomizeServices: true, randomizeDistros: true });
    const c = buildFleet({ ...BASE, seed: 2, deckies: 10, randomizeServices: true, randomizeDistros: true });
    expect(b).toEqual(a);
    expect(c.deckies).not.toEqual(a.deckies);
  });
});

describe('fleet generation rejects bad input with one line naming the problem', () => {
  it.each<[Partial<FleetOptions>, string]>([
    [{ deckies: 1, services: ['sshh'] }, 'unknown service "sshh"'],
    [{ deckies: 1, services: ['sniffer'] }, 'fleet singleton'],
    [{ deckies: 1, services: ['ssh', 'ssh'] }, 'listed twice'],
    [{ deckies: 1, archetype: 'mainframe' }, 'unknown archetype "mainframe"'],
    [{ deckies: 1, services: ['ssh'], distros: ['gentoo'] }, 'unknown distro "gentoo"'],
    [{ deckies: 1, services: ['ssh'], subnet: '192.168.1.0/33' }, 'invalid subnet'],
    [{ deckies: 1, services: ['ssh'], subnet: '192.168.1.1/24' }, 'host bits set'],
    [{ deckies: 300, services: ['ssh'] }, 'has only 253 free addresses'],
    [{ deckies: 1 }, 'one of --services, --archetype or --randomize-services'],
    [{ deckies: 0, services: ['ssh'] }, 'positive integer'],
    [{ services: ['ssh'] }, '--deckies N is required'],
    [{ deckies: 1, services: ['ssh'], ipStart: '10.0.0.1' }, 'outside subnet'],
    [{ deckies: 1, services: ['ssh'], gateway: 'gw' }, 'invalid IPv4 address'],
    [{ deckies: 1, services: ['ssh'], logTarget: 'nowhere' }, 'host:port'],
    [{ deckies: 5000, services: ['ssh'], subnet: '10.0.0.0/16' }, 'at most 4096'],
  ])('rejects %j', (opts, reason) => {
    const msg = fleetError(opts);
    expect(msg).toContain(reason);
    expect(msg).not.toContain('\n');
  });
});

describe('fleet generation from an INI file', () => {
  const ini = (text: string) => readFleetIni(text, 'f.ini');
  it('expands amount into name-01..NN, reserves explicit IPs first and applies service config to each copy', () => {
    const plan = buildFleet({
      ...BASE,
      subnet: undefined,
      ini: ini('[general]\nnet = 10.9.0.0/24\n[a]\nservices = ssh\n[a.ssh]\npassword = pw\n[b]\nip = 10.9.0.2\nservices = http\n[c]\nservices = ssh\namount = 2\n[c.ssh]\nuser = root2\n'),
    });
    expect(plan.subnet).toBe('10.9.0.0/24');
    expect(plan.deckies.map((d) => [d.name, d.ip])).toEqual([
      ['a', '10.9.0.3'],
      ['b', '10.9.0.2'],
      ['c-01', '10.9.0.4'],
      ['c-02', '10.9.0.5'],
    ]);
    expect(plan.deckies[0]!.serviceConfig).toEqual({ ssh: { password: 'pw' } });
    expect(plan.deckies[2]!.serviceConfig).toEqual({ ssh: { user: 'root2' } });
    expect(plan.deckies[3]!.serviceConfig).toEqual({ ssh: { user: 'root2' } });
  });
  it('picks the distro at index (decky count mod pool size) and random services for a bare section', () => {
    const plan = buildFleet({ ...BASE, ini: ini('[a]\n[b]\narchetype = iot-device\n[c]\nservices = ssh\ndistro = kali\n') });
    expect(plan.deckies.map((d) => d.distro)).toEqual(['debian', 'alpine', 'kali']);
    expect(plan.deckies[0]!.services.length).toBeGreaterThanOrEqual(1);
    expect(plan.deckies[1]!.services).toEqual(['mqtt', 'snmp', 'telnet']);
  });
  it.each([
    ['[a]\nservices = ssh, nope\n', 'unknown service "nope"'],
    ['[a]\nip = 192.168.1.9\nservices = ssh\n[b]\nip = 192.168.1.9\nservices = ssh\n', 'given to two deckies'],
    ['[a]\nip = 10.0.0.9\nservices = ssh\n', 'outside subnet'],
    ['[a]\nip = 192.168.1.1\nservices = ssh\n', 'network, broadcast, gateway or host'],
    ['[a]\nservices = ssh\n[a.http]\nserver_header = x\n', 'which this decky does not run'],
    ['[a]\nservices = ssh\n[a.ssh]\nshell = zsh\n', 'unknown key "shell" for service ssh'],
    ['[a]\nservices = http\n[a.http]\nresponse_code = lots\n', 'http.response_code'],
    ['[a]\narchetype = nope\n', 'unknown archetype "nope"'],
    ['[a]\nservices = ssh\ndistro = gentoo\n', 'unknown distro "gentoo"'],
    ['[a]\nservices = ssh\namount = 2\n[a-01]\nservices = ssh\n', 'duplicate decky name "a-01"'],
    ['[custom-ssh]\nbinary = x\n[a]\nservices = ssh\n', 'shadows the built-in service'],
  ])('rejects %j', (text, reason) => {
    expect(() => buildFleet({ ...BASE, ini: ini(text) })).toThrow(reason);
  });
});

describe('the fleet compose file has one base per decky and one container per service', () => {
  const plan = buildFleet({ ...BASE, deckies: 2, services: ['ssh', 'http'], distros: ['rocky9', 'ubuntu22'], logTarget: '192.168.1.250:6514' });
  const doc = renderFleetCompose(plan);
  it('runs the base on the distro image with hostname, sysctls, NET_ADMIN and the decky IP', () => {
    const base = doc.services['decky-01']!;
    expect(base.image).toBe('rockylinux:9-minimal');
    expect(base.hostname).toBe(plan.deckies[0]!.hostname);
    expect(base.networks).toEqual({ decnet_lan: { ipv4_address: '192.168.1.2' } });
    expect(base.sysctls).toEqual(osSysctls('linux'));
    expect(base.cap_add).toEqual(['NET_ADMIN']);
    expect(base.labels).toEqual({ 'decnet.fleet.decky': 'decky-01', 'decnet.fleet.role': 'base' });
  });
  it('builds services on the distro build base inside the base network namespace, with no sysctls', () => {
    const ssh = doc.services['decky-01-ssh']!;
    expect(ssh.build).toEqual({ context: '/opt/decnet/templates/ssh', args: { BASE_IMAGE: 'debian:bookworm-slim' } });
    expect(doc.services['decky-02-ssh']!.build!.args!['BASE_IMAGE']).toBe('ubuntu:22.04');
    expect(ssh.network_mode).toBe('service:decky-01');
    expect(ssh.depends_on).toEqual(['decky-01']);
    expect(ssh.sysctls).toBeUndefined();
    expect(ssh.networks).toBeUndefined();
    expect(ssh.hostname).toBeUndefined();
    expect(ssh.logging).toEqual({ driver: 'json-file', options: { 'max-size': '10m', 'max-file': '5' } });
    expect(ssh.labels).toEqual({ 'decnet.fleet.service': 'true', 'decnet.fleet.decky': 'decky-01', 'decnet.fleet.service_name': 'ssh' });
  });
  it('sets NODE_NAME, HOSTNAME and the LOG_TARGET upstream forgot', () => {
    expect(doc.services['decky-01-http']!.environment).toEqual({ NODE_NAME: 'decky-01', HOSTNAME: plan.deckies[0]!.hostname, LOG_TARGET: '192.168.1.250:6514' });
  });
  it('omits LOG_TARGET when no log target is given', () => {
    const d = renderFleetCompose(buildFleet({ ...BASE, deckies: 1, services: ['ftp'] }));
    expect(d.services['decky-01-ftp']!.environment).not.toHaveProperty('LOG_TARGET');
  });
  it('declares the macvlan network with parent, subnet, gateway and the covering ip_range', () => {
    expect(doc.networks).toEqual({
      decnet_lan: {
        name: 'decnet_lan',
        driver: 'macvlan',
        driver_opts: { parent: 'eth0' },
        ipam: { config: [{ subnet: '192.168.1.0/24', gateway: '192.168.1.1', ip_range: '192.168.1.2/31' }] },
      },
    });
    // No top-level `name:` (the schema rejects it): the project is recorded for people and passed as -p.
    expect(doc).not.toHaveProperty('name');
    expect(doc['x-decnet']).toMatchObject({ kind: 'fleet', project: 'decnet' });
  });
  it('declares an ipvlan L2 network with --ipvlan', () => {
    const d = renderFleetCompose(buildFleet({ ...BASE, deckies: 1, services: ['ftp'], ipvlan: true }));
    expect(d.networks['decnet_lan']).toMatchObject({ driver: 'ipvlan', driver_opts: { parent: 'eth0', ipvlan_mode: 'l2' } });
  });
  it('keeps one decky\'s service config away from other deckies and services', () => {
    const p = buildFleet({ ...BASE, ini: readFleetIni('[a]\nservices = ssh, telnet\n[a.ssh]\npassword = only-a\n[b]\nservices = ssh\n') });
    const d = renderFleetCompose(p);
    expect(d.services['a-ssh']!.environment!['SSH_ROOT_PASSWORD']).toBe('only-a');
    expect(d.services['a-telnet']!.environment!['TELNET_ROOT_PASSWORD']).toBe('admin');
    expect(d.services['b-ssh']!.environment!['SSH_ROOT_PASSWORD']).toBe('admin');
  });
  it('runs custom services from their image with their command', () => {
    const p = buildFleet({ ...BASE, ini: readFleetIni('[custom-app]\nbinary = ex/app:1\nexec = /run -v\nports = 9000\n[a]\nservices = app, ssh\n') });
    const d = renderFleetCompose(p);
    expect(d.services['a-app']).toMatchObject({ image: 'ex/app:1', command: ['/run', '-v'], network_mode: 'service:a' });
    expect(composeProblems(d)).toEqual([]);
  });
  it('names docker_api containers <decky>-docker-api and mounts ssh core dumps under the artifacts root', () => {
    const d = renderFleetCompose(buildFleet({ ...BASE, deckies: 1, archetype: 'devops-host' }), { artifactsRoot: '/srv/art', templatesRoot: '/t' });
    expect(d.services['decky-01-docker_api']!.container_name).toBe('decky-01-docker-api');
    expect(d.services['decky-01-ssh']!.volumes).toEqual(['/srv/art/decky-01/ssh:/var/lib/systemd/coredump:rw']);
    expect(d.services['decky-01-k8s']!.build!.context).toBe('/t/k8s');
  });
  it('refuses deckies whose containers would collide', () => {
    const p = buildFleet({ ...BASE, ini: readFleetIni('[a]\nservices = ssh\n[a-ssh]\nservices = ftp\n') });
    expect(() => renderFleetCompose(p)).toThrow(/defined twice/);
  });
  it('renders a schema-valid file that YAML round-trips, byte-identical for the same seed', () => {
    expect(composeProblems(doc)).toEqual([]);
    const again = composeToYaml(renderFleetCompose(buildFleet({ ...BASE, deckies: 2, services: ['ssh', 'http'], distros: ['rocky9', 'ubuntu22'], logTarget: '192.168.1.250:6514' })));
    expect(again).toBe(composeToYaml(doc));
    expect(composeToYaml(doc)).not.toMatch(/[&*]id\d/);
  });
});
