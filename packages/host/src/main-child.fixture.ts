// Child process of main.test.ts: hosts two workers with hostMain and reports their starts on
// stdout, one JSON line each. HOST_TEST_MODE picks how the `faulty` worker misbehaves.
import { untilAborted, type WorkerSpec } from '@decnet/core';
import { hostMain } from './main.js';

const mode = process.env['HOST_TEST_MODE'] ?? 'steady';
const report = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
let faultyStarts = 0;

const faulty: WorkerSpec = {
  name: 'faulty',
  needs: ['bus'],
  description: 'raises an uncaught exception, then an unhandled rejection, then stays up',
  async run(ctx) {
    faultyStarts++;
    report({ start: 'faulty', n: faultyStarts });
    if (mode === 'faults' && faultyStarts === 1) {
      setTimeout(() => {
        throw new Error('uncaught in faulty');
      }, 20);
    }
    if (mode === 'faults' && faultyStarts === 2) setTimeout(() => void Promise.reject(new Error('rejection in faulty')), 20);
    // Ignores its signal: only the host's deadline ends the process.
    if (mode === 'stubborn') await new Promise<void>(() => undefined);
    await untilAborted(ctx.signal);
  },
};

const steady: WorkerSpec = {
  name: 'steady',
  needs: ['bus'],
  description: 'stays up',
  async run(ctx) {
    report({ start: 'steady' });
    await untilAborted(ctx.signal);
    report({ stop: 'steady' });
  },
};

if (mode === 'outside') {
  // A failure no hosted worker owns: the host treats it as fatal.
  setTimeout(() => {
    throw new Error('uncaught outside any worker');
  }, 200);
}

await hostMain([faulty, steady], {
  label: 'host-test',
  shutdownDeadlineMs: Number(process.env['HOST_TEST_DEADLINE_MS'] ?? 15_000),
  afterStart: () => report({ hosting: true }),
});
