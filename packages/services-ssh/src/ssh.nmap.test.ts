import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nmapVersionScan, useTestService } from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';
import { service } from './index.js';

const svc = useTestService(service, ['nmap'], { SSH_HOST_KEY_DIR: join(mkdtempSync(join(tmpdir(), 'ssh-nmap-')), 'k'), SSH_HOST_KEY_TYPES: 'ed25519' });

describe('nmap names the ssh emulator as the service it imitates', () => {
  it('reports "ssh OpenSSH 8.9p1 Ubuntu 3ubuntu0.10 (Ubuntu Linux; protocol 2.0)" and every probe it sent was logged as parseable lines', async () => {
    const finding = await nmapVersionScan(svc.port);
    expect(finding, finding?.output).toMatchObject({ state: 'open', service: 'ssh', version: 'OpenSSH 8.9p1 Ubuntu 3ubuntu0.10 (Ubuntu Linux; protocol 2.0)' });
    expect(svc.events.bad).toEqual([]);
    expect(svc.events.events.length).toBeGreaterThan(1);
  });
});
