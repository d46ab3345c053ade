/**
 * `node --import tsx bench/sweep.ts [--seeds n] [--scale k] [--repeat r] [--baseline other/dist/cli.js]`:
 * sweep throughput of the built CLI (dist/cli.js, run `node scripts/build.mjs` first) with 1 and
 * 2 worker threads, measured side by side: r rounds (BENCH_REPEAT, default 5), each running every
 * variant once in a fresh process, in an order that alternates from round to round; medians are
 * reported. `--baseline` adds another build (say, of an earlier commit) to every round, for a
 * before/after comparison on the same machine at the same time.
 *
 * Then where the time goes, measured in this process on the same sweep: how long a worker takes
 * to start, how much the calling thread works per result when workers send whole results or
 * only summaries, and the serial part of the sweep the two process timings imply (Amdahl:
 * T(w) = serial + parallel / w). Also checks that 1 and 2 workers and two merged shards give the
 * same bytes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { parseLab } from '../src/lab/document/markdown';
import type { RunRequest } from '../src/lab/run/runHost';
import { resolveLab } from '../src/lab/language/resolveLab';
import { nodeWorkerPool } from '../src/worker/nodeWorker';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = path.join(root, 'dist', 'cli.js');
if (!existsSync(cliPath)) throw new Error('dist/cli.js is missing: run node scripts/build.mjs first');
const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const seeds = Number(arg('--seeds') ?? 30);
/**
 * Each run's work: k times the processes for k times the simulated time. 1 is a short sweep
 * (start-up weighs); larger is one where the simulations weigh.
 */
const scale = Number(arg('--scale') ?? 1);
const durationS = 2 * scale;
const repeat = Number(arg('--repeat') ?? process.env.BENCH_REPEAT ?? 5);
const baseline = arg('--baseline');

// Two sockets of four cores, a web + batch mix for 2 s (at scale 1): a typical lab run.
const LAB = `# Sweep benchmark

\`\`\`params
pol: least-loaded
\`\`\`

\`\`\`machine
name: duo
sockets: 2
coresPerSocket: 4
\`\`\`

\`\`\`workload
name: mixed
processes:
  - { name: web, count: ${64 * scale}, arrival: poisson 400/s, demand: exp 4ms, workingSet: 256KiB }
  - { name: batch, count: ${12 * scale}, arrival: 0s, demand: exp 300ms, workingSet: 8MiB, dirty: 30% }
\`\`\`

\`\`\`run
name: r
machine: duo
workload: mixed
policy: $pol
duration: ${durationS}s
\`\`\`
`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-bench-sweep-'));
const lab = path.join(dir, 'sweep.lab.md');
writeFileSync(lab, LAB);
const policies = ['pinned', 'least-loaded', 'global-queue'];
const sweepArgs = ['sweep', lab, '--param', `pol=${policies.join(',')}`, '--seeds', String(seeds)];

interface Measured {
  /** The CLI's own figure: simulations per second from pool creation to the last result. */
  runsPerS: number;
  /** The whole process, start-up and file writing included. */
  wallS: number;
  simulations: number;
}

