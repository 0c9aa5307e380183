import { MAX_RSS_GROWTH_KB, expectSelfContainedBundle, floodTcp, runClient, useServiceBundle } from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';

const proc = useServiceBundle({ slug: 'ftp', portEnv: 'FTP_PORT', clients: ['curl'] });

describe('the FTP bundle survives a connection flood', () => {
  it('keeps answering a real client, keeps its RSS bounded and exits cleanly on SIGTERM', async () => {
    const before = proc.rssKb();
    const report = await floodTcp(proc.port, { connections: 500, burst: 50 });
    expect(report.connected).toBeGreaterThan(100);
    const r = await runClient('curl', ['-sS', '--max-time', '10', '--user', 'anonymous:x', `ftp://127.0.0.1:${proc.port}/pub/README.txt`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Public file area');
    const after = proc.rssKb();
    expect(after).toBeGreaterThan(0);
    expect(after - before).toBeLessThan(MAX_RSS_GROWTH_KB);
    expect(proc.events.bad).toEqual([]);
    expect(proc.events.ofType('connection').length).toBeGreaterThan(100);
    expect(await proc.stop()).toBe(0);
    expect(proc.events.ofType('shutdown')).toHaveLength(1);
  });
});

describe('the ftp bundle is a self-contained image context without the bus or the database', () => {
  it('holds only its entry, source map, metafile and package.json, and bundles no bus or database code', () => {
    expectSelfContainedBundle('ftp');
  });
});
