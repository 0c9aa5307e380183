import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORBIDDEN_IN_SERVICE_BUNDLES, WORKSPACE_ROOT, buildBundle, bundleInputs, ensureClients, floodTcp, runClient, spawnServiceBundle, type ServiceProcess } from '@decnet/decky-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** RSS growth allowed across the flood: buffers are capped per connection, so growth is GC slack, not data. */
const MAX_RSS_GROWTH_KB = 64 * 1024;

let proc: ServiceProcess;

beforeAll(async () => {
  await ensureClients('telnet', 'expect');
  buildBundle('service-telnet');
  proc = await spawnServiceBundle('telnet', 'TELNET_PORT', { DECNET_SERVICE_IDLE_TIMEOUT_S: '5', DECNET_LOG_LEVEL: 'warn' });
});
afterAll(async () => {
  await proc?.stop();
});

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
    const dir = join(WORKSPACE_ROOT, 'dist/services/telnet');
    expect(readdirSync(dir).filter((f) => f !== 'chunks').sort()).toEqual(['main.js', 'main.js.map', 'meta.json', 'package.json']);
    const inputs = bundleInputs('telnet');
    expect(inputs.length).toBeGreaterThan(10);
    expect(inputs.filter((i) => FORBIDDEN_IN_SERVICE_BUNDLES.test(i))).toEqual([]);
  });
});
