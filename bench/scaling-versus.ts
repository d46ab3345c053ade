/**
 * `node --import tsx bench/scaling-versus.ts <other tree>`: the machine-size rows of
 * bench/scaling.ts for this tree and another (e.g. main) side by side, measured in one run so both
 * see the same machine: each cell alternates fresh processes of the two trees' bundled
 * bench/scaling-case.ts (BENCH_REPEAT of each, default 3, after one warm-up pair per row) and
 * takes the medians of warm CPU time per event. Prints a Markdown table with the load average;
 * writes nothing. `BENCH_POLICIES=a,b` and `BENCH_CPUS=4,1024` narrow it, as for scaling.ts.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { POLICY_NAMES } from '../src/sim/index';
import { bundleForNode } from './bundle';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const other = path.resolve(process.argv[2] ?? '');
if (process.argv[2] === undefined) throw new Error('usage: bench/scaling-versus.ts <other tree>');
const outDir = path.join(os.tmpdir(), `scaling-versus-${process.pid}`);
const scripts = {
  here: bundleForNode(path.join(root, 'bench', 'scaling-case.ts'), path.join(outDir, 'here.cjs')),
  other: bundleForNode(path.join(other, 'bench', 'scaling-case.ts'), path.join(outDir, 'other.cjs')),
};
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const policies = process.env.BENCH_POLICIES?.split(',') ?? POLICY_NAMES;
const cpuCounts = (process.env.BENCH_CPUS?.split(',') ?? ['4', '16', '64', '256', '1024']).map(Number);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]!;

function once(script: string, policy: string, cpus: number): { ns: number; events: number } {
  const out = execFileSync(process.execPath, [script, 'cpus', policy, String(cpus)], { encoding: 'utf8' });
  const row = JSON.parse(out.trim().split('\n').pop()!) as { warmNsPerEvent: number; events: number };
  return { ns: row.warmNsPerEvent, events: row.events };
}

const load = os.loadavg();
const started = new Date();
const rows: string[] = [];
for (const policy of policies) {
  const cells = { here: [] as number[], other: [] as number[] };
  for (const n of cpuCounts) {
    once(scripts.other, policy, n);
    once(scripts.here, policy, n);
    const ns = { here: [] as number[], other: [] as number[] };
    for (let i = 0; i < repeat; i++) {
      // Alternate which tree goes first, so neither always follows the other.
      const order = i % 2 === 0 ? (['other', 'here'] as const) : (['here', 'other'] as const);
      for (const tree of order) ns[tree].push(once(scripts[tree], policy, n).ns);
    }
    cells.here.push(median(ns.here));
    cells.other.push(median(ns.other));
    console.error(`${policy} ${n} CPUs: ${median(ns.other).toFixed(0)} -> ${median(ns.here).toFixed(0)} ns/event`);
  }
  const worst = (xs: number[]) => Math.max(...xs.map((x) => x / xs[0]!));
  const pair = (i: number) => `${cells.other[i]!.toFixed(0)} → ${cells.here[i]!.toFixed(0)}`;
  rows.push(
    `| ${policy} | ${cpuCounts.map((_, i) => pair(i)).join(' | ')} | ${worst(cells.other).toFixed(2)}x → ${worst(cells.here).toFixed(2)}x |`,
  );
}
const loadAfter = os.loadavg();
console.log(`Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${path.basename(other)} → ${path.basename(root)}, \
median of ${repeat} alternating fresh processes each (warm CPU time per event, ns); load average \
${load.map((x) => x.toFixed(1)).join(' / ')} before, ${loadAfter.map((x) => x.toFixed(1)).join(' / ')} after.

| policy | ${cpuCounts.map((n) => `${n} CPUs`).join(' | ')} | worst vs ${cpuCounts[0]} CPUs |
|---|${cpuCounts.map(() => '---:|').join('')}---:|
${rows.join('\n')}`);
