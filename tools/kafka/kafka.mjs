#!/usr/bin/env node
// A local single-node Apache Kafka (KRaft, loopback only) for development and tests: fetches the
// broker jars from Maven Central once, then starts, stops, kills and restarts brokers.
// Plain ESM JavaScript so it runs without a build: `node tools/kafka/kafka.mjs start|stop|status`.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';

/** Broker version fetched by pom.xml; kept in step with its `kafka.version`. */
export const KAFKA_VERSION = '3.9.2';
/** Directory of this tool. */
const TOOL_DIR = dirname(fileURLToPath(import.meta.url));
/** Everything downloaded or generated lives here (gitignored). */
export const KAFKA_HOME = join(TOOL_DIR, '.kafka');
/** The broker's class path. */
const LIB_DIR = join(KAFKA_HOME, 'lib');
/** Held while Maven fetches jars, so concurrent starts fetch once. */
const FETCH_LOCK = join(KAFKA_HOME, 'fetch.lock');
/** One file per running broker: lets a later start kill brokers whose owner process died. */
const RUN_DIR = join(KAFKA_HOME, 'run');
/** Class-data-sharing archives: a broker's classes, mapped at start instead of parsed (~45% less CPU). */
const CDS_DIR = join(KAFKA_HOME, 'cds');
/** Data directory the CLI uses when none is given (persists between `start`s). */
const CLI_DATA_DIR = join(KAFKA_HOME, 'data');
/** Port the CLI uses when none is given: the default of `KAFKA_BROKERS`. */
const CLI_DEFAULT_PORT = 9092;

/** JVM flags for a 2-core box: small heap, serial GC (no parallel GC threads competing with tests). */
const JVM_FLAGS = [
  '-Xms64m',
  '-Xmx512m',
  '-XX:+UseSerialGC',
  '-XX:MaxDirectMemorySize=256m',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
  '-Dzookeeper.jmx.log4j.disable=true',
];
/** A cold JVM plus KRaft bootstrap on a busy 2-core box can take this long. */
const READY_TIMEOUT_MS = 120_000;
/** SIGTERM gets this long for a controlled shutdown before SIGKILL. */
const STOP_DEADLINE_MS = 20_000;
/** Maven on a cold cache downloads ~46 MB; give up on the lock after this. */
const FETCH_LOCK_TIMEOUT_MS = 10 * 60_000;
/** Per-root topics default to this many partitions: enough for a few instances to share work. */
export const DEFAULT_PARTITIONS = 4;
/**
 * Largest record batch the broker accepts. A maximal 1 MiB envelope plus headers and batch
 * overhead must fit; bus-kafka also sets `max.message.bytes` per topic.
 */
