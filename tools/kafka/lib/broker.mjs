// Starting one broker and owning it: launch java on a prepared data directory, wait until it really
// serves clients, and stop (SIGTERM, then SIGKILL), kill or restart it on the same ports and data.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import kafkajs from 'kafkajs';
import { prepareDataDir } from './config.mjs';
import { ensureKafkaJars } from './fetch.mjs';
import { cdsFlags, formatStorage, javaArgs } from './jvm.mjs';
import { normaliseLog } from './log.mjs';
import { canConnect, findFreePort } from './net.mjs';
import { STOP_DEADLINE_MS, sleep, waitForExit } from './process.mjs';
import { reapOrphanBrokers, register, unregister } from './registry.mjs';

/** A cold JVM plus KRaft bootstrap on a busy 2-core box can take this long. */
const READY_TIMEOUT_MS = 120_000;

function tail(path, lines = 25) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
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
 * @param {import('../kafka.d.mts').StartKafkaOptions} [options]
 * @returns {Promise<import('../kafka.d.mts').KafkaBroker>}
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
