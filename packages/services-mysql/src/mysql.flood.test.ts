import { MAX_RSS_GROWTH_KB, expectSelfContainedBundle, floodTcp, runClient, useServiceBundle } from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';

const proc = useServiceBundle({ slug: 'mysql', portEnv: 'MYSQL_PORT', clients: ['mysql'] });

describe('the MySQL bundle survives a connection flood', () => {
  it('keeps answering a real client, keeps its RSS bounded and exits cleanly on SIGTERM', async () => {
    const before = proc.rssKb();
    const report = await floodTcp(proc.port, { connections: 500, burst: 50 });
    expect(report.connected).toBeGreaterThan(100);
    const r = await runClient('mysql', ['--protocol=TCP', '-h', '127.0.0.1', '-P', String(proc.port), '-u', 'afterflood', '-px', '--connect-timeout=5', '-e', 'select 1'], { timeoutMs: 15_000 });
    expect(r.stderr).toContain('ERROR 1045 (28000)');
    await proc.events.waitFor((e) => e.type === 'auth' && e.fields['username'] === 'afterflood');
    const after = proc.rssKb();
    expect(after).toBeGreaterThan(0);
    expect(after - before).toBeLessThan(MAX_RSS_GROWTH_KB);
    expect(proc.events.bad).toEqual([]);
    expect(proc.events.ofType('connect').length).toBeGreaterThan(100);
    expect(await proc.stop()).toBe(0);
    expect(proc.events.ofType('shutdown')).toHaveLength(1);
  });
});

describe('the mysql bundle is a self-contained image context without the bus or the database', () => {
  it('holds only its entry, source map, metafile and package.json, and bundles no bus or database code', () => {
    expectSelfContainedBundle('mysql');
  });
});
