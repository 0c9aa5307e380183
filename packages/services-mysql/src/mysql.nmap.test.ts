import { nmapVersionScan, useTestService } from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';
import { service } from './index.js';

const svc = useTestService(service, ['nmap']);

describe('nmap names the mysql emulator as the service it imitates', () => {
  it('reports "mysql MySQL 8.0.36-0ubuntu0.22.04.1" and every probe it sent was logged as parseable lines', async () => {
    const finding = await nmapVersionScan(svc.port);
    expect(finding, finding?.output).toMatchObject({ state: 'open', service: 'mysql', version: 'MySQL 8.0.36-0ubuntu0.22.04.1' });
    expect(svc.events.bad).toEqual([]);
    expect(svc.events.events.length).toBeGreaterThan(1);
  });
});
