import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { captureIO as capture, syslogEvents as events, until } from '../testing.js';
import { serve } from './decky.js';

function banner(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('data', (d) => {
      resolve(d.toString('latin1'));
      s.destroy();
    });
    s.on('error', reject);
  });
}

describe('decnet decky run hosts several services in one process with one event stream', () => {
  it('runs ftp and ssh side by side under one decky name', async () => {
    const io = capture({ FTP_PORT: '0', SSH_PORT: '0', SSH_HOST_KEY_TYPES: 'ed25519', SSH_HOST_KEY_DIR: join(mkdtempSync(join(tmpdir(), 'decky-cli-')), 'keys') });
    const controller = new AbortController();
    const done = serve(['run', '--services', 'ftp,ssh', '--bind', '127.0.0.1', '--name', 'decky-07'], io, controller.signal);
    const startups = await until(() => {
      const s = events(io.out).filter((e) => e.type === 'startup');
      return s.length === 2 ? s : undefined;
    });
    expect(startups.map((s) => [s.host, s.app])).toEqual([
      ['decky-07', 'ftp'],
      ['decky-07', 'ssh'],
    ]);
    const ftpPort = Number(startups[0]?.params['port']);
    const sshPort = Number(startups[1]?.params['port']);
    expect(await banner(ftpPort)).toBe('220 (vsFTPd 3.0.5)\r\n');
    expect(await banner(sshPort)).toMatch(/^SSH-2\.0-OpenSSH_8\.9p1 Ubuntu-3ubuntu0\.10\r\n/);
    await until(() => events(io.out).find((e) => e.app === 'ssh' && e.type === 'connect'));
    controller.abort();
    expect(await done).toBe(0);
    expect(events(io.out).filter((e) => e.type === 'shutdown')).toHaveLength(2);
  });

  it('runs the database and mail emulators side by side: smtp, redis, mysql and postgres', async () => {
    const io = capture({ SMTP_PORT: '0', REDIS_PORT: '0', MYSQL_PORT: '0', POSTGRES_PORT: '0' });
    const controller = new AbortController();
    const done = serve(['run', '--services', 'smtp,redis,mysql,postgres', '--bind', '127.0.0.1', '--name', 'db-01'], io, controller.signal);
    const startups = await until(() => {
      const s = events(io.out).filter((e) => e.type === 'startup');
      return s.length === 4 ? s : undefined;
    });
    expect(startups.map((s) => s.app).sort()).toEqual(['mysql', 'postgres', 'redis', 'smtp']);
    const port = (app: string): number => Number(startups.find((s) => s.app === app)?.params['port']);
    expect(await banner(port('smtp'))).toBe('220 db-01 ESMTP Postfix (Ubuntu)\r\n');
    expect((await banner(port('mysql'))).slice(4, 11)).toBe('\x0a8.0.36');
    controller.abort();
    expect(await done).toBe(0);
    expect(events(io.out).filter((e) => e.type === 'shutdown')).toHaveLength(4);
  });

  it('keeps the services that started when one cannot bind', async () => {
    const first = capture({ HTTP_PORT: '0' });
    const c1 = new AbortController();
    const d1 = serve(['run', '--services', 'http', '--bind', '127.0.0.1'], first, c1.signal);
    const taken = Number((await until(() => events(first.out).find((e) => e.type === 'startup'))).params['port']);
    const io = capture({ HTTP_PORT: String(taken), FTP_PORT: '0' });
    const c2 = new AbortController();
    const d2 = serve(['run', '--services', 'http,ftp', '--bind', '127.0.0.1'], io, c2.signal);
    await until(() => events(io.out).find((e) => e.app === 'ftp' && e.type === 'startup'));
    expect(io.err).toMatch(/http did not start: service http cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
    c2.abort();
    c1.abort();
    expect(await d2).toBe(0);
    expect(await d1).toBe(0);
  });

  it('requires --services and known slugs', async () => {
    const io = capture();
    expect(await main(['decky', 'run'], io)).toBe(2);
    expect(io.err).toContain('--services is required');
    const bad = capture();
    expect(await main(['decky', 'run', '--services', 'ssh,nope'], bad)).toBe(2);
    expect(bad.err).toContain('unknown service "nope"');
  });
});
