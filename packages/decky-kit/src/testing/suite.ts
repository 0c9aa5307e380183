// The vitest plumbing every service's nmap and flood test shared: start the service (in process,
// or as its bundle in a child) in beforeAll, stop it in afterAll, and the bundle-contents check.
// The handles forward to the service started in beforeAll, so test bodies read `svc.port`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import type { AnyServiceSpec } from '../service.js';
import { ensureClients, type ClientName } from './clients.js';
import { FORBIDDEN_IN_SERVICE_BUNDLES, WORKSPACE_ROOT, buildBundle, bundleInputs, spawnServiceBundle, startTestService, type ServiceProcess, type TestService } from './harness.js';

/** RSS growth allowed across the flood: buffers are capped per connection, so growth is GC slack, not data. */
export const MAX_RSS_GROWTH_KB = 64 * 1024;

/** What every flood test runs its bundle with: flood connections idle out quickly, stderr stays quiet. */
const BUNDLE_ENV: Readonly<Record<string, string>> = { DECNET_SERVICE_IDLE_TIMEOUT_S: '5', DECNET_LOG_LEVEL: 'warn' };

function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the service is not running (its beforeAll failed or has not run)');
  return value;
}

/**
 * Registers beforeAll (ensure `clients`, then {@link startTestService}) and afterAll (close).
 * @returns a handle forwarding to the started service.
 */
export function useTestService(spec: AnyServiceSpec, clients: readonly ClientName[], env: Record<string, string> = {}): TestService {
  let svc: TestService | undefined;
  beforeAll(async () => {
    await ensureClients(...clients);
    svc = await startTestService(spec, env);
  });
  afterAll(async () => {
    await svc?.close();
  });
  return {
    get port() {
      return started(svc).port;
    },
    get events() {
      return started(svc).events;
    },
    get service() {
      return started(svc).service;
    },
    close: () => started(svc).close(),
  };
}

/** Options of {@link useServiceBundle}. */
export interface BundleUnderTest {
  /** Service slug (`dist/services/<slug>`, bundle id `service-<slug>`). */
  readonly slug: string;
  /** The variable naming its port (set to 0). */
  readonly portEnv: string;
  /** Real clients the test drives it with. */
  readonly clients: readonly ClientName[];
  /** Added to (or overriding) the idle timeout of 5 s and log level `warn`. */
  readonly env?: Record<string, string>;
}

/**
 * Registers beforeAll (ensure the clients, build the bundle, {@link spawnServiceBundle}) and
 * afterAll (stop).
 * @returns a handle forwarding to the running child.
 */
export function useServiceBundle(options: BundleUnderTest): ServiceProcess {
  let proc: ServiceProcess | undefined;
  beforeAll(async () => {
    await ensureClients(...options.clients);
    buildBundle(`service-${options.slug}`);
    proc = await spawnServiceBundle(options.slug, options.portEnv, { ...BUNDLE_ENV, ...options.env });
  });
  afterAll(async () => {
    await proc?.stop();
  });
  return {
    get child() {
      return started(proc).child;
    },
    get pid() {
      return started(proc).pid;
    },
    get port() {
      return started(proc).port;
    },
    get events() {
      return started(proc).events;
    },
    stderr: () => started(proc).stderr(),
    rssKb: () => started(proc).rssKb(),
    stop: (graceMs) => started(proc).stop(graceMs),
  };
}

/**
 * Expects `dist/services/<slug>` to hold only its entry, source map, metafile and package.json
 * (plus chunks), and its metafile to list no bus or database code.
 */
export function expectSelfContainedBundle(slug: string): void {
  const dir = join(WORKSPACE_ROOT, 'dist/services', slug);
  expect(readdirSync(dir).filter((f) => f !== 'chunks').sort()).toEqual(['main.js', 'main.js.map', 'meta.json', 'package.json']);
  const inputs = bundleInputs(slug);
  expect(inputs.length).toBeGreaterThan(10);
  expect(inputs.filter((i) => FORBIDDEN_IN_SERVICE_BUNDLES.test(i))).toEqual([]);
}
