// Broker processes as the operating system sees them: alive or not (zombies count as gone), ours
// or a recycled pid, and waiting for one to exit.
import { readFileSync } from 'node:fs';

/** SIGTERM gets this long for a controlled shutdown before SIGKILL. */
export const STOP_DEADLINE_MS = 20_000;

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** True when a process with this pid exists (and is not a zombie we could reap). */
export function isAlive(pid) {
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
export function isOurBroker(pid, dataDir) {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('kafka.Kafka') && cmdline.includes(dataDir);
  } catch {
    return false;
  }
}

/** Waits up to `ms` for `pid` (or `child`, when this process started it) to exit; true if it did. */
export async function waitForExit(pid, child, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child ? child.exitCode !== null || child.signalCode !== null : !isAlive(pid)) return true;
    await sleep(50);
  }
  return false;
}
