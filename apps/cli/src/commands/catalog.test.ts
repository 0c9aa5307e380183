import { describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { captureIO as capture } from '../testing.js';

describe('decnet services|archetypes|distros print the catalog', () => {
  it('prints 29 services as a table, marking the sniffer as a singleton', async () => {
    const io = capture();
    expect(await main(['services'], io)).toBe(0);
    const lines = io.out.trim().split('\n');
    expect(lines[0]).toMatch(/^SERVICE\s+TCP\s+UDP\s+CAPS\s+CONFIG\s+DESCRIPTION$/);
    expect(lines).toHaveLength(30);
    expect(io.out).toMatch(/sniffer .*fleet singleton/);
    expect(io.out).toMatch(/^ssh\s+22\s+-\s+NET_BIND_SERVICE\s+password,user,user_password,hostname/m);
  });
  it('prints services as JSON with fields and their env vars', async () => {
    const io = capture();
    expect(await main(['services', '--json'], io)).toBe(0);
    const list = JSON.parse(io.out) as { slug: string; fields: { key: string; env: string | null }[] }[];
    expect(list).toHaveLength(29);
    expect(list.find((s) => s.slug === 'ssh')!.fields[0]).toMatchObject({ key: 'password', env: 'SSH_ROOT_PASSWORD' });
  });
  it('prints 15 archetypes and 9 distros, as tables and JSON', async () => {
    const a = capture();
    expect(await main(['archetypes'], a)).toBe(0);
    expect(a.out.trim().split('\n')).toHaveLength(16);
    expect(a.out).toMatch(/^domain-controller\s+Domain Controller\s+ldap,smb,rdp,llmnr\s+debian,ubuntu22\s+windows$/m);
    const aj = capture();
    await main(['archetypes', '--json'], aj);
    expect(JSON.parse(aj.out)).toHaveLength(15);
    const d = capture();
    expect(await main(['distros'], d)).toBe(0);
    expect(d.out.trim().split('\n')).toHaveLength(10);
    expect(d.out).toMatch(/^rocky9\s+Rocky Linux 9\s+rockylinux:9-minimal\s+rhel\s+debian$/m);
    const dj = capture();
    await main(['distros', '--json'], dj);
    expect(JSON.parse(dj.out)).toHaveLength(9);
  });
  it('rejects stray arguments with exit 2', async () => {
    const io = capture();
    expect(await main(['distros', 'extra'], io)).toBe(2);
    expect(io.err).toMatch(/^decnet distros: /);
  });
});
