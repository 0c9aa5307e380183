// The run registry: one file per broker this tool started (.kafka/run/<pid>.json), so a later start
// can kill brokers whose owner process died and clean up what they left.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adoptCdsArchive } from './jvm.mjs';
import { silent } from './log.mjs';
import { RUN_DIR } from './paths.mjs';
import { isAlive, isOurBroker } from './process.mjs';

function registryPath(pid) {
  return join(RUN_DIR, `${pid}.json`);
}

/** Records a started broker. */
export function register(entry) {
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
export function unregister(pid, { clean = false } = {}) {
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
