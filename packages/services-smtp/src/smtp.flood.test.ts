import { MAX_RSS_GROWTH_KB, expectSelfContainedBundle, floodTcp, runClient, useServiceBundle } from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';

const proc = useServiceBundle({ slug: 'smtp', portEnv: 'SMTP_PORT', clients: ['curl'] });

describe('the SMTP bundle survives a connection flood', () => {
  it('keeps answering a real client, keeps its RSS bounded and exits cleanly on SIGTERM', async () => {
    const before = proc.rssKb();
    const report = await floodTcp(proc.port, { connections: 500, burst: 50 });
    expect(report.connected).toBeGreaterThan(100);
    const r = await runClient('curl', ['-sS', '--max-time', '10', `smtp://127.0.0.1:${proc.port}`, '--mail-from', 'a@b.c', '--mail-rcpt', 'd@e.f', '--upload-file', '-'], { input: 'Subject: after flood\r\n\r\nx\r\n' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    await proc.events.waitFor((e) => e.type === 'message_stored' && e.fields['subject'] === 'after flood');
    const after = proc.rssKb();
    expect(after).toBeGreaterThan(0);
    expect(after - before).toBeLessThan(MAX_RSS_GROWTH_KB);
    expect(proc.events.bad).toEqual([]);
    expect(proc.events.ofType('connect').length).toBeGreaterThan(100);
    expect(await proc.stop()).toBe(0);
    expect(proc.events.ofType('shutdown')).toHaveLength(1);
  });
});

describe('the smtp bundle is a self-contained image context without the bus or the database', () => {
  it('holds only its entry, source map, metafile and package.json, and bundles no bus or database code', () => {
    expectSelfContainedBundle('smtp');
  });
});
