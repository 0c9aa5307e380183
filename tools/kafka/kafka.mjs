#!/usr/bin/env node
// A local single-node Apache Kafka (KRaft, loopback only) for development and tests: fetches the
// broker jars from Maven Central once, then starts, stops, kills and restarts brokers. Plain ESM
// JavaScript so it runs without a build: `node tools/kafka/kafka.mjs start|stop|status`. The
// parts live in lib/ (paths, fetch, config, jvm, process, registry, broker, cli); this file is the
// package entry (the API in kafka.d.mts) and the CLI.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './lib/cli.mjs';

export { startKafka } from './lib/broker.mjs';
export { DEFAULT_PARTITIONS } from './lib/config.mjs';
export { ensureKafkaJars } from './lib/fetch.mjs';
export { findFreePort } from './lib/net.mjs';
export { KAFKA_HOME, KAFKA_VERSION } from './lib/paths.mjs';
export { reapOrphanBrokers } from './lib/registry.mjs';

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`kafka: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
