// The command line: start | stop | kill | restart | status | fetch  [--port N] [--data-dir DIR]
// [--owner-pid N] [--json]. A CLI broker is detached and remembered in <data-dir>/broker.json, so
// a later command finds it; its data persists between starts.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startKafka } from './broker.mjs';
import { ensureKafkaJars } from './fetch.mjs';
import { canConnect } from './net.mjs';
import { CLI_DATA_DIR, LIB_DIR } from './paths.mjs';
import { STOP_DEADLINE_MS, isAlive, isOurBroker, waitForExit } from './process.mjs';
import { unregister } from './registry.mjs';

/** Port the CLI uses when none is given: the default of `KAFKA_BROKERS`. */
const CLI_DEFAULT_PORT = 9092;

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

/** Runs the CLI with `argv` (after the script name); resolves to the exit status. */
export async function runCli(argv) {
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
