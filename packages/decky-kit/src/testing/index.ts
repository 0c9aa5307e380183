/**
 * Test kit for service emulators: real protocol clients (installed on demand), event capture
 * parsed with @decnet/syslog, in-process and child-process service harnesses, a bounded
 * connection flood and the hardening attacks (huge declared lengths streamed, trickles, idle
 * hordes from many addresses), plus the vitest hooks that start and stop a service around a file.
 * Test files only; never imported by shipped code.
 *
 * ```ts
 * await ensureClients('curl');
 * const svc = await startTestService(service);
 * await runClient('curl', ['-s', `http://127.0.0.1:${svc.port}/`]);
 * const [req] = await svc.events.waitForType('request');
 * ```
 * @module
 */

// attack.ts
export type { IdleHorde, IdleHordeOptions, StreamAttackOptions, StreamAttackReport, TrickleOptions, TrickleReport } from './attack.js';
export { HORDE, MAX_ATTACK_RSS_KB, NEWCOMER_DEADLINE_MS, duringIdleHorde, idleHorde, loopbackAddresses, sampleRss, streamAttack, trickle } from './attack.js';
// clients.ts
export type { ClientName, ClientResult, ClientSpec, RunClientOptions } from './clients.js';
export { CLIENTS, MissingClientError, ensureClients, hasCommand, runClient } from './clients.js';
// events.ts
export type { CapturedEvent } from './events.js';
export { EventCollector, UnparsableLineError, decodeSecret, parseEmittedLine } from './events.js';
// harness.ts
export type { ServiceProcess, TestService } from './harness.js';
export { FORBIDDEN_IN_SERVICE_BUNDLES, WORKSPACE_ROOT, buildBundle, bundleInputs, readRssKb, spawnServiceBundle, startTestService } from './harness.js';
// flood.ts
export type { FloodOptions, FloodReport } from './flood.js';
export { floodTcp } from './flood.js';
// fuzz.ts
export { FUZZ_RUNS, mutatedExchange } from './fuzz.js';
// nmap.ts
export type { NmapFinding } from './nmap.js';
export { NMAP_TIMEOUT_MS, nmapVersionScan } from './nmap.js';
// suite.ts
export type { BundleUnderTest } from './suite.js';
export { MAX_RSS_GROWTH_KB, expectSelfContainedBundle, useServiceBundle, useTestService } from './suite.js';