const MESSAGE_MAX_BYTES = 2 * 1024 * 1024;

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function normaliseLog(log) {
  if (!log) return silent;
  return {
    debug: (m, meta) => log.debug?.(m, meta),
    info: (m, meta) => log.info?.(m, meta),
    warn: (m, meta) => log.warn?.(m, meta),
    error: (m, meta) => log.error?.(m, meta),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** True when a process with this pid exists (and is not a zombie we could reap). */
function isAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return err.code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** True when `pid` is a Kafka broker started on `dataDir` (guards against a recycled pid). */
function isOurBroker(pid, dataDir) {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(dataDir);
  } catch {
    return false;
  }
}

function jarsPresent() {
  try {
    return readFileSync(join(LIB_DIR, '.complete'), 'utf8').trim() === KAFKA_VERSION;
  } catch {
    return false;
  }
}

async function withFileLock(path, fn) {
  mkdirSync(dirname(path), { recursive: true });
  const deadline = Date.now() + FETCH_LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let holder = 0;
      try {
        holder = Number(readFileSync(path, 'utf8'));
      } catch {
        continue;
      }
      // A holder that died (or wrote nothing yet for a long while) leaves a stale lock.
      const age = (() => {
        try {
          return Date.now() - statSync(path).mtimeMs;
        } catch {
          return 0;
        }
      })();
      if ((holder && !isAlive(holder)) || (!holder && age > 10_000)) {
        rmSync(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${path} (held by pid ${holder})`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}

/**
 * Fetches the broker jars into tools/kafka/.kafka/lib with Maven unless they are already there.
 * Concurrent callers (several vitest projects, CI steps) serialise on a lock file and fetch once.
 * @throws Error when Maven fails (its output is in the message).
 */
export async function ensureKafkaJars(options = {}) {
  const log = normaliseLog(options.log);
  if (jarsPresent()) return LIB_DIR;
  await withFileLock(FETCH_LOCK, async () => {
    if (jarsPresent()) return;
    const staging = `${LIB_DIR}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    log.info('fetching Kafka broker jars with Maven', { version: KAFKA_VERSION });
    const started = Date.now();
    const mvn = spawnSync(
      'mvn',
      ['-q', '-B', '-f', join(TOOL_DIR, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (mvn.error || mvn.status !== 0) {
      rmSync(staging, { recursive: true, force: true });
      const output = `${mvn.stdout ?? ''}${mvn.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
      const hint = mvn.error?.code === 'ENOENT' ? ' (is Maven installed and on PATH?)' : '';
      throw new Error(`mvn dependency:copy-dependencies failed (${mvn.error?.message ?? `exit ${mvn.status}`})${hint}:\n${output}`);
    }
    if (!existsSync(join(staging, `kafka_2.13-${KAFKA_VERSION}.jar`))) {
      rmSync(staging, { recursive: true, force: true });
      throw new Error(`Maven finished but kafka_2.13-${KAFKA_VERSION}.jar is missing from ${staging}`);
    }
    writeFileSync(join(staging, '.complete'), `${KAFKA_VERSION}\n`);
    rmSync(LIB_DIR, { recursive: true, force: true });
    renameSync(staging, LIB_DIR);
    log.info('Kafka broker jars fetched', { ms: Date.now() - started, dir: LIB_DIR });
  });
  return LIB_DIR;
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; a race with another binder is unlikely). */
export function findFreePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolveConnect) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolveConnect(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function serverProperties({ port, controllerPort, dataDir }) {
  return `# Written by tools/kafka/kafka.mjs on every start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${join(dataDir, 'data')}
# We create every topic ourselves (bus-kafka does at open); a typo must fail, not make a topic.
auto.create.topics.enable=false
num.partitions=${DEFAULT_PARTITIONS}
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
# Fewer offsets partitions than the default 50: faster start, plenty for a test broker.
offsets.topic.num.partitions=8
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
# Tests join groups constantly; the default 3 s delay would make every join slow.
group.initial.rebalance.delay.ms=0
# After a kill, a restarted broker cannot register until its old incarnation's session expires
# (default 9 s); a short session makes crash-restart tests fast.
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=2000
message.max.bytes=${MESSAGE_MAX_BYTES}
replica.fetch.max.bytes=${MESSAGE_MAX_BYTES}
# A 2-core box: few threads.
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
log.cleaner.threads=1
log.retention.hours=24
log.segment.bytes=67108864
log.retention.check.interval.ms=60000
`;
}

const LOG4J_PROPERTIES = `# Written by tools/kafka/kafka.mjs. Broker diagnostics go to a file, never to our stdout.
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=\${kafka.logs.dir}/server.log
log4j.appender.file.MaxFileSize=10MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
`;

function tail(path, lines = 25) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

function prepareDataDir(dataDir, port, controllerPort) {
  mkdirSync(join(dataDir, 'data'), { recursive: true });
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  writeFileSync(join(dataDir, 'server.properties'), serverProperties({ port, controllerPort, dataDir }));
  writeFileSync(join(dataDir, 'log4j.properties'), LOG4J_PROPERTIES);
}

function findJava() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'java');
    if (existsSync(candidate)) return realpathSync(candidate);
  }
  return undefined;
}

/**
 * Where this JDK + jar set keeps its class-data-sharing archive. The JVM checks an archive
 * against its own build and the jars anyway; keying the name on both means a new JDK or a
 * refetch simply makes a new archive instead of tripping over an old one.
 */
function cdsArchivePath() {
  try {
    const java = findJava();
    if (!java) return undefined;
    const jvm = statSync(java);
    const jars = statSync(join(LIB_DIR, '.complete'));
    const key = createHash('sha256').update(`${java}|${jvm.size}|${jvm.mtimeMs}|${jars.mtimeMs}|${KAFKA_VERSION}`).digest('hex').slice(0, 12);
    return join(CDS_DIR, `kafka-${KAFKA_VERSION}-${key}.jsa`);
  } catch {
    return undefined;
  }
}

/**
 * JVM flags for class-data sharing: use the archive when there is one; otherwise (for a broker,
 * outside CI) have the JVM write one when it exits cleanly, to a temporary name that {@link adoptCdsArchive}
 * renames once the process is gone.
 */
function cdsFlags(forBroker) {
  const archive = cdsArchivePath();
  if (!archive) return { flags: [] };
  if (existsSync(archive)) return { flags: [`-XX:SharedArchiveFile=${archive}`, '-Xlog:cds=off', '-Xlog:cds+dynamic=off'] };
  // Writing the archive costs seconds at the broker's exit; a CI run on a fresh clone would pay
  // that and never use it, so only persistent (developer) checkouts make one.
  if (!forBroker || process.env.CI) return { flags: [] };
  mkdirSync(CDS_DIR, { recursive: true });
  const pending = `${archive}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  return { flags: [`-XX:ArchiveClassesAtExit=${pending}`, '-Xlog:cds=off', '-Xlog:cds+dynamic=off'], pending, archive };
}

/** After a broker exited: keep the archive it wrote (first one wins), or drop a partial one. */
function adoptCdsArchive(entry) {
  if (!entry?.cdsPending) return;
  try {
    if (existsSync(entry.cdsPending) && !existsSync(entry.cdsArchive) && statSync(entry.cdsPending).size > 0) {
      renameSync(entry.cdsPending, entry.cdsArchive);
    }
  } catch {
    // another broker adopted its archive first
  }
  rmSync(entry.cdsPending, { force: true });
}

function javaArgs(dataDir, extraFlags = []) {
  return [
    ...JVM_FLAGS,
    ...extraFlags,
    `-Dlog4j.configuration=file:${join(dataDir, 'log4j.properties')}`,
    `-Dkafka.logs.dir=${join(dataDir, 'logs')}`,
    '-cp',
    `${LIB_DIR}/*`,
  ];
}

/** Formats the KRaft storage once per data dir (a random cluster id each time). */
function formatStorage(dataDir) {
  if (existsSync(join(dataDir, 'data', 'meta.properties'))) return;
  // Kafka cluster ids are 16 random bytes in URL-safe base64 without padding (22 characters).
  let clusterId = randomBytes(16).toString('base64url');
  // An id starting with '-' would be read by the tool's argument parser as an option.
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const result = spawnSync(
    'java',
    [...javaArgs(dataDir, cdsFlags(false).flags), 'kafka.tools.StorageTool', 'format', '--cluster-id', clusterId, '--config', join(dataDir, 'server.properties'), '--ignore-formatted'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.error || result.status !== 0) {
    throw new Error(`kafka storage format failed (${result.error?.message ?? `exit ${result.status}`}):\n${`${result.stdout}${result.stderr}`.trim()}`);
  }
}

function registryPath(pid) {
  return join(RUN_DIR, `${pid}.json`);
}

function register(entry) {
  mkdirSync(RUN_DIR, { recursive: true });
  writeFileSync(registryPath(entry.pid), JSON.stringify(entry));
}

function readRegistry(pid) {
  try {
    return JSON.parse(readFileSync(registryPath(pid), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Forgets a broker that has exited. After a clean exit the class-data archive it wrote at exit
 * is kept; after a kill it may be partial, so it is dropped.
 */
function unregister(pid, { clean = false } = {}) {
  const entry = readRegistry(pid);
  if (clean) adoptCdsArchive(entry);
  else if (entry?.cdsPending) rmSync(entry.cdsPending, { force: true });
  rmSync(registryPath(pid), { force: true });
}

/**
 * Kills brokers whose owner process has gone (a test run that crashed before its teardown) and
 * removes their temporary data. Only brokers this tool started, recognised by pid and command line.
 */
export function reapOrphanBrokers(log = silent) {
  let files = [];
  try {
    files = readdirSync(RUN_DIR).filter((f) => f.endsWith('.json'));
  } catch {
    return;
  }
  for (const file of files) {
    let entry;
    try {
      entry = JSON.parse(readFileSync(join(RUN_DIR, file), 'utf8'));
    } catch {
      rmSync(join(RUN_DIR, file), { force: true });
      continue;
    }
    if (entry.ownerPid && isAlive(entry.ownerPid)) continue;
    if (!entry.ownerPid && isAlive(entry.pid)) continue; // started by the CLI: lives until `stop`
    if (isAlive(entry.pid) && isOurBroker(entry.pid, entry.dataDir)) {
      log.warn?.('killing orphaned Kafka broker', { pid: entry.pid, ownerPid: entry.ownerPid });
      try {
        process.kill(entry.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (entry.ephemeral) rmSync(entry.dataDir, { recursive: true, force: true });
    if (entry.cdsPending) rmSync(entry.cdsPending, { force: true });
    rmSync(join(RUN_DIR, file), { force: true });
  }
}

async function waitForExit(pid, child, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child ? child.exitCode !== null || child.signalCode !== null : !isAlive(pid)) return true;
    await sleep(50);
  }
  return false;
}

/**
 * Waits until the broker really serves clients: the port accepts, a metadata request lists the
 * broker, and the group coordinator answers (this also creates `__consumer_offsets`, so the first
 * consumer group join of a test does not pay for it).
 */
async function waitUntilReady(port, isRunning, describeFailure, timeoutMs = READY_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  const check = () => {
    if (!isRunning()) throw new Error(`Kafka exited during start-up:\n${describeFailure()}`);
    if (Date.now() > deadline) throw new Error(`Kafka not ready on 127.0.0.1:${port} after ${timeoutMs} ms:\n${describeFailure()}`);
  };
  while (!(await canConnect(port))) {
    check();
    await sleep(100);
  }
  const kafka = new kafkajs.Kafka({
    clientId: 'decnet-kafka-probe',
    brokers: [`127.0.0.1:${port}`],
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: 2_000,
    retry: { retries: 0 },
  });
  for (;;) {
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0) {
        await admin.describeGroups(['decnet-kafka-probe']);
        return;
      }
    } catch {
      // not yet: the broker is still fenced or the coordinator is loading
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    check();
    await sleep(200);
  }
}

function launch({ dataDir, detached, ownerPid, ephemeral, port, controllerPort }) {
  const outPath = join(dataDir, 'kafka.out');
  const out = openSync(outPath, 'a');
  const cds = cdsFlags(true);
  const child = spawn('java', [...javaArgs(dataDir, cds.flags), 'kafka.Kafka', join(dataDir, 'server.properties')], {
    stdio: ['ignore', out, out],
    detached,
  });
  closeSync(out);
  if (detached) child.unref();
  if (child.pid === undefined) throw new Error('could not start java (is a JDK 17+ on PATH?)');
  const entry = { pid: child.pid, ownerPid, dataDir, ephemeral, port, controllerPort, startedAt: Date.now(), cdsPending: cds.pending, cdsArchive: cds.archive };
  register(entry);
  return child;
}

function describeFailure(dataDir) {
  return () => `--- kafka.out ---\n${tail(join(dataDir, 'kafka.out'))}\n--- server.log ---\n${tail(join(dataDir, 'logs', 'server.log'))}`;
}

/**
 * Starts a single-node KRaft Kafka (combined broker and controller) listening only on 127.0.0.1.
 *
 * @param {import('./kafka.d.mts').StartKafkaOptions} [options]
 * @returns {Promise<import('./kafka.d.mts').KafkaBroker>}
 */
export async function startKafka(options = {}) {
  const log = normaliseLog(options.log);
  await ensureKafkaJars({ log: options.log });
  reapOrphanBrokers(log);
  const ephemeral = options.dataDir === undefined;
  const dataDir = resolve(options.dataDir ?? mkdtempSync(join(tmpdir(), 'decnet-kafka-')));
  // Port 0 (or none) means: let the kernel pick a free one.
  const port = options.port || (await findFreePort());
  let controllerPort = options.controllerPort || (await findFreePort());
  while (controllerPort === port) controllerPort = await findFreePort();
  const detached = options.detached ?? false;
  const ownerPid = detached ? (options.ownerPid ?? null) : process.pid;

  let child;
  let exitHook;
  const startOnce = async () => {
    const began = Date.now();
    prepareDataDir(dataDir, port, controllerPort);
    formatStorage(dataDir);
    // The port may still be held briefly after a kill; retry the bind a few times.
    for (let attempt = 1; ; attempt++) {
      child = launch({ dataDir, detached, ownerPid, ephemeral, port, controllerPort });
      const proc = child;
      if (!detached) {
        exitHook = () => {
          try {
            proc.kill('SIGKILL');
          } catch {
            // gone
          }
        };
        process.once('exit', exitHook);
      }
      try {
        await waitUntilReady(port, () => proc.exitCode === null && proc.signalCode === null, describeFailure(dataDir), options.readyTimeoutMs);
        break;
      } catch (err) {
        const bindFailure = /Address already in use|BindException/.test(tail(join(dataDir, 'logs', 'server.log'), 60));
        await hardStop(proc);
        if (!bindFailure || attempt >= 5) throw err;
        log.warn('Kafka port busy, retrying', { port, attempt });
        await sleep(1_000 * attempt);
      }
    }
    log.info('Kafka ready', { brokers: `127.0.0.1:${port}`, pid: child.pid, ms: Date.now() - began });
  };

  const clearHook = () => {
    if (exitHook) process.removeListener('exit', exitHook);
    exitHook = undefined;
  };
  const hardStop = async (proc) => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await waitForExit(proc.pid, proc, STOP_DEADLINE_MS);
    }
    unregister(proc.pid);
    clearHook();
  };
  const gracefulStop = async () => {
    const proc = child;
    if (!proc) return;
    let clean = false;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      clean = await waitForExit(proc.pid, proc, STOP_DEADLINE_MS);
      if (!clean) {
        log.warn('Kafka did not stop in time; killing it', { pid: proc.pid });
        proc.kill('SIGKILL');
        await waitForExit(proc.pid, proc, STOP_DEADLINE_MS);
      }
    }
    unregister(proc.pid, { clean });
    clearHook();
  };

  try {
    await startOnce();
  } catch (err) {
    if (ephemeral) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  let disposed = false;
  return {
    brokers: [`127.0.0.1:${port}`],
    port,
    controllerPort,
    dataDir,
    get pid() {
      return child.pid;
    },
    async stop() {
      if (disposed) return;
      disposed = true;
      await gracefulStop();
      if (ephemeral) rmSync(dataDir, { recursive: true, force: true });
      log.info('Kafka stopped', { brokers: `127.0.0.1:${port}` });
    },
    async kill() {
      if (child) await hardStop(child);
      log.info('Kafka killed', { brokers: `127.0.0.1:${port}` });
    },
    async restart() {
      if (disposed) throw new Error('Kafka broker was stopped; start a new one');
      await gracefulStop();
      await startOnce();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CLI: start | stop | kill | restart | status | fetch  [--port N] [--data-dir DIR] [--owner-pid N] [--json]

function statePath(dataDir) {
  return join(dataDir, 'broker.json');
}

function readState(dataDir) {
  try {
    return JSON.parse(readFileSync(statePath(dataDir), 'utf8'));
  } catch {
    return undefined;
  }
}

function parseArgs(argv) {
  const args = { command: argv[0], json: false };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--port') args.port = Number(next());
    else if (a === '--data-dir') args.dataDir = resolve(next());
    else if (a === '--owner-pid') args.ownerPid = Number(next());
    else if (a === '--json') args.json = true;
    else throw new Error(`unknown option ${a}`);
  }
  return args;
}

async function stopByState(dataDir, signal) {
  const state = readState(dataDir);
  // The state file outlives the process (a `kill` keeps it) so `start`/`restart` reuse its ports.
  if (!state || !isAlive(state.pid) || !isOurBroker(state.pid, dataDir)) return false;
  process.kill(state.pid, signal);
  const exited = await waitForExit(state.pid, undefined, STOP_DEADLINE_MS);
  if (!exited && signal !== 'SIGKILL') {
    process.kill(state.pid, 'SIGKILL');
    await waitForExit(state.pid, undefined, STOP_DEADLINE_MS);
  }
  unregister(state.pid, { clean: exited && signal !== 'SIGKILL' });
  return true;
}

async function cliStart(args, logger) {
  const dataDir = args.dataDir ?? CLI_DATA_DIR;
  const state = readState(dataDir);
  if (state && isAlive(state.pid) && isOurBroker(state.pid, dataDir)) return { ...state, alreadyRunning: true };
  mkdirSync(dataDir, { recursive: true });
  const port = args.port ?? state?.port ?? CLI_DEFAULT_PORT;
  if (port !== 0 && (await canConnect(port))) {
    throw new Error(`127.0.0.1:${port} is already in use by another process; pass --port N (0 picks a free port)`);
  }
  const began = Date.now();
  const broker = await startKafka({
    dataDir,
    port,
    ...(state?.controllerPort ? { controllerPort: state.controllerPort } : {}),
    detached: true,
    ...(args.ownerPid ? { ownerPid: args.ownerPid } : {}),
    log: logger,
  });
  const next = {
    pid: broker.pid,
    port: broker.port,
    controllerPort: broker.controllerPort,
    brokers: broker.brokers.join(','),
    dataDir,
    startMs: Date.now() - began,
  };
  writeFileSync(statePath(dataDir), JSON.stringify(next));
  return next;
}

async function main(argv) {
  const args = parseArgs(argv);
  const verbose = !args.json;
  const logger = {
    info: (m, meta) => verbose && process.stderr.write(`kafka: ${m}${meta ? ` ${JSON.stringify(meta)}` : ''}\n`),
    warn: (m, meta) => process.stderr.write(`kafka: ${m}${meta ? ` ${JSON.stringify(meta)}` : ''}\n`),
    error: (m, meta) => process.stderr.write(`kafka: ${m}${meta ? ` ${JSON.stringify(meta)}` : ''}\n`),
  };
  const dataDir = args.dataDir ?? CLI_DATA_DIR;
  const print = (obj, text) => process.stdout.write(args.json ? `${JSON.stringify(obj)}\n` : `${text}\n`);
  switch (args.command) {
    case 'fetch':
      await ensureKafkaJars({ log: logger });
      print({ lib: LIB_DIR }, LIB_DIR);
      return 0;
    case 'start': {
      const state = await cliStart(args, logger);
      print(state, state.brokers);
      return 0;
    }
    case 'restart': {
      await stopByState(dataDir, 'SIGTERM');
      const state = await cliStart(args, logger);
      print(state, state.brokers);
      return 0;
    }
    case 'stop':
    case 'kill': {
      const stopped = await stopByState(dataDir, args.command === 'kill' ? 'SIGKILL' : 'SIGTERM');
      if (args.command === 'stop') rmSync(statePath(dataDir), { force: true });
      print({ stopped }, stopped ? 'stopped' : 'not running');
      return 0;
    }
    case 'status': {
      const state = readState(dataDir);
      const running = Boolean(state && isAlive(state.pid) && isOurBroker(state.pid, dataDir));
      print({ running, ...(running ? state : {}) }, running ? `running ${state.brokers} pid ${state.pid}` : 'not running');
      return running ? 0 : 3;
    }
    default:
      process.stderr.write(
        'usage: node tools/kafka/kafka.mjs start|stop|kill|restart|status|fetch [--port N] [--data-dir DIR] [--owner-pid PID] [--json]\n',
      );
      return 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`kafka: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
