import { nmapVersionScan, useTestService } from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';
import { service } from './index.js';

const svc = useTestService(service, ['nmap']);

describe('nmap names the ftp emulator as the service it imitates', () => {
  it('reports "ftp vsftpd 3.0.5" and every probe it sent was logged as parseable lines', async () => {
    const finding = await nmapVersionScan(svc.port);
    expect(finding, finding?.output).toMatchObject({ state: 'open', service: 'ftp', version: 'vsftpd 3.0.5' });
    expect(svc.events.bad).toEqual([]);
    expect(svc.events.events.length).toBeGreaterThan(1);
  });
});
