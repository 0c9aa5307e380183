import { nmapVersionScan, useTestService } from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';
import { service } from './index.js';

const svc = useTestService(service, ['nmap']);

describe('nmap names the redis emulator as the service it imitates', () => {
  it('reports "redis Redis key-value store", the match a real Redis gets from the GetRequest probe, and every probe was logged', async () => {
    const finding = await nmapVersionScan(svc.port);
    expect(finding, finding?.output).toMatchObject({ state: 'open', service: 'redis', version: 'Redis key-value store' });
    expect(svc.events.bad).toEqual([]);
    expect(svc.events.events.length).toBeGreaterThan(1);
  });
});
