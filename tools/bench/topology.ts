// Benchmark of fleet and topology rendering: wall time and peak RSS of
// `decnet deploy --dry-run --deckies 250` (the real CLI bundle, a fresh process per run) and of
// a 20-LAN MazeNET topology generate + validate + render + schema check + YAML (bundled, fresh
// process per run). Not a test: nothing here fails on a number.
// Run: npx tsx --conditions=@decnet/source tools/bench/topology.ts [--json] [--runs N]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { generateTopology } from '@decnet/topology';
import { WORKSPACE_ROOT, argValue, asJson } from './lib/args.js';

/** The goal for each scenario. */
const TARGET_MS = 1_000;
/** LANs in the topology scenario. */
const TOPOLOGY_LANS = 20;
/** Deckies in the fleet scenario. */
const FLEET_DECKIES = 250;

const ROOT = WORKSPACE_ROOT;
const RUNS = Number(argValue('--runs') ?? 5);

interface Sample {
  /** Spawn to exit, as a user waits for it. */
  wallMs: number;
  /** The command itself, measured inside the process (module load excluded). */
  workMs: number;
  /** Peak resident set of the process (getrusage ru_maxrss). */
  peakRssMiB: number;
}

interface Result {
  scenario: string;
  runs: number;
  wallMsMedian: number;
  workMsMedian: number;
  peakRssMiBMax: number;
  targetMs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/** Runs `script` (an ESM file) in a fresh node; it prints one JSON line {workMs, peakRssMiB}. */
function sample(script: string, argv: string[]): Sample {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [script, ...argv], { encoding: 'utf8', cwd: ROOT });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`bench child failed (${child.status}): ${child.stderr}`);
  const line = child.stdout.trim().split('\n').pop() as string;
  const r = JSON.parse(line) as { workMs: number; peakRssMiB: number };
  return { wallMs, ...r };
}

function summarise(scenario: string, samples: Sample[]): Result {
  return {
    scenario,
    runs: samples.length,
    wallMsMedian: Math.round(median(samples.map((s) => s.wallMs))),
    workMsMedian: Math.round(median(samples.map((s) => s.workMs))),
    peakRssMiBMax: Math.round(Math.max(...samples.map((s) => s.peakRssMiB)) * 10) / 10,
    targetMs: TARGET_MS,
  };
}

/** A seed whose depth-2 topology has exactly {@link TOPOLOGY_LANS} LANs (searched deterministically). */
function twentyLanConfig(): Record<string, unknown> {
  for (let seed = 0; seed < 10_000; seed++) {
    const config = { name: 'bench', depth: 2, branching_factor: 5, seed, cross_edge_probability: 0.3 };
    if (generateTopology(config).lans.length === TOPOLOGY_LANS) return config;
  }
  throw new Error('no seed gives a 20-LAN topology');
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'decnet-bench-topology-'));
  try {
    // Scenario 1: the real CLI bundle, as `decnet deploy` runs it.
    const cliBundle = join(ROOT, 'dist/cli/main.js');
    if (!existsSync(cliBundle)) {
      const b = spawnSync(process.execPath, [join(ROOT, 'tools/bundle/bundle.mjs'), '--quiet', 'cli'], { stdio: 'inherit' });
      if (b.status !== 0) throw new Error('cannot build the CLI bundle');
    }
    const deployScript = join(work, 'deploy-child.mjs');
    writeFileSync(
      deployScript,
      [
        `const t0 = performance.now();`,
        `const { main } = await import(${JSON.stringify(cliBundle)});`,
        `const io = { stdout: () => {}, stderr: (t) => process.stderr.write(t), env: {} };`,
        `const t1 = performance.now();`,
        `const code = await main(process.argv.slice(2), io);`,
        `if (code !== 0) process.exit(code);`,
        `console.log(JSON.stringify({ workMs: performance.now() - t1, loadMs: t1 - t0, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));`,
      ].join('\n'),
    );
    const deployArgs = ['deploy', '--dry-run', '--deckies', String(FLEET_DECKIES), '--randomize-services', '--randomize-distros', '--seed', '1', '--subnet', '10.0.0.0/24', '--interface', 'eth0', '--out', join(work, 'fleet.yml')];
    const fleet = Array.from({ length: RUNS }, () => sample(deployScript, deployArgs));

    // Scenario 2: the topology pipeline, bundled like production code.
    const config = twentyLanConfig();
    const topoScript = join(work, 'topology-child.mjs');
    await build({
      stdin: {
        contents: [
          `const t0 = performance.now();`,
          `import { generateTopology, hydrateGenerated, validateTopology, renderTopologyCompose, assertValidCompose, composeToYaml } from '@decnet/topology';`,
          `const config = JSON.parse(process.argv[2]);`,
          `const gen = generateTopology(config);`,
          `const h = hydrateGenerated(gen, '0123abcd-0000-4000-8000-000000000000');`,
          `const issues = validateTopology(h);`,
          `if (issues.length > 0) throw new Error('invalid topology: ' + issues[0].message);`,
          `const { doc } = renderTopologyCompose(h);`,
          `assertValidCompose(doc);`,
          `const yaml = composeToYaml(doc);`,
          `console.log(JSON.stringify({ workMs: performance.now() - t0, lans: gen.lans.length, deckies: gen.deckies.length, bytes: yaml.length, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));`,
        ].join('\n'),
        resolveDir: ROOT,
        sourcefile: 'topology-bench.ts',
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['@decnet/source'],
      outfile: topoScript,
      // As tools/bundle does: CommonJS dependencies (pino, via @decnet/core) call require().
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      logLevel: 'warning',
    });
    const topo = Array.from({ length: RUNS }, () => sample(topoScript, [JSON.stringify(config)]));

    const results = [summarise(`deploy --dry-run --deckies ${FLEET_DECKIES}`, fleet), summarise(`topology render (${TOPOLOGY_LANS} LANs, seed ${String(config['seed'])})`, topo)];
    if (asJson) {
      process.stdout.write(JSON.stringify({ node: process.version, results }, null, 2) + '\n');
      return;
    }
    for (const r of results) {
      process.stdout.write(
        `${r.scenario.padEnd(42)} wall ${String(r.wallMsMedian).padStart(5)} ms (median of ${r.runs})  in-process ${String(r.workMsMedian).padStart(4)} ms  peak RSS ${r.peakRssMiBMax} MiB  target < ${r.targetMs} ms${r.wallMsMedian < r.targetMs ? '' : '  (MISSED)'}\n`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
