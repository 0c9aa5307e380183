// DECNET_COLLECTOR_* options: defaults written once, every invalid key reported together.
import { ConfigValidationError } from '@decnet/core';
import { describe, expect, it } from 'vitest';
import { COLLECTOR_DEFAULTS, compileCollectorOptions, defaultStateFile } from './options.js';

describe('collector options come from DECNET_COLLECTOR_* with documented defaults', () => {
  it('applies the defaults when nothing is set', () => {
    const o = compileCollectorOptions({}, '/var/lib/decnet');
    expect(o).toEqual({ ...COLLECTOR_DEFAULTS, stateFile: '/var/lib/decnet/collector/checkpoints.json' });
    expect(o.bind).toBe('127.0.0.1');
    expect(o.port).toBe(5514);
    expect(defaultStateFile('/h')).toBe('/h/collector/checkpoints.json');
  });
  it('reads every key', () => {
    const o = compileCollectorOptions(
      {
        DECNET_COLLECTOR_BIND: '::1',
        DECNET_COLLECTOR_PORT: '6000',
        DECNET_COLLECTOR_LISTEN: 'tcp',
        DECNET_COLLECTOR_FILES: '/a.log, /b.log,/a.log',
        DECNET_COLLECTOR_STATE_FILE: '/s.json',
        DECNET_COLLECTOR_RL_WINDOW_SEC: '2.5',
        DECNET_COLLECTOR_RL_EVENT_TYPES: 'connect',
        DECNET_COLLECTOR_DROP_APPS: 'sshd,foo',
        DECNET_COLLECTOR_MAX_LINE_BYTES: '2048',
        DECNET_COLLECTOR_MAX_CONNECTIONS: '3',
        DECNET_COLLECTOR_IDLE_TIMEOUT_SEC: '9',
        DECNET_COLLECTOR_POLL_MS: '50',
        DECNET_COLLECTOR_SESSION_AGG_TTL_SEC: '0',
        DECNET_COLLECTOR_SYSTEM_LOG: 'true',
        DECNET_COLLECTOR_MAX_INFLIGHT: '500',
      },
      '/h',
    );
    expect(o).toEqual({
      bind: '::1',
      port: 6000,
      listen: ['tcp'],
      files: ['/a.log', '/b.log'],
      stateFile: '/s.json',
      rlWindowSec: 2.5,
      rlEventTypes: ['connect'],
      dropApps: ['sshd', 'foo'],
      maxLineBytes: 2048,
      maxConnections: 3,
      idleTimeoutSec: 9,
      pollMs: 50,
      sessionAggTtlSec: 0,
      systemLog: true,
      maxInflight: 500,
    });
    expect(compileCollectorOptions({ DECNET_COLLECTOR_LISTEN: 'none' }, '/h').listen).toEqual([]);
  });
  it('reports every invalid key at once', () => {
    let caught: unknown;
    try {
      compileCollectorOptions(
        { DECNET_COLLECTOR_PORT: '70000', DECNET_COLLECTOR_LISTEN: 'sctp', DECNET_COLLECTOR_FILES: 'relative.log', DECNET_COLLECTOR_SYSTEM_LOG: 'yes' },
        '/h',
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigValidationError);
    expect((caught as ConfigValidationError).errors.map((e) => e.key)).toEqual([
      'DECNET_COLLECTOR_PORT',
      'DECNET_COLLECTOR_LISTEN',
      'DECNET_COLLECTOR_FILES',
      'DECNET_COLLECTOR_SYSTEM_LOG',
    ]);
  });
});