function measured(cli: string, extra: string[]): Measured {
  const started = performance.now();
  const r = spawnSync(process.execPath, [cli, ...sweepArgs, ...extra], { encoding: 'utf8' });
  const wallS = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(r.stderr);
  const m = /(\d+) of \d+ simulations .* ([\d.]+) runs\/s/.exec(r.stderr)!;
  return { runsPerS: Number(m[2]), wallS, simulations: Number(m[1]) };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---- 1 vs 2 workers (and the baseline build), side by side ------------------------------------

const variants = [
  { name: 'this build, 1 worker', cli: cliPath, workers: 1 },
  { name: 'this build, 2 workers', cli: cliPath, workers: 2 },
  ...(baseline
    ? [
        { name: 'baseline, 1 worker', cli: path.resolve(baseline), workers: 1 },
        { name: 'baseline, 2 workers', cli: path.resolve(baseline), workers: 2 },
      ]
    : []),
];
const load = os.loadavg();
const results = new Map(variants.map((v) => [v.name, [] as Measured[]]));
// A warm-up process per build (disk cache, JIT of Node itself), not counted.
for (const cli of new Set(variants.map((v) => v.cli)))
  measured(cli, ['--workers', '1', '--out', path.join(dir, 'warm.json')]);
for (let round = 0; round < repeat; round++) {
  // Rotate the order, so that drift in the machine's load falls on every variant alike.
  const order = variants.map((_, i) => variants[(i + round) % variants.length]);
  if (round % 2) order.reverse();
  for (const v of order)
    results
      .get(v.name)!
      .push(measured(v.cli, ['--workers', String(v.workers), '--out', path.join(dir, `${v.workers}.json`)]));
}
const loadAfter = os.loadavg();

const summary = (name: string) => {
  const runs = results.get(name)!;
  return {
    runsPerS: median(runs.map((r) => r.runsPerS)),
    wallS: median(runs.map((r) => r.wallS)),
    simulations: runs[0].simulations,
  };
};
const speedUp = (prefix: string) => {
  const one = summary(`${prefix}, 1 worker`);
  const two = summary(`${prefix}, 2 workers`);
  // The per-round ratios too: each pair ran back to back.
  const pairs = results
    .get(`${prefix}, 2 workers`)!
    .map((r, i) => r.runsPerS / results.get(`${prefix}, 1 worker`)![i].runsPerS);
  return { one, two, ratio: two.runsPerS / one.runsPerS, pairRatio: median(pairs), serialS: 2 * two.wallS - one.wallS };
};

console.log(
  `sweep of ${summary(variants[0].name).simulations} simulations (${policies.length} policies x ${seeds} seeds, scale ${scale}: ${64 * scale + 12 * scale} processes, up to ${durationS} s simulated each) on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`,
);
console.log(
  `load average ${load.map((x) => x.toFixed(1)).join(' / ')} before, ${loadAfter.map((x) => x.toFixed(1)).join(' / ')} after; medians of ${repeat} processes per row, run alternately`,
);
for (const prefix of ['this build', ...(baseline ? ['baseline'] : [])]) {
  const s = speedUp(prefix);
  console.log(
    `  ${prefix}: 1 worker ${s.one.runsPerS.toFixed(1)} runs/s (${s.one.wallS.toFixed(2)} s wall), 2 workers ${s.two.runsPerS.toFixed(1)} runs/s (${s.two.wallS.toFixed(2)} s wall): speed-up ${s.ratio.toFixed(2)}x (median of per-round ratios ${s.pairRatio.toFixed(2)}x); serial part of the process (2 T2 - T1) ${s.serialS.toFixed(2)} s`,
  );
}

// ---- where the time goes ---------------------------------------------------------------------

const workerScript = path.join(root, 'dist', 'simWorker.node.js');
const resolved = resolveLab(parseLab(LAB), { params: { pol: 'least-loaded' } }).runs[0];
const signal = new AbortController().signal;

/** Time from `new Worker` to its first answer (a one-simulation run), median of 5 workers. */
async function workerStartMs(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const worker = new Worker(workerScript);
    await new Promise<void>((resolve) => {
      worker.once('message', () => resolve());
      worker.postMessage({ config: { ...resolved.config, durationNs: 1e6 }, reply: 'summary', progress: false });
    });
    times.push(performance.now() - started);
    await worker.terminate();
  }
  return median(times);
}

/** The calling thread's busy time per simulation (event-loop utilisation) with 2 workers. */
async function callerMsPerRun(
  reply: 'run' | 'summarize',
  progress: boolean,
): Promise<{ busyMs: number; wallS: number }> {
  const pool = nodeWorkerPool(workerScript, 2);
  const n = policies.length * seeds;
  const request = (seed: number): RunRequest => ({
    config: { ...resolved.config, seed },
    signal,
    ...(progress ? { onProgress: () => {} } : {}),
  });
  // Warm both workers first: start-up is measured apart.
  await Promise.all([1, 2].map((seed) => pool.summarize(request(seed))));
  const before = performance.eventLoopUtilization();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: n }, (_, k) => (reply === 'run' ? pool.run(request(k + 1)) : pool.summarize(request(k + 1)))),
  );
  const elu = performance.eventLoopUtilization(before);
  const wallS = (performance.now() - started) / 1000;
  pool.dispose();
  return { busyMs: elu.active / n, wallS };
}

async function whereTheTimeGoes(): Promise<void> {
  const startMs = await workerStartMs();
  const full = await callerMsPerRun('run', true);
  const lean = await callerMsPerRun('summarize', false);
  console.log('where the time goes (in this process, 2 workers, after warm-up):');
  console.log(`  a worker starts (loads the bundle, first reply) in ${startMs.toFixed(0)} ms`);
  console.log(
    `  calling thread busy per simulation: ${full.busyMs.toFixed(2)} ms with whole results and progress, ${lean.busyMs.toFixed(2)} ms with summaries only (sweeps)`,
  );
  console.log(
    `  ${policies.length * seeds} simulations on 2 warm workers: ${full.wallS.toFixed(2)} s with whole results, ${lean.wallS.toFixed(2)} s with summaries`,
  );
}

// ---- same bytes however the sweep is split -----------------------------------------------------

function sameBytes(): void {
  measured(cliPath, ['--workers', '1', '--shard', '1/2', '--out', path.join(dir, 's1.json')]);
  measured(cliPath, ['--workers', '1', '--shard', '2/2', '--out', path.join(dir, 's2.json')]);
  execFileSync(
    process.execPath,
    [cliPath, 'merge', path.join(dir, 's1.json'), path.join(dir, 's2.json'), '--out', path.join(dir, 'merged.json')],
    { stdio: 'ignore' },
  );
  const whole = readFileSync(path.join(dir, '1.json'), 'utf8');
  const identical = {
    workers: whole === readFileSync(path.join(dir, '2.json'), 'utf8'),
    shards: whole === readFileSync(path.join(dir, 'merged.json'), 'utf8'),
  };
  console.log(`identical output: 1 vs 2 workers ${identical.workers}, merged shards vs whole ${identical.shards}`);
  if (!identical.workers || !identical.shards) process.exit(1);
}

void whereTheTimeGoes().then(sameBytes);
