import { describe, expect, it } from 'vitest';
import { TopologyInputError } from './errors.js';
import { isHostPort, readFleetIni } from './fleet-ini.js';

const GOOD = `
[general]
net = 192.168.50.0/24
gw = 192.168.50.1
interface = ens3
log_target = 192.168.50.10:5514

[web]
ip = 192.168.50.20
services = http, ssh
nmap-os = bsd

[web.ssh]
password = s3cret

[dc]
archetype = domain-controller
amount = 3
mutate_interval = 15

[custom-honeyapp]
binary = example/honeyapp:1.2
exec = /app/run --port 9000
ports = 9000, 9001
`;

describe('readFleetIni turns a fleet INI file into decky specs', () => {
  it('reads [general], decky sections, service config and custom services', () => {
    const ini = readFleetIni(GOOD, 'fleet.ini');
    expect(ini.general).toEqual({ subnet: '192.168.50.0/24', gateway: '192.168.50.1', interface: 'ens3', logTarget: '192.168.50.10:5514' });
    expect(ini.deckies).toHaveLength(2);
    expect(ini.deckies[0]).toMatchObject({ name: 'web', ip: '192.168.50.20', services: ['http', 'ssh'], nmapOs: 'bsd', amount: 1, serviceConfig: { ssh: { password: 's3cret' } } });
    expect(ini.deckies[1]).toMatchObject({ name: 'dc', archetype: 'domain-controller', amount: 3, mutateInterval: 15 });
    expect(ini.customServices).toEqual([{ slug: 'honeyapp', image: 'example/honeyapp:1.2', command: ['/app/run', '--port', '9000'], ports: [9000, 9001] }]);
  });
  it.each([
    ['[a]\nip = 10.0.0.5\namount = 2\n', 'cannot set both ip and amount'],
    ['[a]\namount = 0\n', 'amount must be 1-100'],
    ['[a]\namount = 101\n', 'amount must be 1-100'],
    ['[a]\ncolour = blue\n', 'unknown key "colour" in [a]'],
    ['[a]\nnmap_os = windwos\n', 'unknown nmap_os "windwos"'],
    ['[a]\nmutate_interval = soon\n', 'mutate_interval must be'],
    ['[general]\nlog_target = nowhere\n[a]\n', 'log_target must be host:port'],
    ['[general]\nbogus = 1\n[a]\n', 'unknown key "bogus" in [general]'],
    ['[a.ssh]\npassword = x\n', 'unknown decky "a"'],
    ['[general]\nnet = 10.0.0.0/24\n', 'no decky sections'],
    ['[bad name!]\n', 'bad decky name'],
    ['[custom-x]\nexec = run\n', 'needs binary'],
    ['[custom-x]\nbinary = img\nports = 70000\n', 'bad port'],
    ['[a]\nservices = ssh\n[a]\n', 'duplicate section [a]'],
    ['services = ssh\n', 'before any [section]'],
  ])('rejects %j with a one-line error naming the file and line', (text, reason) => {
    let err: unknown;
    try {
      readFleetIni(text, 'f.ini');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TopologyInputError);
    const msg = (err as Error).message;
    expect(msg).toContain(reason);
    expect(msg).toMatch(/^f\.ini:/);
    expect(msg).not.toContain('\n');
  });
});

describe('isHostPort accepts host:port log targets only', () => {
  it.each(['10.0.0.1:514', 'collector.local:6514', '[::1]:514'])('accepts %s', (v) => expect(isHostPort(v)).toBe(true));
  it.each(['10.0.0.1', ':514', 'host:0', 'host:70000', 'a b:1', 'udp://x:1'])('rejects %s', (v) => expect(isHostPort(v)).toBe(false));
});
