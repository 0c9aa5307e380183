import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_RSS_GROWTH_KB, expectSelfContainedBundle, floodTcp, runClient, useServiceBundle } from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';

const proc = useServiceBundle({ slug: 'telnet', portEnv: 'TELNET_PORT', clients: ['telnet', 'expect'] });

describe('the telnet bundle survives a connection flood', () => {
  it('keeps answering the real client, keeps its RSS bounded and exits cleanly on SIGTERM', async () => {
    const before = proc.rssKb();
    const report = await floodTcp(proc.port, { connections: 500, burst: 50 });
    expect(report.connected).toBeGreaterThan(100);
    const script = join(mkdtempSync(join(tmpdir(), 'telnet-flood-')), 'after.exp');
    writeFileSync(script, `set timeout 10\nspawn telnet 127.0.0.1 ${proc.port}\nexpect "login: "\nsend "root\\r"\nexpect "Password: "\nsend "admin\\r"\nexpect "# "\nsend "hostname\\r"\nexpect "# "\nsend "exit\\r"\nexpect eof\n`);
    const r = await runClient('expect', [script], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    await proc.events.waitFor((e) => e.type === 'command' && e.fields['cmd'] === 'hostname');
    const after = proc.rssKb();
    expect(after).toBeGreaterThan(0);
    expect(after - before).toBeLessThan(MAX_RSS_GROWTH_KB);
    expect(proc.events.bad).toEqual([]);
    expect(await proc.stop()).toBe(0);
  });
});

describe('the telnet bundle is a self-contained image context without the bus or the database', () => {
  it('holds only its entry, source map, metafile and package.json, and bundles no bus or database code', () => {
    expectSelfContainedBundle('telnet');
  });
});
