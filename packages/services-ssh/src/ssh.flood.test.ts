import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_RSS_GROWTH_KB, expectSelfContainedBundle, floodTcp, runClient, useServiceBundle } from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';

const proc = useServiceBundle({ slug: 'ssh', portEnv: 'SSH_PORT', clients: ['ssh', 'sshpass'], env: { SSH_HOST_KEY_DIR: join(mkdtempSync(join(tmpdir(), 'ssh-flood-')), 'keys') } });

describe('the ssh bundle survives a connection flood', () => {
  it('keeps answering OpenSSH, keeps its RSS bounded and exits cleanly on SIGTERM', async () => {
    const before = proc.rssKb();
    const report = await floodTcp(proc.port, { connections: 500, burst: 50 });
    expect(report.connected).toBeGreaterThan(100);
    const r = await runClient(
      'sshpass',
      ['-p', 'admin', 'ssh', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-p', String(proc.port), 'root@127.0.0.1', 'whoami'],
      { timeoutMs: 30_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('root\n');
    const after = proc.rssKb();
    expect(after).toBeGreaterThan(0);
    expect(after - before).toBeLessThan(MAX_RSS_GROWTH_KB);
    expect(proc.events.bad).toEqual([]);
    expect(proc.events.ofType('connect').length).toBeGreaterThan(100);
    expect(await proc.stop()).toBe(0);
  });
});

describe('the ssh bundle is a self-contained image context without the bus or the database', () => {
  it('holds only its entry, source map, metafile and package.json, and bundles no bus or database code', () => {
    expectSelfContainedBundle('ssh');
  });
});
