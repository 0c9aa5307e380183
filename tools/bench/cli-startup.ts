// Benchmark: wall time of `decnet --help` and `decnet worker --json` from the bundled CLI,
// each run in a fresh process (median and p90 of N runs).
// Usage: npx tsx --conditions=@decnet/source tools/bench/cli-startup.ts [--runs N] [--json]
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, json: { type: 'boolean', default: false } } });
const runs = Number(values.runs);

function time(args: string[]): { medianMs: number; p90Ms: number } {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, ['apps/cli/bin/decnet.js', ...args], { cwd: ROOT, stdio: 'ignore' });
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): number => Math.round((samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0) * 10) / 10;
  return { medianMs: at(0.5), p90Ms: at(0.9) };
}

const bare = (() => {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: Math.round((samples[Math.floor(samples.length / 2)] ?? 0) * 10) / 10 };
})();

const result = {
  runs,
  bareNode: bare,
  help: time(['--help']),
  workersJson: time(['worker', '--json']),
};
if (values.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
else {
  process.stdout.write(`node -e 0             median ${bare.medianMs} ms\n`);
  process.stdout.write(`decnet --help         median ${result.help.medianMs} ms  p90 ${result.help.p90Ms} ms\n`);
  process.stdout.write(`decnet worker --json  median ${result.workersJson.medianMs} ms  p90 ${result.workersJson.p90Ms} ms\n`);
}
