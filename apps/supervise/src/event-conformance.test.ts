// Conformance of every real worker to the event catalogue. All of them run on one MemoryBroker and
// the real Postgres, fed real lines (a tailed file, a forwarder over mutual TLS), until each has
// published every subject the catalogue says it produces. Then: everything published validates,
// names only declared fields and comes from a declared producer; and every subject each worker
// subscribes to, sent a malformed payload, is counted, logged and survived.
import { createServer, type Server } from 'node:http';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { WorkerRunner } from '@decnet/host';
import {
  EVENTS,
  EVENT_LIST,
  MemoryBroker,
  controlMessage,
  eventForSubject,
  patternsOverlap,
  type AnyEventSpec,
  type Bus,
  type Envelope,
  type WorkerSpec,
} from '@decnet/core';
import { eventually, recordingLogger, testConfig } from '@decnet/core/testing';
import type { Database } from '@decnet/db';
import { makeTestPki, type TestPki } from '@decnet/pki/testing';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import * as z from 'zod/mini';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
/** Upstream's rule files (test input, read in place). */
const RULES_DIR = resolve(ROOT, '../shared/upstream-data/ttp-rules');
const ATTACKER_IP = '198.51.100.7';
/** The subscription the webhook trips on: every delivery fails, so it disables it and says so. */
const TRIP_PATTERNS: readonly string[] = [EVENTS.ttpTagged.subject];

/** One hosted worker and what it subscribed to. */
interface Hosted {
  readonly name: string;
  readonly runner: WorkerRunner;
  readonly log: ReturnType<typeof recordingLogger>;
  /** Every pattern passed to `subscribe` (control included; the webhook's relays excluded below). */
  readonly patterns: Set<string>;
}

let pki: TestPki;
let dir: string;
let scratch: ScratchDatabase;
let database: Database;
let receiver: Server;
let broker: MemoryBroker;
let driver: Bus;
const published: Envelope[] = [];
const hosted = new Map<string, Hosted>();

/** A bus handle that remembers the patterns its worker subscribes to. */
function spying(bus: Bus, patterns: Set<string>): Bus {
  return {
    get clientName() {
      return bus.clientName;
    },
    publish: (subject, payload, options) => bus.publish(subject, payload, options),
    subscribe: (pattern, handler, options) => {
      patterns.add(pattern);
      return bus.subscribe(pattern, handler, options);
    },
    close: () => bus.close(),
    stats: () => bus.stats(),
  };
}

function host(spec: WorkerSpec): Hosted {
  const log = recordingLogger();
  const patterns = new Set<string>();
  const runner = new WorkerRunner({
    spec,
    bus: spying(broker.connect(spec.name), patterns),
    config: testConfig({ DATABASE_URL: scratch.url, DECNET_HEALTH_INTERVAL_MS: '200' }),
    log,
  });
  const entry = { name: spec.name, runner, log, patterns };
  hosted.set(spec.name, entry);
  runner.start();
  return entry;
}

/** The newest heartbeat detail `worker` published. */
function detailOf(worker: string): Record<string, unknown> {
  const beat = published.filter((e) => e.topic === EVENTS.health.subject(worker)).at(-1);
  return (beat?.payload.detail as Record<string, unknown> | undefined) ?? {};
}

/** A syslog line as a decky writes it, dated `secondsAgo` before now (the session aggregator keeps an hour). */
function line(secondsAgo: number, rest: string): string {
  return `<134>1 ${new Date(Date.now() - secondsAgo * 1000).toISOString()} ${rest}\n`;
}

const mail = (storedAs: string): string =>
  `decky-02 smtp_relay - message_stored [relay@55555 src_ip="${ATTACKER_IP}" stored_as="${storedAs}" mail_from="boss@evil.example" rcpt_to="a@corp.example,b@corp.example" sha256="${'ab'.repeat(32)}" size="120" subject="invoice"]`;

/** The publications of one catalogue entry by one worker. */
const publicationsOf = (worker: string, spec: AnyEventSpec): Envelope[] =>
  published.filter((e) => e.origin === worker && spec.matches(e.topic));

/** Workers the catalogue names as producers of `spec`, among those hosted here. */
const hostedProducers = (spec: AnyEventSpec): string[] =>
  [...hosted.keys()].filter((w) => spec.producers.includes(w) || spec.producers.includes('*'));

