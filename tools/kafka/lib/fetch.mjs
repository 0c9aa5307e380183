// Fetching the broker jars from Maven Central (pom.xml) into .kafka/lib, once: concurrent callers
// serialise on a lock file, and a lock whose holder died is taken over.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { normaliseLog } from './log.mjs';
import { FETCH_LOCK, KAFKA_VERSION, LIB_DIR, TOOL_DIR } from './paths.mjs';
import { isAlive, sleep } from './process.mjs';

/** Maven on a cold cache downloads ~46 MB; give up on the lock after this. */
const FETCH_LOCK_TIMEOUT_MS = 10 * 60_000;

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
