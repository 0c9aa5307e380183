#!/usr/bin/env node
// `npm test`: brings up what the suite needs and tears it down afterwards — a real Kafka broker
// from tools/kafka (unless KAFKA_BROKERS is set), a fresh database on the local Postgres
// (unless DECNET_TEST_DATABASE_URL is set), fresh bundles — then runs every vitest project.
// Extra arguments go to vitest (e.g. `npm test -- --project core`).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ADMIN_URL = process.env.DECNET_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const cleanups = [];

function step(message) {
  process.stdout.write(`[npm test] ${message}\n`);
}

function run(cmd, args, env = process.env) {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}

async function cleanup() {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`[npm test] cleanup failed: ${err.message}\n`);
    }
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    void cleanup().then(() => process.exit(130));
  });
}

async function main() {
  const env = { ...process.env };
  step('bundling workers and apps');
  if ((await run(process.execPath, ['tools/bundle/bundle.mjs'])) !== 0) return 1;

  if (!env.DECNET_TEST_DATABASE_URL) {
    const name = `decnet_test_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    try {
      await admin.connect();
    } catch (err) {
      process.stderr.write(`[npm test] Postgres unreachable at ${ADMIN_URL} (${err.message}); start it or set DECNET_TEST_ADMIN_URL\n`);
      return 1;
    }
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    env.DECNET_TEST_DATABASE_URL = url.toString();
    step(`fresh database ${name}`);
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      step(`dropped database ${name}`);
    });
  }

  if (!env.KAFKA_BROKERS) {
    step('starting Kafka (tools/kafka)');
    const { startKafka } = await import('../kafka/kafka.mjs');
    const started = Date.now();
    const kafka = await startKafka({});
    env.KAFKA_BROKERS = kafka.brokers.join(',');
    step(`Kafka ready at ${env.KAFKA_BROKERS} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    cleanups.push(async () => {
      await kafka.stop();
      step('Kafka stopped');
    });
  }

  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  const report = join(ROOT, 'tmp', 'vitest-report.json');
  const code = await run(
    process.execPath,
    [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
    env,
  );
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    summary = `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`;
  }
  return code;
}

let exitCode = 1;
let summary;
try {
  exitCode = await main();
} catch (err) {
  process.stderr.write(`[npm test] ${err.stack ?? err.message}\n`);
} finally {
  await cleanup();
}
// The closing line CI reads: counts alone on a line.
if (summary) process.stdout.write(`\n${summary}\n`);
process.exit(exitCode);
