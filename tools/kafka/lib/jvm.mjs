// Running Kafka's Java classes: JVM flags sized for a 2-core box, the class path, class-data
// sharing (an archive written at a clean exit, mapped by later starts), and formatting KRaft storage.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { CDS_DIR, KAFKA_VERSION, LIB_DIR } from './paths.mjs';

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
export function cdsFlags(forBroker) {
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
export function adoptCdsArchive(entry) {
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

/** java's arguments before the main class: flags, log4j set-up and the class path. */
export function javaArgs(dataDir, extraFlags = []) {
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
export function formatStorage(dataDir) {
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
