/**
 * `node --import tsx bench/instructions.ts --baseline <other checkout> [--cases a,b]`: the
 * simulation loop's machine instructions per run, this tree against another checkout, counted
 * by Valgrind (Debian's `valgrind`). Wall time on a shared machine moves with its load; an
 * instruction count does not, so this is the measure to compare two trees while other work runs.
 *
 * Each tree's simulator and cases are bundled with esbuild as bench/run.ts bundles them. A
 * process runs the case k times back to back (no result between runs) under
 * `valgrind --tool=cachegrind` with V8 single-threaded, so that the optimizing compiler runs on
 * the main thread at the same points every time and the count repeats (identical processes
 * agree within 1 %). The count of one warm run is (Ir(4 runs) - Ir(2 runs)) / 2: start-up, the
 * first run's compilation and the harness cancel out. Instructions are not time (cache misses
 * and mispredictions are not counted), but a tree that runs the same schedule in fewer
 * instructions is, on this engine, almost always the faster one. About 4 minutes per case and tree.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './bundle';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const baselineRoot = arg('--baseline');
if (!baselineRoot) throw new Error('usage: bench/instructions.ts --baseline <other checkout> [--cases a,b]');

const ALL_CASES: Array<[string, number]> = [
  ['edf-4cpu-20tasks', 100],
  ['edf-32cpu-160tasks', 10],
  ['open-64cpu-poisson', 10],
];
const only = arg('--cases')?.split(',');
const PLAN = only ? ALL_CASES.filter(([name]) => only.includes(name)) : ALL_CASES;

/** A loop-only harness for `tree`: argv case, seconds, runs; prints the events of one run. */
function bundle(tree: string, label: string): string {
  const entry = path.join(root, 'out', 'bench', `instructions-${label}.ts`);
  mkdirSync(path.dirname(entry), { recursive: true });
  writeFileSync(
    entry,
    `import { Simulation } from ${JSON.stringify(path.join(tree, 'src', 'sim', 'index'))};
import { CASES } from ${JSON.stringify(path.join(tree, 'bench', 'cases'))};
const [name, seconds, runs] = process.argv.slice(2);
const c = CASES.find((x) => x.name === name)!;
let events = 0;
for (let i = 0; i < Number(runs); i++) {
  const sim = new Simulation(c.config(Number(seconds)));
  sim.advance(sim.endNs);
  events = sim.events;
}
console.log(events);
`,
  );
  return bundleForNode(entry, path.join(root, 'out', 'bench', `instructions-${label}.cjs`));
}

/** Instructions of one process running the case `runs` times (cachegrind's "I refs", on stderr), and the events of one run. */
function instructions(script: string, name: string, seconds: number, runs: number): { ir: number; events: number } {
  const r = spawnSync(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=no',
      '--branch-sim=no',
      '--cachegrind-out-file=/dev/null',
      // V8 writes and patches machine code on its heap: Valgrind must notice code that changes there.
      '--smc-check=all-non-file',
      process.execPath,
      '--single-threaded',
      script,
      name,
      String(seconds),
      String(runs),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (r.error) throw new Error(`valgrind did not start (apt-get install valgrind): ${r.error.message}`);
  const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`valgrind failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return { ir: Number(m[1]!.replace(/,/g, '')), events: Number(r.stdout.trim()) };
}

const trees = [
  { label: 'this tree', script: bundle(root, 'this') },
  { label: 'baseline', script: bundle(path.resolve(baselineRoot), 'baseline') },
];
const load = os.loadavg();
console.log(
  `Instructions per warm run (Valgrind cachegrind, V8 single-threaded, (Ir(4 runs) - Ir(2 runs)) / 2), Node ${process.version}, load average ${load.map((x) => x.toFixed(1)).join(' / ')}`,
);
console.log('| case | tree | events | instructions per run | per event | vs baseline |');
console.log('|---|---|---:|---:|---:|---:|');
for (const [name, seconds] of PLAN) {
  const per = trees.map((t) => {
    const two = instructions(t.script, name, seconds, 2);
    const four = instructions(t.script, name, seconds, 4);
    return { label: t.label, events: four.events, ir: (four.ir - two.ir) / 2 };
  });
  for (const r of per)
    console.log(
      `| ${name} ${seconds} s | ${r.label} | ${r.events.toLocaleString('en')} | ${(r.ir / 1e6).toFixed(0)} M | ${(r.ir / r.events).toFixed(0)} | ${r.label === 'this tree' ? `${(r.ir / per[1]!.ir).toFixed(3)}x` : ''} |`,
    );
}
