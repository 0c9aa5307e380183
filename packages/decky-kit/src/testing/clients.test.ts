import { describe, expect, it } from 'vitest';
import { CLIENTS, MissingClientError, ensureClients, hasCommand, runClient } from './clients.js';

describe('test clients are found, installed when possible, or named precisely', () => {
  it('resolves at once for a client on PATH', async () => {
    await ensureClients('curl');
    expect(hasCommand('curl')).toBe(true);
  });

  it('names the exact apt-get line when clients cannot be installed', () => {
    const err = new MissingClientError(['nmap', 'sshpass'], 'not running as root');
    expect(err.message).toBe('missing test clients (not running as root); install them with:\n  apt-get install -y nmap sshpass');
    expect(err.name).toBe('MissingClientError');
  });

  it('maps every client to a Debian package', () => {
    for (const spec of Object.values(CLIENTS)) expect(spec.aptPackage).toMatch(/^[a-z0-9][a-z0-9.+-]+$/);
  });

  it('runs a client with input and kills it at the time limit', async () => {
    expect(await runClient('cat', [], { input: 'abc' })).toMatchObject({ code: 0, stdout: 'abc', timedOut: false });
    const slow = await runClient('sleep', ['5'], { timeoutMs: 100 });
    expect(slow).toMatchObject({ code: null, timedOut: true });
  });

  it('reports a missing binary without rejecting', async () => {
    const r = await runClient('decnet-no-such-client', []);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('ENOENT');
  });
});
