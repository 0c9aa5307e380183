import { describe, expect, it } from 'vitest';
import { ARCHETYPES, getArchetype } from './archetypes.js';
import { DISTROS, HOSTNAME_WORDS, buildBaseImageRef, generateHostname, getDistro } from './distros.js';
import { OS_FAMILIES, OS_SYSCTL_KEYS, osSysctls } from './os-profiles.js';
import { DECKY_SERVICE_SLUGS, SERVICES, coerceServiceConfig, getService, serviceEnvironment, serviceUdpPorts } from './services.js';
import { createRng } from '../random.js';

describe('the service catalog lists the 29 upstream services', () => {
  it('has 29 services, 28 of them per-decky, with sniffer the only singleton', () => {
    expect(SERVICES).toHaveLength(29);
    expect(DECKY_SERVICE_SLUGS).toHaveLength(28);
    expect(SERVICES.filter((s) => s.singleton).map((s) => s.slug)).toEqual(['sniffer']);
    expect(DECKY_SERVICE_SLUGS).not.toContain('sniffer');
  });
  it('keeps slugs unique and sorted', () => {
    const slugs = SERVICES.map((s) => s.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect([...slugs].sort()).toEqual(slugs);
  });
  it.each([
    ['conpot', [502, 161, 80]],
    ['dns', [53]],
    ['docker_api', [2375, 2376]],
    ['http', [80, 443]],
    ['https', [443]],
    ['k8s', [6443, 8080]],
    ['llmnr', [5355, 5353]],
    ['smb', [445, 139]],
    ['smtp', [25, 587]],
    ['ssh', [22]],
    ['vnc', [5900]],
  ])('gives %s the TCP ports %j', (slug, ports) => {
    expect(getService(slug)!.tcpPorts).toEqual(ports);
  });
  it('grants NET_BIND_SERVICE to ldap, smb, smtp, smtp_relay, ssh and telnet, and NET_RAW/NET_ADMIN to the sniffer', () => {
    const withBind = SERVICES.filter((s) => s.capAdd.includes('NET_BIND_SERVICE')).map((s) => s.slug);
    expect(withBind).toEqual(['ldap', 'smb', 'smtp', 'smtp_relay', 'ssh', 'telnet']);
    expect(getService('sniffer')!.capAdd).toEqual(['NET_RAW', 'NET_ADMIN']);
  });
  it('builds smtp_relay from the smtp template and names docker_api containers docker-api', () => {
    expect(getService('smtp_relay')!.template).toBe('smtp');
    expect(getService('docker_api')!.containerSuffix).toBe('docker-api');
    expect(getService('smtp_relay')!.containerSuffix).toBe('smtp_relay');
  });
  it('presets conpot\'s base image and template', () => {
    expect(getService('conpot')!.presetBaseImage).toMatch(/^honeynet\/conpot/);
    expect(getService('conpot')!.fixedEnv).toEqual({ CONPOT_TEMPLATE: 'default' });
  });
});

describe('service config becomes environment variables', () => {
  it('always emits the three ssh login defaults', () => {
    expect(serviceEnvironment(getService('ssh')!, {})).toEqual({ SSH_ROOT_PASSWORD: 'admin', SSH_USER: 'ubuntu', SSH_USER_PASSWORD: 'admin' });
  });
  it('maps the ssh password to SSH_ROOT_PASSWORD and hostname to SSH_HOSTNAME', () => {
    const c = coerceServiceConfig('ssh', { password: 'hunter2', hostname: 'srv' });
    expect(serviceEnvironment(getService('ssh')!, c.values)).toMatchObject({ SSH_ROOT_PASSWORD: 'hunter2', SSH_HOSTNAME: 'srv' });
  });
  it('maps telnet fields to TELNET_* variables', () => {
    expect(Object.keys(serviceEnvironment(getService('telnet')!, {}))).toEqual(['TELNET_ROOT_PASSWORD', 'TELNET_USER', 'TELNET_USER_PASSWORD']);
  });
  it('always sets every DNS_* variable', () => {
    const env = serviceEnvironment(getService('dns')!, {});
    expect(Object.keys(env)).toHaveLength(10);
    expect(env).toMatchObject({ DNS_ZONE_MODE: 'auth', DNS_REAL_RECURSIVE: 'false', DNS_UPSTREAM: '8.8.8.8:53', DNS_BIND_VERSION: '9.11.4-P2-RedHat-9.11.4-26.P2.el7_9.10' });
  });
  it('renders http_versions as a JSON list and decodes b64: text', () => {
    const c = coerceServiceConfig('https', { http_versions: 'http/1.1,http/3,http/3', custom_body: 'b64:aGVsbG8=' });
    const env = serviceEnvironment(getService('https')!, c.values);
    expect(env['HTTP_VERSIONS']).toBe('["http/1.1","http/3"]');
    expect(env['CUSTOM_BODY']).toBe('hello');
  });
  it('opens UDP 443 for https only when http/3 is on, and UDP 53 for dns always', () => {
    expect(serviceUdpPorts(getService('https')!, {})).toEqual([]);
    expect(serviceUdpPorts(getService('https')!, { http_versions: ['http/3'] })).toEqual([443]);
    expect(serviceUdpPorts(getService('dns')!, {})).toEqual([53]);
  });
  it('sets the smtp quarantine dir and the relay markers', () => {
    expect(serviceEnvironment(getService('smtp')!, {})).toEqual({ SMTP_QUARANTINE_DIR: '/var/spool/mqueue' });
    expect(serviceEnvironment(getService('smtp_relay')!, {})).toMatchObject({ SMTP_SERVICE_NAME: 'smtp_relay', SMTP_OPEN_RELAY: '1' });
  });
  it('passes the relay upstream settings to the container (upstream dropped them)', () => {
    const c = coerceServiceConfig('smtp_relay', { upstream_host: 'mx.example', upstream_port: '2525' });
    expect(serviceEnvironment(getService('smtp_relay')!, c.values)).toMatchObject({ SMTP_UPSTREAM_HOST: 'mx.example', SMTP_UPSTREAM_PORT: '2525' });
  });
  it('drops empty values, lists unknown keys and reports bad values without throwing', () => {
    const c = coerceServiceConfig('http', { server_header: '', response_code: 'abc', fake_app: 'drupal', weird: 1 });
    expect(c.values).toEqual({});
    expect(c.unknownKeys).toEqual(['weird']);
    expect(c.problems).toEqual([expect.stringContaining('http.response_code'), expect.stringContaining('http.fake_app')]);
  });
  it('coerces booleans and integers from text', () => {
    expect(coerceServiceConfig('rdp', { nla: 'yes' }).values).toEqual({ nla: true });
    expect(coerceServiceConfig('http', { response_code: '404' }).values).toEqual({ response_code: 404 });
    expect(coerceServiceConfig('https', { tls_cert: 'b64:!!' }).problems).toHaveLength(1);
  });
  it('treats an empty multi_enum list as a problem', () => {
    expect(coerceServiceConfig('http', { http_versions: [] }).problems).toHaveLength(1);
  });
});

describe('the archetype catalog holds 15 consistent roles', () => {
  it('has 15 archetypes whose services, distros and OS families all exist', () => {
    expect(ARCHETYPES).toHaveLength(15);
    for (const a of ARCHETYPES) {
      for (const s of a.services) expect(DECKY_SERVICE_SLUGS).toContain(s);
      for (const d of a.preferredDistros) expect(getDistro(d)).toBeDefined();
      expect(OS_FAMILIES).toContain(a.nmapOs);
      expect(a.displayName.length).toBeGreaterThan(0);
      expect(a.description.length).toBeGreaterThan(0);
    }
  });
  it('describes the domain controller as upstream does', () => {
    expect(getArchetype('domain-controller')).toMatchObject({ services: ['ldap', 'smb', 'rdp', 'llmnr'], nmapOs: 'windows' });
    expect(getArchetype('iot-device')).toMatchObject({ preferredDistros: ['alpine'], nmapOs: 'embedded' });
  });
});

describe('the distro catalog holds 9 bases and their hostname styles', () => {
  it('has 9 distros; non-apt images build services on debian', () => {
    expect(DISTROS.map((d) => d.slug)).toEqual(['debian', 'ubuntu22', 'ubuntu20', 'rocky9', 'centos7', 'alpine', 'fedora', 'kali', 'arch']);
    for (const slug of ['rocky9', 'centos7', 'alpine', 'fedora', 'arch']) expect(buildBaseImageRef(getDistro(slug)!)).toBe('debian:bookworm-slim');
    expect(buildBaseImageRef(getDistro('kali')!)).toBe('kalilinux/kali-rolling');
    expect(buildBaseImageRef(getDistro('ubuntu22')!)).toBe('ubuntu:22.04');
  });
  it.each([
    ['debian', /^SRV-[A-Z]+-\d\d$/],
    ['rocky9', /^[a-z]+\d\d\.localdomain$/],
    ['alpine', /^[a-z]+-\d\d$/],
    ['kali', /^[a-z]+-[a-z]+$/],
    ['unknown-distro', /^SRV-[A-Z]+-\d\d$/],
  ])('names a %s host in its style', (distro, pattern) => {
    const rng = createRng(3);
    for (let i = 0; i < 50; i++) {
      const h = generateHostname(distro, rng);
      expect(h).toMatch(pattern);
      expect(HOSTNAME_WORDS.some((w) => h.toLowerCase().includes(w))).toBe(true);
    }
  });
  it('never repeats the word in a rolling-style name', () => {
    const rng = createRng(9);
    for (let i = 0; i < 200; i++) {
      const [a, b] = generateHostname('arch', rng).split('-');
      expect(a).not.toBe(b);
    }
  });
});

describe('OS fingerprint profiles set the full sysctl key set as strings', () => {
  it('gives every family every key, all values strings', () => {
    for (const f of OS_FAMILIES) {
      const s = osSysctls(f);
      expect(Object.keys(s)).toEqual(OS_SYSCTL_KEYS.map((k) => `net.ipv4.${k}`));
      for (const v of Object.values(s)) expect(typeof v).toBe('string');
    }
  });
  it('uses TTL 128 for windows, 255 for embedded and cisco, 64 for linux and bsd', () => {
    expect(osSysctls('windows')['net.ipv4.ip_default_ttl']).toBe('128');
    expect(osSysctls('embedded')['net.ipv4.ip_default_ttl']).toBe('255');
    expect(osSysctls('cisco')['net.ipv4.ip_default_ttl']).toBe('255');
    expect(osSysctls('bsd')['net.ipv4.icmp_ratelimit']).toBe('250');
  });
  it('falls back to linux for an unknown family', () => {
    expect(osSysctls('plan9')).toEqual(osSysctls('linux'));
  });
});
