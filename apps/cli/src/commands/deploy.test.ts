import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeProblems } from '@decnet/topology';
import { main } from '../main.js';
import { DockerCommandError, defaultRouteInterface, lanOfInterface, noEngineMessage, parseComposePs, parseNetworkInspect, parseRoutes, probeDocker, runDocker } from '@decnet/deploy';
import { captureIO as capture } from '../testing.js';

// A DOCKER_HOST that certainly has no engine: a socket path nobody listens on.
const NO_DOCKER = { DOCKER_HOST: `unix://${join(tmpdir(), 'decnet-no-docker-here.sock')}` };
const dir = mkdtempSync(join(tmpdir(), 'decnet-deploy-'));
const out = (name: string) => join(dir, name);
const deploy = async (args: string[], env: Record<string, string | undefined> = NO_DOCKER) => {
  const io = capture(env);
  const code = await main(['deploy', ...args], io);
  return { code, out: io.out, err: io.err };
};
const FLAGS = ['--subnet', '192.168.77.0/24', '--interface', 'eth9', '--seed', '7'];

describe('decnet deploy --dry-run writes a validated, reproducible compose file', () => {
  it('writes the file and says so, without Docker', async () => {
    const r = await deploy(['--dry-run', '--deckies', '3', '--randomize-services', ...FLAGS, '--out', out('a.yml')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Interface: eth9  Subnet: 192.168.77.0/24  Gateway: 192.168.77.1');
    expect(r.out).toContain(`Compose file written -> ${out('a.yml')}`);
    expect(r.out).toContain('Dry run: no containers started.');
    const doc = parse(readFileSync(out('a.yml'), 'utf8'));
    expect(composeProblems(doc)).toEqual([]);
    expect(Object.keys(doc.services).filter((k: string) => /^decky-\d\d$/.test(k))).toEqual(['decky-01', 'decky-02', 'decky-03']);
    expect(doc.networks.decnet_lan.driver_opts.parent).toBe('eth9');
  });
  it('gives a byte-identical file for the same seed and a different one for another seed', async () => {
    const args = ['--dry-run', '--deckies', '12', '--randomize-services', '--randomize-distros', '--subnet', '10.5.0.0/24', '--interface', 'eth0'];
    await deploy([...args, '--seed', '99', '--out', out('s1.yml')]);
    await deploy([...args, '--seed', '99', '--out', out('s2.yml')]);
    await deploy([...args, '--seed', '100', '--out', out('s3.yml')]);
    expect(readFileSync(out('s2.yml'))).toEqual(readFileSync(out('s1.yml')));
    expect(readFileSync(out('s3.yml'), 'utf8')).not.toBe(readFileSync(out('s1.yml'), 'utf8'));
  });
  it('prints the seed it drew when none is given, and that seed reproduces the file', async () => {
    const first = await deploy(['--dry-run', '--deckies', '4', '--randomize-services', '--subnet', '10.6.0.0/24', '--out', out('r1.yml')]);
    const seed = /Seed: (\d+)/.exec(first.out)![1]!;
    await deploy(['--dry-run', '--deckies', '4', '--randomize-services', '--subnet', '10.6.0.0/24', '--seed', seed, '--out', out('r2.yml')]);
    expect(readFileSync(out('r2.yml'), 'utf8')).toBe(readFileSync(out('r1.yml'), 'utf8'));
  });
  it('sets LOG_TARGET on every service container when --log-target is given', async () => {
    await deploy(['--dry-run', '--deckies', '2', '--services', 'ssh,http', ...FLAGS, '--log-target', '192.168.77.5:6514', '--out', out('log.yml')]);
    const doc = parse(readFileSync(out('log.yml'), 'utf8'));
    for (const key of ['decky-01-ssh', 'decky-01-http', 'decky-02-ssh', 'decky-02-http']) expect(doc.services[key].environment.LOG_TARGET).toBe('192.168.77.5:6514');
  });
  it('uses DECNET_TEMPLATES_DIR and DECNET_ARTIFACTS_ROOT for build contexts and volumes', async () => {
    await deploy(['--dry-run', '--deckies', '1', '--services', 'ssh', ...FLAGS, '--out', out('env.yml')], { ...NO_DOCKER, DECNET_TEMPLATES_DIR: '/tpl', DECNET_ARTIFACTS_ROOT: '/art' });
    const doc = parse(readFileSync(out('env.yml'), 'utf8'));
    expect(doc.services['decky-01-ssh'].build.context).toBe('/tpl/ssh');
    expect(doc.services['decky-01-ssh'].volumes).toEqual(['/art/decky-01/ssh:/var/lib/systemd/coredump:rw']);
  });
  it('renders an ipvlan network with --ipvlan and an archetype fleet with its OS fingerprint', async () => {
    await deploy(['--dry-run', '--deckies', '2', '--archetype', 'windows-server', '--ipvlan', ...FLAGS, '--out', out('ipv.yml')]);
    const doc = parse(readFileSync(out('ipv.yml'), 'utf8'));
    expect(doc.networks.decnet_lan.driver).toBe('ipvlan');
    expect(doc.services['decky-01'].sysctls['net.ipv4.ip_default_ttl']).toBe('128');
  });
  it('reads a fleet INI file with --config', async () => {
    const ini = out('fleet.ini');
    writeFileSync(ini, '[general]\nnet = 10.44.0.0/24\ninterface = br0\n[web]\nservices = http\n[web.http]\nserver_header = nginx\n[dc]\narchetype = domain-controller\namount = 2\n');
    const r = await deploy(['--dry-run', '--config', ini, '--seed', '1', '--out', out('ini.yml')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Config: ${ini}`);
    const doc = parse(readFileSync(out('ini.yml'), 'utf8'));
    expect(Object.keys(doc.services)).toContain('dc-02-ldap');
    expect(doc.services['web-http'].environment.SERVER_HEADER).toBe('nginx');
    expect(doc.networks.decnet_lan.driver_opts.parent).toBe('br0');
  });
  it('prints a JSON summary with --json', async () => {
    const r = await deploy(['--dry-run', '--json', '--deckies', '2', '--services', 'ftp', ...FLAGS, '--out', out('j.yml')]);
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({ dry_run: true, seed: 7, subnet: '192.168.77.0/24', containers: 4 });
    expect(summary.deckies.map((d: { ip: string }) => d.ip)).toEqual(['192.168.77.2', '192.168.77.3']);
  });
  it('renders 250 deckies in a /24', async () => {
    const r = await deploy(['--dry-run', '--deckies', '250', '--randomize-services', '--subnet', '10.7.0.0/24', '--seed', '3', '--out', out('big.yml')]);
    expect(r.code).toBe(0);
    expect(composeProblems(parse(readFileSync(out('big.yml'), 'utf8')))).toEqual([]);
  });
});

describe('decnet deploy rejects bad input with exit 2, one line, and no file', () => {
  const INI_BAD = join(dir, 'bad.ini');
  writeFileSync(INI_BAD, '[general]\nnet = 10.0.0.0/24\n[a]\nservices = ssh\nfoo = bar\n');
  it.each([
    [['--deckies', '2', '--services', 'ssh,telnetz'], 'unknown service "telnetz"'],
    [['--deckies', '2', '--archetype', 'toaster'], 'unknown archetype "toaster"'],
    [['--deckies', '2', '--services', 'ssh', '--distro', 'gentoo'], 'unknown distro "gentoo"'],
    [['--deckies', '2', '--services', 'ssh', '--subnet', '10.0.0.0/99'], 'invalid subnet'],
    [['--deckies', '300', '--services', 'ssh'], 'has only'],
    [['--deckies', '2'], 'one of --services, --archetype or --randomize-services'],
    [['--config', INI_BAD], 'unknown key "foo" in [a]'],
    [['--config', join(dir, 'missing.ini')], 'cannot read'],
  ])('rejects %j', async (args, reason) => {
    const file = out(`bad-${readdirSync(dir).length}.yml`);
    // A later --subnet in args overrides this default one.
    const r = await deploy(['--dry-run', '--subnet', '10.9.9.0/24', ...args, '--out', file]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(reason);
    expect(existsSync(file)).toBe(false);
  });
  it('rejects a malformed INI naming the file and line', async () => {
    const bad = join(dir, 'garbage.ini');
    writeFileSync(bad, '[a]\nservices = ssh\nthis is not ini\n');
    const r = await deploy(['--dry-run', '--config', bad, '--out', out('g.yml')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`decnet deploy: ${bad}:3: expected "key = value", got "this is not ini"\n`);
    expect(existsSync(out('g.yml'))).toBe(false);
  });
  it('rejects bad flags and flag combinations as usage errors', async () => {
    expect((await deploy(['--deckies', 'many', '--services', 'ssh', '--dry-run'])).code).toBe(2);
    expect((await deploy(['--seed', '-4', '--deckies', '1', '--services', 'ssh', '--dry-run'])).code).toBe(2);
    const clash = await deploy(['--config', INI_BAD, '--deckies', '3', '--dry-run']);
    expect(clash.code).toBe(2);
    expect(clash.err).toContain('--deckies cannot be combined with --config');
    expect((await deploy(['--bogus'])).code).toBe(2);
  });
});

describe('decnet deploy without --dry-run needs a Docker engine', () => {
  it('fails with a clear error, exit 1 and no file when no engine answers', async () => {
    const file = out('nodocker.yml');
    const r = await deploy(['--deckies', '2', '--services', 'ssh', ...FLAGS, '--out', file]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^decnet deploy: no Docker engine reachable at unix:\/\/.*decnet-no-docker-here\.sock \(ENOENT\); nothing was written/);
    expect(existsSync(file)).toBe(false);
  });
  it('still reports bad input first, with exit 2', async () => {
    const r = await deploy(['--deckies', '2', '--services', 'nope', ...FLAGS, '--out', out('x.yml')]);
    expect(r.code).toBe(2);
  });
  describe('probeDocker against a server that is not Docker', () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.statusCode = req.url === '/_ping' ? 404 : 500;
        res.end('nope');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));
    it('refuses an HTTP server that does not answer /_ping with OK', async () => {
      const probe = await probeDocker({ DOCKER_HOST: `tcp://127.0.0.1:${port}` });
      expect(probe).toEqual({ ok: false, endpoint: `tcp://127.0.0.1:${port}`, reason: 'unexpected answer to /_ping (HTTP 404)' });
      const r = await deploy(['--deckies', '1', '--services', 'ssh', ...FLAGS, '--out', out('fake.yml')], { DOCKER_HOST: `tcp://127.0.0.1:${port}` });
      expect(r.code).toBe(1);
      expect(existsSync(out('fake.yml'))).toBe(false);
    });
    it('rejects an unsupported DOCKER_HOST scheme', async () => {
      expect(await probeDocker({ DOCKER_HOST: 'ssh://host' })).toMatchObject({ ok: false, reason: expect.stringContaining('unsupported') });
    });
  });
});

describe('the default interface and LAN come from the routing table', () => {
  const TABLE = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'ens3\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0',
    'ens3\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
    'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
  ].join('\n');
  it('names the default-route interface and its LAN and gateway', () => {
    const routes = parseRoutes(TABLE);
    expect(defaultRouteInterface(routes)).toBe('ens3');
    expect(lanOfInterface(routes, 'ens3')).toEqual({ subnet: '192.168.1.0/24', gateway: '192.168.1.1' });
    expect(lanOfInterface(routes, 'docker0')).toEqual({ subnet: '172.17.0.0/16' });
  });
  it('has no default interface without a default route, and skips garbage lines', () => {
    const routes = parseRoutes('header\ngarbage\nlo\tzz\n');
    expect(routes).toEqual([]);
    expect(defaultRouteInterface(routes)).toBeUndefined();
  });
});

describe('docker output is read defensively', () => {
  it('reads compose ps as a JSON array or as one object per line', () => {
    const array = JSON.stringify([
      { Service: 'decky-001', State: 'running', ExitCode: 0 },
      { Service: 'decky-001-ssh', State: 'exited', ExitCode: 137 },
    ]);
    const lines = '{"Service":"decky-001","State":"running","ExitCode":0}\n{"Service":"decky-001-ssh","State":"Exited","ExitCode":1}\n';
    expect(parseComposePs(array)).toEqual([
      { service: 'decky-001', state: 'running', exitCode: null },
      { service: 'decky-001-ssh', state: 'exited', exitCode: 137 },
    ]);
    expect(parseComposePs(lines)).toEqual([
      { service: 'decky-001', state: 'running', exitCode: null },
      { service: 'decky-001-ssh', state: 'exited', exitCode: 1 },
    ]);
  });
  it('skips garbage, warnings and objects without a service or state, and never throws', () => {
    expect(parseComposePs('WARN[0000] something\n{"Service":"a","State":"running"}\n[1,2\nnull\n{"State":"x"}\n')).toEqual([{ service: 'a', state: 'running', exitCode: null }]);
    for (const junk of ['', '[', '[1, "x", null]', '{{{', '\u0000\u0001']) expect(() => parseComposePs(junk)).not.toThrow();
    expect(parseComposePs('[1, "x", null]')).toEqual([]);
  });
  it('reads a network id and its subnets from docker network inspect', () => {
    expect(parseNetworkInspect(JSON.stringify([{ Id: 'abc', IPAM: { Config: [{ Subnet: '172.16.0.0/24', Gateway: '172.16.0.1' }] } }]))).toEqual({ id: 'abc', subnets: ['172.16.0.0/24'] });
    expect(parseNetworkInspect(JSON.stringify([{ Id: 'abc', IPAM: { Config: null } }]))).toEqual({ id: 'abc', subnets: [] });
    expect(parseNetworkInspect('[]')).toBeUndefined();
    expect(parseNetworkInspect('not json')).toBeUndefined();
  });
  it('names DOCKER_HOST, or the default socket and how to change it, when no engine answers', () => {
    const probe = { ok: false as const, endpoint: 'unix:///var/run/docker.sock', reason: 'ENOENT' };
    expect(noEngineMessage(probe, {})).toBe('no Docker engine reachable at unix:///var/run/docker.sock (ENOENT; the default socket; set DOCKER_HOST to use another engine)');
    expect(noEngineMessage({ ...probe, endpoint: 'tcp://10.0.0.1:2375' }, { DOCKER_HOST: 'tcp://10.0.0.1:2375' })).toBe('no Docker engine reachable at tcp://10.0.0.1:2375 (ENOENT; from DOCKER_HOST)');
  });
  it('reports a missing compose plugin as such, and a docker that cannot start as DockerCommandError', async () => {
    expect(new DockerCommandError(['compose', '-p', 'x', 'up'], 125, "unknown shorthand flag: 'p' in -p\nUsage: docker [OPTIONS]").message).toBe(
      'docker compose -p x ... failed (exit 125): the docker compose plugin is not installed',
    );
    expect(new DockerCommandError(['network', 'rm', 'x'], 1, 'Cannot connect to the Docker daemon at unix:///x.sock.\nexit status 1\n').message).toBe(
      'docker network rm x failed (exit 1): Cannot connect to the Docker daemon at unix:///x.sock.',
    );
    await expect(runDocker(['version'], { PATH: join(tmpdir(), 'decnet-no-bin-here') })).rejects.toBeInstanceOf(DockerCommandError);
  });
});
