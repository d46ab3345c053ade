/**
 * `node --import tsx bench/versus.ts --baseline <other checkout> [--repeat r] [--cases a,b]`: this tree's
 * simulator against another checkout's (say, `git worktree add ../v01 <commit>`), side by side on
 * the cases of `npm run bench`. This tree's bench/case.ts is bundled twice with esbuild, as
 * bench/run.ts bundles it, once with each tree's simulator and bench/cases.ts; then r rounds (default 7) each run every case of both trees once, in
 * a fresh process, in an order that alternates from round to round, so that a change in the
 * machine's load falls on both alike. Medians are reported, with the per-round ratio.
 *
 * The two trees may simulate a case differently (a fixed defect changes the schedule, so the
 * event counts differ): the table shows events and time per event as well as time per run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
if (!baselineRoot) throw new Error('usage: bench/versus.ts --baseline <other checkout> [--repeat r]');
const repeat = Number(arg('--repeat') ?? 7);
const caseScript = path.join(root, 'bench', 'case.ts');

/** What bench/case.ts prints (the fields both trees have). */
interface CaseLine {
  events: number;
  coldCpuMs: number;
  warmCpuMs: number;
  resultMs: number;
  digest: string;
}

/**
 * This tree's bench/case.ts (so both trees are measured the same way: cold, then the median of
 * the last warm runs), its imports of the simulator and the cases pointed at `tree`'s.
 */
function bundle(tree: string, label: string): string {
  const entry = path.join(root, 'out', 'bench', `versus-${label}-case.ts`);
  mkdirSync(path.dirname(entry), { recursive: true });
  const source = readFileSync(caseScript, 'utf8')
    .replace("'../src/sim/index'", JSON.stringify(path.join(tree, 'src', 'sim', 'index')))
    .replace("'./cases'", JSON.stringify(path.join(tree, 'bench', 'cases')))
    // The hash is this tree's for both (a tree whose Simulation takes no sha256 option hashes with its own).
    .replace("'../src/worker/nodeSha256'", JSON.stringify(path.join(root, 'src', 'worker', 'nodeSha256')));
  writeFileSync(entry, source);
  return bundleForNode(entry, path.join(root, 'out', 'bench', `versus-${label}.cjs`));
}

const trees = [
  { label: 'this tree', script: bundle(root, 'this') },
  { label: 'baseline', script: bundle(path.resolve(baselineRoot), 'baseline') },
];
// The cases of bench/run.ts's plan that both trees know, at the durations it runs them.
const ALL_CASES: Array<[string, number]> = [
  ['edf-4cpu-20tasks', 100],
  ['edf-32cpu-160tasks', 10],
  ['open-64cpu-poisson', 10],
];
// `--cases a,b` measures only those (while working on one of them).
const only = arg('--cases')?.split(',');
const PLAN = only ? ALL_CASES.filter(([name]) => only.includes(name)) : ALL_CASES;

const once = (script: string, name: string, durationS: number): CaseLine =>
  JSON.parse(execFileSync(process.execPath, [script, name, String(durationS)], { encoding: 'utf8' }).trim());

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const load = os.loadavg();
const lines = new Map<string, CaseLine[]>();
const key = (tree: string, name: string) => `${tree}\0${name}`;
for (const [name, durationS] of PLAN) once(trees[0].script, name, durationS); // disk cache, Node's own start-up
for (let round = 0; round < repeat; round++) {
  for (const [name, durationS] of PLAN) {
    const order = round % 2 ? [...trees].reverse() : trees;
    for (const t of order) {
      const k = key(t.label, name);
      lines.set(k, [...(lines.get(k) ?? []), once(t.script, name, durationS)]);
    }
  }
}
const loadAfter = os.loadavg();

console.log(
  `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; load average ${load.map((x) => x.toFixed(1)).join(' / ')} before, ${loadAfter.map((x) => x.toFixed(1)).join(' / ')} after; medians of ${repeat} processes per tree and case, run alternately`,
);
console.log('| case | tree | events | cold CPU ms | warm CPU ms | warm ns/event | result ms | warm CPU vs baseline |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const [name, durationS] of PLAN) {
  const mine = lines.get(key('this tree', name))!;
  const base = lines.get(key('baseline', name))!;
  const ratio = median(mine.map((m, i) => m.warmCpuMs / base[i].warmCpuMs));
  for (const [label, runs] of [
    ['this tree', mine],
    ['baseline', base],
  ] as const) {
    const warm = median(runs.map((r) => r.warmCpuMs));
    console.log(
      `| ${name} ${durationS} s | ${label} | ${runs[0].events.toLocaleString('en')} | ${median(runs.map((r) => r.coldCpuMs)).toFixed(0)} | ${warm.toFixed(0)} | ${((warm * 1e6) / runs[0].events).toFixed(0)} | ${median(runs.map((r) => r.resultMs)).toFixed(0)} | ${label === 'this tree' ? `${ratio.toFixed(3)}x` : ''} |`,
    );
  }
}