type JsonNode = { type?: string | string[]; properties?: Record<string, JsonNode>; required?: string[]; anyOf?: JsonNode[]; additionalProperties?: unknown };

/** A payload the entry's schema refuses: nothing, an extra key, or one field of the wrong type. */
function malformedPayload(spec: AnyEventSpec): Record<string, unknown> {
  const schema = z.toJSONSchema(spec.schema as z.ZodMiniType, { unrepresentable: 'any' }) as JsonNode;
  const fields = [...(schema.required ?? []), ...Object.keys(schema.properties ?? {})];
  const candidates = [{}, { unexpected: true }, ...fields.flatMap((f) => [42, 'not-a-number', true, [1], { x: 1 }].map((v) => ({ [f]: v })))];
  // Prefer a wrong type over a missing field: it is the harder case for a lenient consumer.
  const wrongType = candidates.slice(2).find((c) => !spec.schema.safeParse(c).success);
  const found = schema.anyOf || fields.length === 0 ? candidates.find((c) => !spec.schema.safeParse(c).success) : wrongType;
  if (!found) throw new Error(`no malformed payload found for ${spec.template}`);
  return found;
}

/** A concrete subject of `spec` that `pattern` matches (both describe one family's subjects). */
function concreteSubject(pattern: string, spec: AnyEventSpec): string {
  const p = pattern.split('.');
  const s = spec.pattern.split('.');
  const tokens: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const own = s[i] as string;
    const theirs = p[i];
    if (own === '>') {
      tokens.push(...(theirs === undefined || theirs === '>' || theirs === '*' ? ['conformance'] : p.slice(i)));
      break;
    }
    tokens.push(own !== '*' ? own : theirs !== undefined && theirs !== '*' && theirs !== '>' ? theirs : 'conformance');
  }
  return tokens.join('.');
}

/** The validated (non-relay) patterns of a worker. */
const validatedPatterns = (w: Hosted): string[] =>
  [...w.patterns].filter((p) => !(w.name === 'webhook' && TRIP_PATTERNS.includes(p)));

/** Rows in `logs`, read through @decnet/db's test helpers. */
let countLogs: () => Promise<number>;

