// A broker's configuration, written into its data directory on every start: KRaft combined mode
// on loopback, test-friendly defaults (no auto-created topics, replication 1, fast group joins and
// crash recovery, few threads), and log4j sending diagnostics to a file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Per-root topics default to this many partitions: enough for a few instances to share work. */
export const DEFAULT_PARTITIONS = 4;
/**
 * Largest record batch the broker accepts. A maximal 1 MiB envelope plus headers and batch
 * overhead must fit; bus-kafka also sets `max.message.bytes` per topic.
 */
const MESSAGE_MAX_BYTES = 2 * 1024 * 1024;

/** server.properties of a combined broker and controller on the given ports. */
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

/** Creates the data directory's layout and (re)writes its configuration files. */
export function prepareDataDir(dataDir, port, controllerPort) {
  mkdirSync(join(dataDir, 'data'), { recursive: true });
  mkdirSync(join(dataDir, 'logs'), { recursive: true });
  writeFileSync(join(dataDir, 'server.properties'), serverProperties({ port, controllerPort, dataDir }));
  writeFileSync(join(dataDir, 'log4j.properties'), LOG4J_PROPERTIES);
}
