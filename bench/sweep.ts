/**
 * `node --import tsx bench/sweep.ts [--seeds n]`: sweep throughput of the built CLI
 * (dist/cli.js, run `node scripts/build.mjs` first) with 1 and 2 worker threads, and a check
 * that `--shard 1/2` + `--shard 2/2` merged equal the unsharded sweep byte for byte.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = path.join(root, 'dist', 'cli.js');
if (!existsSync(cliPath)) throw new Error('dist/cli.js is missing: run node scripts/build.mjs first');

const seedsArg = process.argv.indexOf('--seeds');
const seeds = seedsArg > 0 ? Number(process.argv[seedsArg + 1]) : 30;

// Two sockets of four cores, a web + batch mix for 2 s: a typical lab run (about 20 ms each).
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
  - { name: web, count: 64, arrival: poisson 400/s, demand: exp 4ms, workingSet: 256KiB }
  - { name: batch, count: 12, arrival: 0s, demand: exp 300ms, workingSet: 8MiB, dirty: 30% }
\`\`\`

\`\`\`run
name: r
machine: duo
workload: mixed
policy: $pol
duration: 2s
\`\`\`
`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'ml-bench-sweep-'));
const lab = path.join(dir, 'sweep.lab.md');
writeFileSync(lab, LAB);
const policies = 'pinned,least-loaded,global-queue';

function measured(extra: string[]): { runsPerS: number; wallS: number; simulations: number } {
  const started = performance.now();
  const r = spawnSync(process.execPath, [cliPath, 'sweep', lab, '--param', `pol=${policies}`, '--seeds', String(seeds), ...extra], { encoding: 'utf8' });
  const wallS = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(r.stderr);
  const m = /(\d+) of \d+ simulations .* ([\d.]+) runs\/s/.exec(r.stderr)!;
  return { runsPerS: Number(m[2]), wallS, simulations: Number(m[1]) };
}

const one = measured(['--workers', '1', '--out', path.join(dir, 'w1.json')]);
const two = measured(['--workers', '2', '--out', path.join(dir, 'w2.json')]);
const s1 = measured(['--workers', '1', '--shard', '1/2', '--out', path.join(dir, 's1.json')]);
const s2 = measured(['--workers', '1', '--shard', '2/2', '--out', path.join(dir, 's2.json')]);
execFileSync(process.execPath, [cliPath, 'merge', path.join(dir, 's1.json'), path.join(dir, 's2.json'), '--out', path.join(dir, 'merged.json')], { stdio: 'ignore' });

const whole = readFileSync(path.join(dir, 'w1.json'), 'utf8');
const identical = {
  workers: whole === readFileSync(path.join(dir, 'w2.json'), 'utf8'),
  shards: whole === readFileSync(path.join(dir, 'merged.json'), 'utf8'),
};

console.log(`sweep of ${one.simulations} simulations (3 policies x ${seeds} seeds, 2 s simulated each) on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}):`);
console.log(`  1 worker : ${one.runsPerS.toFixed(1)} runs/s (simulation phase), ${one.wallS.toFixed(2)} s wall including start-up`);
console.log(`  2 workers: ${two.runsPerS.toFixed(1)} runs/s (simulation phase), ${two.wallS.toFixed(2)} s wall including start-up; speed-up ${(two.runsPerS / one.runsPerS).toFixed(2)}x`);
console.log(`  shards 1/2 + 2/2: ${s1.simulations} + ${s2.simulations} simulations, ${(s1.wallS + s2.wallS).toFixed(2)} s wall in total`);
console.log(`  identical output: 1 vs 2 workers ${identical.workers}, merged shards vs whole ${identical.shards}`);
if (!identical.workers || !identical.shards) process.exit(1);
