import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORWARDER_DEFAULTS, compileForwarderOptions, defaultStateFile, parseTarget } from './options.js';
import { loadState, saveState } from './state.js';
import { composeState } from './worker.js';

describe('forwarder options default as documented and are validated all at once', () => {
  it('leaves file and target unset, puts the PKI and state under DECNET_HOME', () => {
    const options = compileForwarderOptions({}, '/var/lib/decnet');
    expect(options).toMatchObject({
      ...FORWARDER_DEFAULTS,
      file: undefined,
      target: undefined,
      certFile: '/var/lib/decnet/pki/forwarder.crt',
      keyFile: '/var/lib/decnet/pki/forwarder.key',
      caFile: '/var/lib/decnet/pki/ca.crt',
    });
    expect(FORWARDER_DEFAULTS.maxLineBytes).toBe(65452);
    const withFile = compileForwarderOptions({ DECNET_FORWARDER_FILE: '/var/log/decnet/agent.log' }, '/h');
    expect(withFile.stateFile).toBe(defaultStateFile('/h', '/var/log/decnet/agent.log'));
    expect(withFile.stateFile).toMatch(/^\/h\/forwarder\/[0-9a-f]{16}\.json$/);
  });
  it('parses host:port and [v6]:port targets', () => {
    expect(parseTarget('master.lan:6514')).toEqual({ host: 'master.lan', port: 6514 });
    expect(parseTarget('10.0.0.1:1')).toEqual({ host: '10.0.0.1', port: 1 });
    expect(parseTarget('[2001:db8::1]:6514')).toEqual({ host: '2001:db8::1', port: 6514 });
    for (const bad of ['master', ':6514', 'a:0', 'a:70000', '2001:db8::1:6514', '[zz]:1', 'a b:1']) expect(parseTarget(bad), bad).toBeUndefined();
  });
  it('reports every invalid key', () => {
    expect(() =>
      compileForwarderOptions({ DECNET_FORWARDER_FILE: 'relative.log', DECNET_FORWARDER_TARGET: 'nope', DECNET_FORWARDER_POLL_MS: '5' }, '/h'),
    ).toThrow(/DECNET_FORWARDER_FILE[\s\S]*DECNET_FORWARDER_TARGET[\s\S]*DECNET_FORWARDER_POLL_MS/);
  });
});

describe('the saved state survives reopening and never breaks a start', () => {
  it('round-trips, and reads garbage, another file or nothing as "start over"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'decnet-fwd-state-'));
    try {
      const path = join(dir, 'sub', 'state.json');
      expect(await loadState(path, '/f')).toEqual({ generations: null, reason: 'missing' });
      const generations = [
        { fileId: '1:2', head: 'aGk=', offset: 10 },
        { fileId: '1:3', head: null, offset: 0 },
      ];
      await saveState(path, '/f', generations);
      expect(await loadState(path, '/f')).toEqual({ generations });
      expect(await loadState(path, '/other')).toEqual({ generations: null, reason: 'other_file' });
      writeFileSync(path, '{"v":1,"file":"/f","generations":[{"fileId":"x"}]');
      expect(await loadState(path, '/f')).toEqual({ generations: null, reason: 'unreadable' });
      writeFileSync(path, JSON.stringify({ v: 1, file: '/f', generations: [{ fileId: '1:2', head: null, offset: -1 }], savedAt: '' }));
      expect(await loadState(path, '/f')).toEqual({ generations: null, reason: 'unreadable' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('composes the acknowledged generation first, then later ones once each, from offset 0', () => {
    const a = { fileId: '1:1', head: 'YQ==', stream: 'sa' };
    const b = { fileId: '1:2', head: 'Yg==', stream: 'sb' };
    expect(composeState({ ...a, offset: 42 }, [a, b], [{ fileId: '1:2', head: 'Yg==' }, { fileId: '1:3', head: null }])).toEqual([
      { fileId: '1:1', head: 'YQ==', offset: 42 },
      { fileId: '1:2', head: 'Yg==', offset: 0 },
      { fileId: '1:3', head: null, offset: 0 },
    ]);
    expect(composeState(null, [], [{ fileId: '1:3', head: null }])).toEqual([{ fileId: '1:3', head: null, offset: 0 }]);
  });
});