beforeAll(async () => {
  pki = makeTestPki();
  dir = mkdtempSync(join(tmpdir(), 'decnet-conformance-'));
  const { countRows, migratedScratchDatabase } = await import('@decnet/db/testing');
  const { logs } = await import('@decnet/db');
  ({ scratch, database } = await migratedScratchDatabase());
  countLogs = () => countRows(database, logs);
  receiver = createServer((req, res) => {
    req.resume();
    res.writeHead(500).end('no');
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  broker = new MemoryBroker();
  broker.connect('conformance-probe').subscribe('>', (e) => void published.push(e), { broadcast: true, queueSize: 100_000 });
  driver = broker.connect('conformance-driver');
}, 120_000);

afterAll(async () => {
  for (const w of hosted.values()) await w.runner.close();
  await broker?.close();
  await new Promise((r) => receiver?.close(r));
  await database?.close();
  await scratch?.drop();
  pki?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('every worker speaks the event catalogue', () => {
  it('publishes every subject the catalogue says it produces, each valid, declared and from a declared producer', async () => {
    // This app loads workers lazily (its catalog), so the test does too.
    const { createCollectorWorker } = await import('@decnet/worker-collector');
    const { worker: fixtureWorker } = await import('@decnet/worker-fixture');
    const { worker: fixtureDbWorker } = await import('@decnet/worker-fixture-db');
    const { createForwarderWorker } = await import('@decnet/worker-forwarder');
    const { createIngesterWorker } = await import('@decnet/worker-ingester');
    const { createListenerWorker } = await import('@decnet/worker-listener');
    const { createProfilerWorker } = await import('@decnet/worker-profiler');
    const { createTtpWorker } = await import('@decnet/worker-ttp');
    const { createWebhookWorker, insertSubscription, normaliseSubscription, parseCidrList } = await import('@decnet/worker-webhook');
    const port = (receiver.address() as { port: number }).port;
    await insertSubscription(
      database.pool,
      normaliseSubscription({ name: 'trip', url: `http://127.0.0.1:${port}/hook`, patterns: TRIP_PATTERNS, secret: 'conformance-secret-0123' }),
    );
    const collectorFile = join(dir, 'decky.log');
    const forwardedFile = join(dir, 'forwarded.log');
    writeFileSync(collectorFile, '');
    writeFileSync(forwardedFile, '');

    host(createIngesterWorker());
    host(createProfilerWorker({ pollMs: 200 }));
    host(createTtpWorker({ rulesDir: RULES_DIR, pendingRetryMs: 100, ruleStateRefreshMs: 100, rulesReloadMs: 60_000 }));
    host(
      createWebhookWorker({
        allowCidrs: parseCidrList('127.0.0.1/32') as Extract<ReturnType<typeof parseCidrList>, unknown[]>,
        retryScheduleMs: [],
        timeoutMs: 2_000,
        reloadMs: 60_000,
        circuitThreshold: 1,
      }),
    );
    host(fixtureWorker);
    host(fixtureDbWorker);
    host(
      createCollectorWorker({
        listen: ['tcp'],
        port: 0,
        files: [collectorFile],
        stateFile: join(dir, 'collector.state'),
        pollMs: 20,
        systemLog: true,
      }),
    );
    host(
      createListenerWorker({
        env: { DECNET_LISTENER_PORT: '0', DECNET_LISTENER_CERT: pki.listener.cert, DECNET_LISTENER_KEY: pki.listener.key, DECNET_LISTENER_CA: pki.ca.cert },
      }),
    );
    await eventually(() => detailOf('listener').state === 'listening', 20_000, 50);
    host(
      createForwarderWorker({
        env: {
          DECNET_FORWARDER_FILE: forwardedFile,
          DECNET_FORWARDER_TARGET: `127.0.0.1:${String(detailOf('listener').port)}`,
          DECNET_FORWARDER_CERT: pki.agent.cert,
          DECNET_FORWARDER_KEY: pki.agent.key,
          DECNET_FORWARDER_CA: pki.ca.cert,
          DECNET_FORWARDER_STATE_FILE: join(dir, 'forwarder.state'),
          DECNET_FORWARDER_POLL_MS: '20',
        },
      }),
    );
    // Every hosted worker's subscriptions are registered once its heartbeat says it runs.
    await eventually(() => [...hosted.keys()].every((w) => published.some((e) => e.topic === EVENTS.health.subject(w))), 30_000, 50);
    await new Promise((r) => setTimeout(r, 500));

    // An attack, as the deckies log it: a password, a shell command, the recorded session, a relayed mail.
    appendFileSync(
      collectorFile,
      [
        line(40, `decky-01 ssh - auth_attempt [relay@55555 src_ip="${ATTACKER_IP}" username="root" secret_b64="MTIzNDU2" secret_printable="123456" outcome="failure"]`),
        `<14>1 ${new Date(Date.now() - 30_000).toISOString()} decky-01 bash - - -  CMD uid=0 user=root src=${ATTACKER_IP} pwd=/root cmd=cat /etc/shadow\n`,
        line(20, `decky-01 sessrec - session_recorded [relay@55555 sid="s1" service="ssh" src_ip="${ATTACKER_IP}" duration_s="60"]`),
        line(10, mail('m1.eml')),
      ].join(''),
    );
    appendFileSync(forwardedFile, line(5, 'decky-03 http - request [relay@55555 src_ip="203.0.113.9" method="GET" path="/.env"]'));
    // email.received needs the attacker the profiler creates; a second mail arrives once it exists.
    await eventually(() => publicationsOf('profiler', EVENTS.attackerObserved).some((e) => e.payload.attacker_ip === ATTACKER_IP), 30_000, 50);
    appendFileSync(collectorFile, line(1, mail('m2.eml')));
    await driver.publish(EVENTS.fixturePing.subject('fixture'), { seq: 1 });
    await driver.publish(EVENTS.fixturePing.subject('fixture-db'), { seq: 1 });

    const expected = EVENT_LIST.flatMap((spec) => hostedProducers(spec).map((w) => ({ w, spec })));
    const missing = (): string[] => expected.filter(({ w, spec }) => publicationsOf(w, spec).length === 0).map(({ w, spec }) => `${w}: ${spec.template}`);
    await eventually(() => missing().length === 0, 60_000, 100).catch(() => {
      throw new Error(`never published: ${missing().join('; ')}`);
    });

    const problems: string[] = [];
    for (const event of published.filter((e) => hosted.has(e.origin ?? ''))) {
      const spec = eventForSubject(event.topic);
      if (!spec) {
        problems.push(`${event.origin} published ${event.topic}, which is not in the catalogue`);
        continue;
      }
      const origin = event.origin as string;
      if (!spec.producers.includes(origin) && !spec.producers.includes('*')) problems.push(`${origin} is not a declared producer of ${spec.template}`);
      const parsed = spec.schema.safeParse(event.payload);
      if (!parsed.success) problems.push(`${origin} ${event.topic}: ${JSON.stringify(parsed.error.issues[0])}`);
      // Strict entries drop unknown keys when parsing: a difference is a field the catalogue does not declare.
      else if (!isDeepStrictEqual(asJson(parsed.data), asJson(event.payload)) && !looseEntry(spec)) {
        const undeclared = Object.keys(event.payload).filter((k) => !(k in (parsed.data as object)));
        problems.push(`${origin} ${event.topic}: undeclared or reshaped fields ${undeclared.join(', ') || '(nested)'}`);
      }
    }
    // The catalogue describes what is sent: every declared field of an entry with a producer here appears.
    for (const spec of EVENT_LIST.filter((s) => hostedProducers(s).length > 0)) {
      const schema = z.toJSONSchema(spec.schema as z.ZodMiniType, { unrepresentable: 'any' }) as JsonNode;
      const seen = new Set(published.filter((e) => spec.matches(e.topic) && hosted.has(e.origin ?? '')).flatMap((e) => Object.keys(e.payload)));
      const variants = schema.anyOf ?? [schema];
      const declared = variants.flatMap((v) => Object.keys(v.properties ?? {}));
      const never = declared.filter((k) => !seen.has(k));
      if (never.length > 0) problems.push(`${spec.template}: declared but never sent: ${never.join(', ')}`);
    }
    expect(problems).toEqual([]);
  }, 180_000);

  it('counts, logs and survives a malformed payload on every subject each worker subscribes to', async () => {
    const workers = [...hosted.values()];
    // The catalogue names the consumers that really subscribe, and every subscription has a family.
    for (const w of workers) {
      for (const pattern of validatedPatterns(w)) {
        const families = EVENT_LIST.filter((s) => patternsOverlap(pattern, s.pattern));
        expect(families.length, `${w.name} subscribes to ${pattern}`).toBeGreaterThan(0);
        expect(families.some((s) => s.consumers.includes(w.name) || s.consumers.includes('*')), `${w.name}: ${pattern}`).toBe(true);
      }
      for (const spec of EVENT_LIST.filter((s) => s.consumers.includes(w.name) || s.consumers.includes('*'))) {
        expect(validatedPatterns(w).some((p) => patternsOverlap(p, spec.pattern)), `${w.name} consumes ${spec.template}`).toBe(true);
      }
    }

    // One malformed event per (subject family, subscription) pair; each reaches every worker subscribed.
    const sends = new Map<string, { spec: AnyEventSpec; payload: Record<string, unknown> }>();
    for (const w of workers) {
      for (const pattern of validatedPatterns(w)) {
        for (const spec of EVENT_LIST.filter((s) => patternsOverlap(pattern, s.pattern))) {
          const payload = malformedPayload(spec);
          expect(spec.schema.safeParse(payload).success, `${spec.template} refuses ${JSON.stringify(payload)}`).toBe(false);
          sends.set(concreteSubject(pattern, spec), { spec, payload });
        }
      }
    }
    const received = (w: Hosted): { subject: string; template: string }[] =>
      [...sends]
        .filter(([subject]) => validatedPatterns(w).some((p) => patternsOverlap(p, subject)))
        .map(([subject, { spec }]) => ({ subject, template: spec.template }));
    const before = new Map(workers.map((w) => [w.name, { detail: detailOf(w.name), warnings: w.log.lines.filter((l) => l.level === 'warn').length }]));
    for (const [subject, { payload }] of sends) await driver.publish(subject, payload);

    const dropsOf = (w: Hosted): { registry: Record<string, number>; own: number } => {
      const detail = detailOf(w.name);
      return { registry: (detail.malformedEvents as Record<string, number> | undefined) ?? {}, own: (detail.malformed as number | undefined) ?? 0 };
    };
    const counted = (w: Hosted): boolean => {
      const wanted = received(w);
      const { registry, own } = dropsOf(w);
      const ownBefore = (before.get(w.name)?.detail.malformed as number | undefined) ?? 0;
      // ttp validates in its own edge (jobs.ts) and counts in `malformed`; control and the rest go through subscribeEvent.
      const viaOwnEdge = wanted.filter((r) => w.name === 'ttp' && r.template !== EVENTS.control.template);
      const viaRegistry = wanted.filter((r) => !viaOwnEdge.includes(r));
      const perTemplate = new Map<string, number>();
      for (const r of viaRegistry) perTemplate.set(r.template, (perTemplate.get(r.template) ?? 0) + 1);
      return [...perTemplate].every(([t, n]) => (registry[t] ?? 0) >= n) && own - ownBefore >= viaOwnEdge.length;
    };
    await eventually(() => workers.every(counted), 20_000, 100).catch(() => {
      throw new Error(
        `not counted: ${workers
          .filter((w) => !counted(w))
          .map((w) => `${w.name} got ${JSON.stringify(received(w))}, reports ${JSON.stringify(dropsOf(w))}`)
          .join('; ')}`,
      );
    });

    for (const w of workers) {
      const warnings = w.log.lines.filter((l) => l.level === 'warn').slice(before.get(w.name)?.warnings ?? 0);
      expect(warnings.some((l) => l.message === 'malformed control message ignored'), `${w.name} logs its malformed control`).toBe(true);
      if (received(w).some((r) => r.template !== EVENTS.control.template)) {
        expect(warnings.some((l) => l.message !== 'malformed control message ignored' && /malformed/.test(l.message)), `${w.name} logs a malformed event`).toBe(true);
      }
      expect(w.runner.state, w.name).toBe('running');
      expect(w.runner.restarts, w.name).toBe(0);
    }

    // Still working: each handles a good event after the bad ones.
    const logsBefore = await countLogs();
    const wakesBefore = detailOf('profiler').wakes as number;
    const reloadsBefore = detailOf('webhook').reloads as number;
    const ttpBefore = detailOf('ttp');
    await driver.publish(EVENTS.fixturePing.subject('fixture'), { seq: 2 });
    await driver.publish(EVENTS.fixturePing.subject('fixture-db'), { seq: 2 });
    await driver.publish(EVENTS.logEvent.subject('ssh'), {
      timestamp: '2026-05-02 06:00:25',
      time: '2026-05-02T06:00:25.000Z',
      decky: 'decky-01',
      service: 'ssh',
      event_type: 'login',
      attacker_ip: ATTACKER_IP,
      fields: {},
      msg: '',
      raw_line: 'after the malformed ones',
    });
    await driver.publish(EVENTS.systemLog.subject, { component: 'ingester', flushed: 1, position: null }, { type: 'batch_committed' });
    await driver.publish(EVENTS.attackerScored.subject, { attacker_ip: ATTACKER_IP, event_count: 9 });
    await driver.publish(EVENTS.webhookSubscriptionsChanged.subject, {}, { type: 'changed' });
    for (const w of workers) await driver.publish(EVENTS.control.subject(w.name), controlMessage('start', 'conformance'));

    const pong = (worker: string): boolean => published.some((e) => e.topic === EVENTS.fixturePong.subject(worker) && e.payload.seq === 2);
    await eventually(async () => {
      const logs = await countLogs();
      const ttp = detailOf('ttp');
      return (
        pong('fixture') &&
        pong('fixture-db') &&
        logs > logsBefore &&
        (detailOf('profiler').wakes as number) > wakesBefore &&
        (detailOf('webhook').reloads as number) > reloadsBefore &&
        (ttp.events as number) > (ttpBefore.events as number) &&
        ttp.malformed === ttpBefore.malformed &&
        workers.every((w) => w.log.lines.some((l) => l.message === 'control action' && l.meta.action === 'start'))
      );
    }, 20_000, 100);
    for (const w of workers) expect(w.runner.state, w.name).toBe('running');
  }, 120_000);
});

/** What a value looks like on the wire (absent and undefined are one). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** Entries that keep unknown keys on purpose (fields vary by probe kind, provider or sniffer type). */
function looseEntry(spec: AnyEventSpec): boolean {
  const schema = z.toJSONSchema(spec.schema as z.ZodMiniType, { unrepresentable: 'any' }) as JsonNode;
  return typeof schema.additionalProperties === 'object';
}
