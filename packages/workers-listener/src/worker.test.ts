import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS, MemoryBroker, silentLogger, type Envelope } from '@decnet/core';
import { WorkerRunner } from '@decnet/host';
import { captureEvents, eventually, testConfig } from '@decnet/core/testing';
import { makeTestPki, type TestPki } from '@decnet/pki/testing';
import { encodeOctetCounted } from '@decnet/syslog';
import { createListenerWorker } from './index.js';
import { compileListenerOptions, defaultListenerPaths } from './options.js';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

function host(env: Record<string, string>): { runner: WorkerRunner; broker: MemoryBroker } {
  const broker = new MemoryBroker();
  const runner = new WorkerRunner({
    spec: createListenerWorker({ env }),
    bus: broker.connect('listener'),
    config: testConfig({ DECNET_HEALTH_INTERVAL_MS: '100' }),
    log: silentLogger,
    control: false,
  });
  return { runner, broker };
}

const latestDetail = (events: Envelope[]): Record<string, unknown> =>
  (events.at(-1)?.payload.detail as Record<string, unknown> | undefined) ?? {};

describe('the listener worker runs under a host like every worker', () => {
  it('listens on the configured address, publishes received lines and reports its counters in health', async () => {
    const { runner, broker } = host({
      DECNET_LISTENER_PORT: '0',
      DECNET_LISTENER_CERT: pki.listener.cert,
      DECNET_LISTENER_KEY: pki.listener.key,
      DECNET_LISTENER_CA: pki.ca.cert,
    });
    const health = captureEvents(broker.connect('t1'), EVENTS.health.subject('listener'));
    const logs = captureEvents(broker.connect('t2'), EVENTS.logEvent.pattern);
    runner.start();
    try {
      await eventually(() => latestDetail(health.events).state === 'listening', 10_000);
      const port = latestDetail(health.events).port as number;
      expect(latestDetail(health.events).address).toBe('127.0.0.1');
      const socket = tls.connect({ host: '127.0.0.1', port, ca: readFileSync(pki.ca.cert), cert: readFileSync(pki.agent.cert), key: readFileSync(pki.agent.key) });
      await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
      socket.write(encodeOctetCounted('<134>1 2026-05-02T06:00:25Z decky-01 http - request [relay@55555 src_ip="203.0.113.9"]'));
      const [event] = await logs.waitFor(1);
      expect(event).toMatchObject({ topic: EVENTS.logEvent.subject('http'), payload: { source_worker: 'agent-01', attacker_ip: '203.0.113.9' } });
      await eventually(() => latestDetail(health.events).published === 1, 5_000);
      expect(health.events.at(-1)?.payload.eventsHandled).toBe(1);
      socket.destroy();
    } finally {
      await runner.close();
      await broker.close();
    }
  });

  it('idles, reporting the missing files, when the PKI does not exist yet, and stops promptly', async () => {
    const { runner, broker } = host({ DECNET_LISTENER_PORT: '0', DECNET_LISTENER_CERT: '/nonexistent/listener.crt' });
    const health = captureEvents(broker.connect('t'), EVENTS.health.subject('listener'));
    runner.start();
    await eventually(() => latestDetail(health.events).state === 'waiting_for_pki', 5_000);
    expect(latestDetail(health.events).missing).toContain('/nonexistent/listener.crt');
    expect(runner.state).toBe('running');
    const began = Date.now();
    await runner.close();
    expect(Date.now() - began).toBeLessThan(2_000);
    await broker.close();
  });

  it('starts listening without a restart once the PKI appears, looking again every DECNET_LISTENER_PKI_RETRY_MS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'listener-pki-'));
    const files = { cert: join(dir, 'listener.crt'), key: join(dir, 'listener.key'), ca: join(dir, 'ca.crt') };
    const { runner, broker } = host({
      DECNET_LISTENER_PORT: '0',
      DECNET_LISTENER_CERT: files.cert,
      DECNET_LISTENER_KEY: files.key,
      DECNET_LISTENER_CA: files.ca,
      DECNET_LISTENER_PKI_RETRY_MS: '200',
    });
    const health = captureEvents(broker.connect('t'), EVENTS.health.subject('listener'));
    try {
      runner.start();
      await eventually(() => latestDetail(health.events).state === 'waiting_for_pki', 5_000);
      copyFileSync(pki.listener.cert, files.cert);
      copyFileSync(pki.listener.key, files.key);
      copyFileSync(pki.ca.cert, files.ca);
      await eventually(() => latestDetail(health.events).state === 'listening', 5_000);
      expect(runner.restarts).toBe(0);
    } finally {
      await runner.close();
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails (and is restarted by its host) when the TLS files are not usable', async () => {
    const { runner, broker } = host({
      DECNET_LISTENER_PORT: '0',
      DECNET_LISTENER_CERT: pki.ca.key,
      DECNET_LISTENER_KEY: pki.listener.key,
      DECNET_LISTENER_CA: pki.ca.cert,
    });
    runner.start();
    await eventually(() => runner.state === 'backoff', 5_000);
    await runner.close();
    await broker.close();
  });
});

describe('listener options default to loopback, port 6514 and the PKI under DECNET_HOME', () => {
  it('applies the documented defaults', () => {
    const options = compileListenerOptions({}, '/var/lib/decnet');
    expect(options).toMatchObject({ bind: '127.0.0.1', port: 6514, maxFrameBytes: 65536, pkiRetryMs: 15_000, ...defaultListenerPaths('/var/lib/decnet') });
    expect(options.certFile).toBe('/var/lib/decnet/pki/listener.crt');
    expect(options.caFile).toBe('/var/lib/decnet/pki/ca.crt');
  });
  it('reports every invalid key at once', () => {
    expect(() =>
      compileListenerOptions(
        { DECNET_LISTENER_BIND: 'example.org', DECNET_LISTENER_PORT: '70000', DECNET_LISTENER_CA: 'rel/ca.crt', DECNET_LISTENER_PKI_RETRY_MS: '5' },
        '/h',
      ),
    ).toThrow(/DECNET_LISTENER_BIND[\s\S]*DECNET_LISTENER_PORT[\s\S]*DECNET_LISTENER_CA[\s\S]*DECNET_LISTENER_PKI_RETRY_MS/);
  });
});
