import { nmapVersionScan, useTestService } from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';
import { service } from './index.js';

const svc = useTestService(service, ['nmap']);

describe('nmap names the postgres emulator as the service it imitates', () => {
  it('reports "postgresql PostgreSQL DB 9.6.0 or later" (what it says of a real PostgreSQL 15) and every probe it sent was logged as parseable lines', async () => {
    const finding = await nmapVersionScan(svc.port);
    expect(finding, finding?.output).toMatchObject({ state: 'open', service: 'postgresql', version: 'PostgreSQL DB 9.6.0 or later' });
    expect(svc.events.bad).toEqual([]);
    expect(svc.events.events.length).toBeGreaterThan(1);
  });
});
