import { describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { captureIO as capture, syslogEvents as events, until } from '../testing.js';
import { serve } from './service.js';

describe('decnet service run hosts one emulator and streams its events as RFC 5424 lines', () => {
  it('serves http on the requested address and port, logs requests, and stops on abort', async () => {
    const io = capture({ FAKE_APP: 'tomcat' });
    const controller = new AbortController();
    const done = serve(['run', 'http', '--port', '0', '--bind', '127.0.0.1', '--name', 'cli-decky'], io, controller.signal);
    const startup = await until(() => events(io.out).find((e) => e.type === 'startup'));
    expect(startup).toMatchObject({ host: 'cli-decky', app: 'http', params: { bind: '127.0.0.1' } });
    const res = await fetch(`http://127.0.0.1:${startup.params['port']}/manager/html`, { headers: { Authorization: `Basic ${Buffer.from('tomcat:s3cret').toString('base64')}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('server')).toBe('Apache-Coyote/1.1');
    const req = await until(() => events(io.out).find((e) => e.type === 'request'));
    expect(req.params).toMatchObject({ path: '/manager/html', principal: 'tomcat', secret_printable: 's3cret' });
    controller.abort();
    expect(await done).toBe(0);
    expect(events(io.out).at(-1)?.type).toBe('shutdown');
  });

  it('reports every invalid variable at once with exit status 2', async () => {
    const io = capture({ FAKE_APP: 'sharepoint', RESPONSE_CODE: '42' });
    expect(await serve(['run', 'http', '--port', '0', '--bind', '127.0.0.1'], io, AbortSignal.abort())).toBe(2);
    expect(io.err).toContain('FAKE_APP: must be one of none|wordpress|phpmyadmin|tomcat|jenkins|router|nas');
    expect(io.err).toContain('RESPONSE_CODE: must be at least 100');
  });

  it('reports a port already in use with exit status 1', async () => {
    const io = capture();
    const controller = new AbortController();
    const first = serve(['run', 'ftp', '--port', '0', '--bind', '127.0.0.1'], io, controller.signal);
    const startup = await until(() => events(io.out).find((e) => e.type === 'startup'));
    const second = capture();
    expect(await serve(['run', 'ftp', '--port', String(startup.params['port']), '--bind', '127.0.0.1'], second, AbortSignal.abort())).toBe(1);
    expect(second.err).toMatch(/cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
    controller.abort();
    expect(await first).toBe(0);
  });

  it('rejects unknown services and bad ports as usage errors', async () => {
    const io = capture();
    expect(await main(['service', 'run', 'gopher'], io)).toBe(2);
    expect(io.err).toContain('unknown service "gopher"; emulators: ftp, http, mysql, postgres, redis, smtp, ssh, telnet');
    const bad = capture();
    expect(await main(['service', 'run', 'ssh', '--port', '99999'], bad)).toBe(2);
    expect(bad.err).toContain('--port must be an integer from 0 to 65535');
  });

  it('lists the emulators with their environment variables', async () => {
    const io = capture();
    expect(await main(['service', 'list', '--json'], io)).toBe(0);
    const list = JSON.parse(io.out) as { slug: string; port: number; env: string[] }[];
    expect(list.map((s) => s.slug)).toEqual(['ftp', 'http', 'mysql', 'postgres', 'redis', 'smtp', 'ssh', 'telnet']);
    expect(list.find((s) => s.slug === 'ssh')).toMatchObject({ port: 22 });
    expect(list.find((s) => s.slug === 'ssh')?.env).toContain('SSH_ROOT_PASSWORD');
  });
});
